"""Demo people for ``flask seed-demo``: the possessor and an associate at a Sonora seizure, and the
same possessor recorded again, with his name written without accents, at a second Sonora case — a
likely duplicate waiting in the analysts' queue — plus a Jalisco possessor with a CURP.

Everything goes through the services, so each record is what officers' and analysts' work would
leave, audited. Idempotent: nothing is written once the demo possessor exists.
"""
from __future__ import annotations

from sqlalchemy import func, select

from tracer.auth.models import Agency
from tracer.auth.services import user_by_username
from tracer.cases.models import Case
from tracer.extensions import db
from tracer.firearms.models import Firearm
from tracer.people.models import Person, PersonDuplicate
from tracer.people.services import record_person
from tracer.seizures.models import Seizure

MARKER_CURP = "VAEJ850312HSRLSN00"
POSSESSOR = {"last_names": "Valenzuela Espinoza", "first_names": "José Julián", "alias": "El Güero",
             "birth_date": "1985-03-12", "sex": "male", "curp": MARKER_CURP, "locality": "Hermosillo",
             "region": "Sonora", "country": "MX", "postal_code": "83000"}
# The same man as written in another file: no accents, no CURP, another address.
POSSESSOR_AGAIN = {"last_names": "VALENZUELA ESPINOZA", "first_names": "Jose Julian", "birth_date": "1985-03-12",
                   "sex": "male", "locality": "Nogales", "region": "Sonora", "country": "MX"}
ASSOCIATE = {"last_names": "Lugo Ochoa", "first_names": "Marisol", "birth_date": "1992-11-30", "sex": "female",
             "locality": "Hermosillo", "region": "Sonora", "country": "MX"}
JALISCO = {"last_names": "González Mendoza", "first_names": "Rosa María", "birth_date": "1992-07-04",
           "sex": "female", "curp": "GORM920704MJCNDR02", "locality": "Guadalajara", "region": "Jalisco",
           "country": "MX", "postal_code": "44100"}


def _cases_with_seizures(acronym: str, count: int) -> list[Case]:
    return list(db.session.scalars(
        select(Case).join(Agency, Agency.id == Case.owner_agency_id)
        .where(Agency.acronym == acronym, Case.id.in_(select(Seizure.case_id)))
        .order_by(Case.id).limit(count)))


def _first_firearm_id(case: Case) -> int | None:
    return db.session.scalar(select(Firearm.id).where(Firearm.case_id == case.id).order_by(Firearm.id).limit(1))


def _present() -> str:
    people = db.session.scalar(select(func.count()).select_from(Person)) or 0
    waiting = db.session.scalar(select(func.count()).select_from(PersonDuplicate)
                                .where(PersonDuplicate.status == "open")) or 0
    return f"People: {people} recorded, {waiting} likely duplicates waiting"


def seed_people() -> str:
    """Write the demo people when they are missing; returns the summary line."""
    if db.session.scalar(select(Person.id).where(Person.curp == MARKER_CURP).limit(1)):
        return _present()
    officer, analyst = user_by_username("agente.son"), user_by_username("analista.son")
    jalisco_officer = user_by_username("agente.jal")
    sonora = _cases_with_seizures("FGE-SON", 2)
    if officer is None or analyst is None or len(sonora) < 2:
        return "People: skipped (no demo Sonora cases or users yet)"
    first, second = sonora
    record_person(first, "possessor", {**POSSESSOR, "notes": "Detenido en flagrancia con el arma."}, officer,
                  firearm_id=_first_firearm_id(first))
    record_person(first, "associate", ASSOCIATE, officer)
    record_person(second, "possessor", POSSESSOR_AGAIN, analyst, firearm_id=_first_firearm_id(second))
    jalisco = _cases_with_seizures("FGE-JAL", 1)
    if jalisco and jalisco_officer is not None:
        record_person(jalisco[0], "possessor", JALISCO, jalisco_officer, firearm_id=_first_firearm_id(jalisco[0]))
    db.session.commit()
    return _present()
