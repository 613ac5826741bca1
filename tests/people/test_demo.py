"""Demo people: a Sonora possessor recorded twice in two Sonora cases (a likely duplicate), an associate,
a Jalisco possessor; written once."""
from __future__ import annotations

from sqlalchemy import func, select

from tracer.auth.demo import seed_accounts
from tracer.extensions import db
from tracer.firearms.reference import load_reference_data
from tracer.people.demo import seed_people
from tracer.people.models import CasePerson, Person, PersonDuplicate
from tracer.seizures.demo import seed_seizures


def test_the_demo_holds_a_likely_duplicate_across_two_cases_of_one_state(ctx):
    load_reference_data()
    seed_accounts()
    db.session.commit()
    seed_seizures(200, 2026)
    line = seed_people()
    assert line == "People: 4 recorded, 1 likely duplicates waiting"
    pair = db.session.scalar(select(PersonDuplicate).where(PersonDuplicate.status == "open"))
    assert pair.kind == "name_dob" and pair.person_a.agency.acronym == pair.person_b.agency.acronym == "FGE-SON"
    cases = set(db.session.scalars(select(CasePerson.case_id).where(
        CasePerson.person_id.in_((pair.person_a_id, pair.person_b_id)))))
    assert len(cases) == 2
    assert seed_people() == line and db.session.scalar(select(func.count()).select_from(Person)) == 4
