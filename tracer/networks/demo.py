"""Demo link analysis for ``flask seed-demo``: a straw-purchasing ring.

One buyer (a person of the people room, and the purchaser on the trace results) bought pistols in three multiple sales at two Texas dealers (Laredo and El Paso);
months later they were seized in Sonora, Jalisco and Chihuahua, and two of those cases share
cartridge cases an examiner identified as fired by the same pistol. On ``/network`` the three
cases are one group, joined by the same dealer, the same multiple sale and a ballistic hit.

Cases and seizures go through the services (audited, placed from the gazetteer); the trace
results and the ballistic hit are written as a liaison and an examiner would leave them.
Idempotent: nothing is written once the ring's first case exists.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import select

from tracer.auth.services import agency_by_acronym, user_by_username
from tracer.ballistics.models import BallisticItem, BallisticLink
from tracer.cases.models import Case
from tracer.cases.services import create_case
from tracer.core.numbering import next_number
from tracer.extensions import db
from tracer.people.services import record_person
from tracer.seizures.services import create_seizure
from tracer.tracing.models import TraceNumberCounter, TraceRequest

BUYER = "Ramiro Téllez Ochoa"
DEALERS = {"laredo": {"ffl_name": "Lone Star Arms LLC", "ffl_license": "5-74-479-01-3C-08812",
                      "ffl_street": "1402 Santa Ursula Ave", "ffl_city": "Laredo", "ffl_state": "TX",
                      "ffl_zip": "78040", "origin_latitude": 27.5036, "origin_longitude": -99.5075},
           "el_paso": {"ffl_name": "Rio Grande Outfitters", "ffl_license": "5-74-141-01-4D-11937",
                       "ffl_street": "3310 Montana Ave", "ffl_city": "El Paso", "ffl_state": "TX",
                       "ffl_zip": "79903", "origin_latitude": 31.7776, "origin_longitude": -106.4425}}
# The three multiple sales (dealer, purchase date) and, per seized case, its pistols and their sale.
SALES = {"a": ("laredo", date(2024, 3, 11)), "b": ("laredo", date(2024, 8, 2)), "c": ("el_paso", date(2024, 5, 20))}
CASES = (
    ("FGE-SON", "agente.son", "Red de prestanombres: pistolas aseguradas en Nogales",
     {"seized_on": "2025-01-17", "state": "26", "municipality": "043", "locality": "Heroica Nogales"},
     [("RTO100231", "a"), ("RTO100232", "a"), ("RTO100577", "c")]),
    ("FGE-JAL", "agente.jal", "Red de prestanombres: cateo en Tlaquepaque",
     {"seized_on": "2025-04-02", "state": "14", "municipality": "098", "locality": "San Pedro Tlaquepaque"},
     [("RTO100233", "a"), ("RTO101120", "b")]),
    ("FGE-CHIH", "agente.chih", "Red de prestanombres: aseguramiento en Juárez, Chihuahua",
     {"seized_on": "2025-06-28", "state": "08", "municipality": "037", "locality": "Juárez"},
     [("RTO101121", "b"), ("RTO100578", "c")]),
)

SUMMARY = (f"Straw-purchasing ring: 3 cases in Sonora, Jalisco and Chihuahua, "
           f"{sum(len(case[4]) for case in CASES)} pistols traced to 2 Texas dealers in 3 multiple sales, "
           f"1 ballistic hit")


def _firearm(serial: str) -> dict:
    return {"firearm_type": "pistol", "manufacturer": "Glock", "model": "19", "caliber": "9mm",
            "serial_number": serial, "serial_status": "intact", "country_of_manufacture": "AT",
            "importer": "Glock Inc."}


def _trace(firearm, sale: str, office, liaison, requester) -> TraceRequest:
    dealer, bought = SALES[sale]
    now = datetime.now(timezone.utc)
    seized_on = firearm.seizure.seized_on
    return TraceRequest(
        trace_number=f"RT-{now.year}-{next_number(TraceNumberCounter, now.year):06d}", firearm_id=firearm.id,
        case_id=firearm.case_id, agency_id=firearm.agency_id, requesting_agency_id=requester.agency_id,
        addressed_to_id=office.id, requested_by_id=requester.id, status="completed", priority="urgent",
        submitted_at=now, result_at=now, result_by_id=liaison.id if liaison else None, outcome="us_retail",
        identifiers={"firearm_type": "pistol", "manufacturer": "Glock", "model": "19", "caliber": "9mm",
                     "serial_number": firearm.serial_number, "seized_on": seized_on.isoformat(),
                     "state": firearm.seizure.state_code},
        purchase_date=bought, purchaser_name=BUYER, multiple_sale=True, origin_source="gazetteer",
        time_to_crime_days=(seized_on - bought).days, **DEALERS[dealer])


def seed_ring() -> str:
    """Write the ring once; say what the demo holds."""
    if db.session.scalar(select(Case.id).where(Case.title == CASES[0][2])) is not None:
        return SUMMARY  # written before: the demo holds the same ring
    office = agency_by_acronym("ATF-MX")
    liaison = user_by_username("enlace.atf")
    examiner = user_by_username("analista.fgr")
    if office is None or examiner is None:
        return "Straw-purchasing ring: skipped (demo agencies and users missing)"
    seizures, buyer = [], None
    for acronym, officer_name, title, place, pistols in CASES:
        officer = user_by_username(officer_name)
        if officer is None or agency_by_acronym(acronym) is None:
            return f"Straw-purchasing ring: skipped ({officer_name} missing)"
        case = create_case(officer, {"title": title, "priority": "urgent",
                                     "summary": "Pistolas de una misma compra por prestanombres en Texas."})
        seizure, _warnings = create_seizure(officer, case, {**place, "seized_time": "06:30"},
                                            [_firearm(serial) for serial, _sale in pistols])
        traces = [_trace(firearm, sale, office, liaison, examiner) for firearm, (_serial, sale)
                  in zip(seizure.firearms, pistols)]
        db.session.add_all(traces)
        db.session.flush()
        # The buyer named on the trace results, recorded once as a person and named in every case.
        fields = {"person_id": buyer.id} if buyer else {"last_names": "Téllez Ochoa", "first_names": "Ramiro",
                                                         "birth_date": "1991-09-14"}
        buyer = record_person(case, "purchaser", fields, examiner, trace_request_id=traces[0].id).person
        seizures.append(seizure)
    # Cartridge cases left at the Nogales and Juárez seizures, identified as fired by one pistol.
    items = [BallisticItem(kind="cartridge_case", case_id=seizure.case_id, seizure_id=seizure.id,
                           agency_id=seizure.agency_id, state_code=seizure.state_code, headstamp="FC 9mm LUGER",
                           firing_pin_shape="rectangular", breech_face_class="parallel", ejector_mark="clock_3",
                           created_by_id=examiner.id)
             for seizure in (seizures[0], seizures[2])]
    db.session.add_all(items)
    db.session.flush()
    first, second = sorted(items, key=lambda item: item.id)
    db.session.add(BallisticLink(item_a_id=first.id, item_b_id=second.id, agency_a_id=first.agency_id,
                                 agency_b_id=second.agency_id, status="confirmed", conclusion="identification",
                                 examiner_id=examiner.id, decided_at=datetime.now(timezone.utc),
                                 created_by_id=examiner.id))
    db.session.commit()
    return SUMMARY
