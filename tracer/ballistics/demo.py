"""Demo ballistics for ``flask seed-demo``: a seized Sonora pistol tied by confirmed hits to three
shootings in two states (two in Sonora, one in Chihuahua), and one lead an examiner left
inconclusive.

Everything goes through the services, so each record is what examiners' work would leave:
scenes placed from the gazetteer, items with their class characteristics, leads and
decisions audited, and the hits with another agency's case told to it as deconfliction
notices. Idempotent: nothing is written once the demo test fire exists, and each run reports
what the demo holds.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from tracer.auth.services import agency_by_acronym, user_by_username
from tracer.ballistics import leads, scenes, services
from tracer.ballistics.models import BallisticItem, BallisticLink
from tracer.cases.models import Case
from tracer.cases.services import create_case
from tracer.extensions import db
from tracer.firearms.models import Firearm

TEST_FIRE_REF = "DEMO-IBIS-SON-TF-0001"
FEDERAL_EXAMINER = "analista.fgr"
# (case owner, officer, examiner, title, scene values, IBIS reference of the cartridge case, hit?)
SHOOTINGS = (
    ("FGE-SON", "agente.son", "analista.son", "Homicidio en la colonia Pitic, Hermosillo",
     {"occurred_on": "2026-02-14", "occurred_time": "22:40", "state": "26", "municipality": "030",
      "locality": "Hermosillo", "crime_category": "Homicidio"}, "DEMO-IBIS-SON-CC-0001", True),
    ("FGE-SON", "agente.son", "analista.son", "Disparos contra vivienda en Ciudad Obregón",
     {"occurred_on": "2026-04-03", "state": "26", "municipality": "018", "locality": "Ciudad Obregón",
      "crime_category": "Homicidio"}, "DEMO-IBIS-SON-CC-0002", True),
    ("FGE-CHIH", "agente.chih", "analista.chih", "Agresión armada en Ciudad Juárez",
     {"occurred_on": "2026-06-21", "occurred_time": "01:15", "state": "08", "municipality": "037",
      "locality": "Juárez", "crime_category": "Homicidio"}, "DEMO-IBIS-CHIH-CC-0001", True),
    ("FGE-CHIH", "agente.chih", "analista.chih", "Enfrentamiento en la ciudad de Chihuahua",
     {"occurred_on": "2026-08-09", "state": "08", "municipality": "019", "locality": "Chihuahua",
      "crime_category": "Delincuencia organizada"}, "DEMO-IBIS-CHIH-CC-0002", False),
)
BREECH = {"firing_pin_shape": "rectangular", "breech_face_class": "parallel", "ejector_mark": "clock_3"}


@dataclass
class BallisticsSummary:
    scenes: int = 0
    items: int = 0
    hits: int = 0
    leads: int = 0
    skipped: str | None = None

    def line(self) -> str:
        if self.skipped:
            return f"Ballistics: {self.skipped}"
        return (f"Ballistics: {self.scenes} scenes, {self.items} items, {self.hits} confirmed hits, "
                f"{self.leads} open leads")


def _sonora_pistol() -> Firearm | None:
    """The oldest pistol of known caliber seized in a Sonora case: the demo's firearm."""
    sonora = agency_by_acronym("FGE-SON")
    if sonora is None:
        return None
    return db.session.scalar(select(Firearm).join(Case, Case.id == Firearm.case_id)
                             .where(Case.owner_agency_id == sonora.id, Firearm.firearm_type == "pistol",
                                    Firearm.caliber_id.is_not(None)).order_by(Firearm.id).limit(1))


def seed_ballistics() -> BallisticsSummary:
    """Write the demo scenes, items, leads and hits when they are missing."""
    if db.session.scalar(select(BallisticItem.id).where(BallisticItem.ibis_ref == TEST_FIRE_REF)):
        return _present()
    summary = BallisticsSummary()
    users = {name: user_by_username(name) for name in
             {FEDERAL_EXAMINER, *(row[1] for row in SHOOTINGS), *(row[2] for row in SHOOTINGS)}}
    pistol = _sonora_pistol()
    if pistol is None or any(user is None for user in users.values()):
        summary.skipped = "no demo Sonora pistol or demo examiners yet"
        return summary
    caliber = pistol.caliber
    headstamp = f"FC {caliber.name.upper()}"
    examiner_son = users["analista.son"]
    test_fire = services.create_item(examiner_son, None, {
        "kind": "test_fire", "caliber": caliber.name, "headstamp": headstamp, **BREECH, "lands": "6",
        "twist": "right", "weight_grains": "115", "jacket": "full_metal_jacket", "lab_number": "LAB-SON-2026-0417",
        "ibis_ref": TEST_FIRE_REF, "notes": "Disparo de prueba en tanque de agua."}, firearm=pistol)
    summary.items += 1
    federal = users[FEDERAL_EXAMINER]
    for owner, officer, examiner, title, place, ibis_ref, hit in SHOOTINGS:
        case = create_case(users[officer], {"title": title, "priority": "high"})
        scene, _warnings = scenes.create_scene(users[officer], case, place)
        cartridge_case = services.create_item(users[examiner], case, {
            "kind": "cartridge_case", "scene_id": scene.id, "caliber": caliber.name, "headstamp": headstamp,
            **BREECH, "ibis_ref": ibis_ref, "lab_number": f"LAB-{owner}-{ibis_ref[-4:]}"})
        summary.scenes += 1
        summary.items += 1
        link = leads.create_lead(federal, test_fire, cartridge_case, "ibis", rank=1 if hit else 4,
                                    score=0.94 if hit else 0.61)
        if hit:
            leads.decide(federal, link, "identification", "Huella del percutor rectangular con arrastre y "
                            "marcas paralelas de la recámara coincidentes.", expected_version=link.version)
            summary.hits += 1
        else:
            leads.decide(federal, link, "inconclusive", "Marcas de la recámara insuficientes; se solicita "
                            "otro disparo de prueba.", expected_version=link.version)
            summary.leads += 1
    db.session.commit()
    return _present()


def _present() -> BallisticsSummary:
    """What the demo holds: its scenes and items, and the test fire's hits and open leads."""
    items = list(db.session.scalars(select(BallisticItem).where(BallisticItem.ibis_ref.like("DEMO-IBIS-%"))))
    test_fire = next(item.id for item in items if item.ibis_ref == TEST_FIRE_REF)
    statuses = list(db.session.scalars(select(BallisticLink.status).where(
        or_(BallisticLink.item_a_id == test_fire, BallisticLink.item_b_id == test_fire))))
    return BallisticsSummary(scenes=len({item.scene_id for item in items if item.scene_id}), items=len(items),
                             hits=statuses.count("confirmed"), leads=statuses.count("lead"))
