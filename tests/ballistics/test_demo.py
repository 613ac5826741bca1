"""Demo ballistics: a Sonora pistol tied to three shootings in two states, one lead left open; written once."""
from __future__ import annotations

from sqlalchemy import func, select

from tracer.auth.demo import seed_accounts
from tracer.ballistics.demo import TEST_FIRE_REF, seed_ballistics
from tracer.ballistics.models import BallisticItem, BallisticLink, Scene
from tracer.deconfliction.models import DeconflictionNotice
from tracer.extensions import db
from tracer.firearms.reference import load_reference_data
from tracer.seizures.demo import seed_seizures


def test_the_demo_pistol_is_tied_to_three_shootings_in_two_states(ctx):
    load_reference_data()
    seed_accounts()
    db.session.commit()
    seed_seizures(200, 2026)
    summary = seed_ballistics()
    assert (summary.scenes, summary.hits, summary.leads) == (4, 3, 1), summary.line()
    test_fire = db.session.scalar(select(BallisticItem).where(BallisticItem.ibis_ref == TEST_FIRE_REF))
    assert test_fire.firearm.case.owner_agency.acronym == "FGE-SON"
    hits = db.session.scalars(select(BallisticLink).where(BallisticLink.status == "confirmed")).all()
    other = [link.item_b if link.item_a_id == test_fire.id else link.item_a for link in hits]
    assert sorted(item.scene.state_code for item in other) == ["08", "26", "26"]
    open_leads = db.session.scalars(select(BallisticLink).where(BallisticLink.status == "lead")).all()
    assert [link.conclusion for link in open_leads] == ["inconclusive"]
    notices = db.session.scalars(select(DeconflictionNotice).where(DeconflictionNotice.channel == "ballistic")).all()
    assert {(n.owner_agency.acronym, n.told_agency.acronym) for n in notices} == {
        ("FGE-SON", "FGE-CHIH"), ("FGE-CHIH", "FGE-SON")}
    again = seed_ballistics()
    assert again.line() == summary.line() and db.session.scalar(select(func.count()).select_from(Scene)) == 4
