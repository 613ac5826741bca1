"""Recording people, the personal-data rule, likely duplicates and merges, through the services."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests import factories
from tests.people.conftest import CURP, POSSESSOR
from tracer.audit.models import AuditEvent
from tracer.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tracer.extensions import db
from tracer.people import access, duplicates, services
from tracer.people.models import Person, PersonDuplicate, PersonMerge


def _record(world, case=None, actor=None, role="possessor", **fields):
    row = services.record_person(case or world.sonora_case, role, {**POSSESSOR, **fields},
                                 actor or world.sonora_analyst)
    db.session.flush()
    return row.person


def _errors(values, actor_world, case=None):
    with pytest.raises(ValidationFailed) as failure:
        services.record_person(case or actor_world.sonora_case, "possessor", values, actor_world.sonora_analyst)
    return failure.value.fields


def test_a_person_is_recorded_once_with_a_folded_name_key(world):
    person = _record(world)
    assert person.name_key == "VALENZUELA ESPINOZA/JOSE JULIAN"
    assert person.canonical_id == person.id and person.agency_id == world.sonora_case.owner_agency_id
    assert person.curp == CURP


def test_a_date_of_birth_in_the_future_is_refused_naming_the_field(world):
    fields = _errors({**POSSESSOR, "curp": None, "birth_date": "2999-01-01"}, world)
    assert list(fields) == ["birth_date"]
    assert db.session.scalar(select(Person.id)) is None


def test_a_date_of_birth_before_1900_is_refused(world):
    assert "birth_date" in _errors({**POSSESSOR, "curp": None, "birth_date": "1850-01-01"}, world)


def test_a_curp_of_the_wrong_shape_is_refused(world):
    fields = _errors({**POSSESSOR, "curp": "VAEJ8503"}, world)
    assert list(fields) == ["curp"] and "18" in fields["curp"][0]


def test_a_curp_with_a_wrong_check_digit_is_refused(world):
    fields = _errors({**POSSESSOR, "curp": CURP[:-1] + "1"}, world)
    assert list(fields) == ["curp"]
    assert "check digit" in fields["curp"][0] or "dígito" in fields["curp"][0]


def test_a_curp_holding_another_date_of_birth_is_refused(world):
    assert "curp" in _errors({**POSSESSOR, "birth_date": "1985-03-13"}, world)


def test_a_foreign_identification_needs_a_sane_number_and_a_us_state(world):
    fields = _errors({**POSSESSOR, "curp": None, "id_kind": "us_driver_license", "id_number": "!!",
                      "id_country": "US", "id_region": "ZZ"}, world)
    assert {"id_number", "id_region"} <= set(fields)
    person = _record(world, curp=None, id_kind="us_driver_license", id_number="d123-4567", id_country="",
                     id_region="Texas")
    assert (person.id_kind, person.id_number, person.id_country, person.id_region) == \
        ("us_driver_license", "D1234567", "US", "TX")


def test_a_us_address_takes_a_valid_state(world):
    assert "region" in _errors({**POSSESSOR, "curp": None, "country": "US", "region": "Sonora",
                                "postal_code": "85001"}, world)


def test_only_roles_of_the_list_and_firearms_of_the_case(world):
    other = factories.seizure(world.jalisco_case).firearms[0]
    with pytest.raises(ValidationFailed) as failure:
        services.record_person(world.sonora_case, "witness", {**POSSESSOR, "firearm_id": other.id},
                               world.sonora_analyst)
    assert {"role", "firearm_id"} <= set(failure.value.fields)


def test_an_officer_records_a_possessor_but_reads_only_the_restricted_count(world):
    services.record_person(world.sonora_case, "possessor", POSSESSOR, world.sonora_officer)
    with pytest.raises(ValidationFailed):
        services.record_person(world.sonora_case, "purchaser", POSSESSOR, world.sonora_officer)
    shown = services.people_of_case(world.sonora_officer, world.sonora_case)
    assert shown.restricted and shown.count == 1 and shown.rows == []
    with pytest.raises(NotFound):
        services.get_person(world.sonora_officer, db.session.scalar(select(Person.id)))


def test_analysts_and_supervisors_read_and_every_read_is_audited_without_personal_data(world):
    person = _record(world, alias="El Güero")
    for reader in (world.sonora_analyst, world.sonora_supervisor):
        shown = services.people_of_case(reader, world.sonora_case)
        assert not shown.restricted and [row.person.id for row in shown.rows] == [person.id]
    db.session.commit()
    reads = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "personal_data.read")))
    assert len(reads) == 2 and all(event.details["person_ids"] == [person.id] for event in reads)
    every = json.dumps([event.details for event in db.session.scalars(select(AuditEvent))], ensure_ascii=False)
    for secret in ("Valenzuela", "José", "VALENZUELA", CURP, "1985-03-12", "Güero", "Hermosillo", "83000"):
        assert secret not in every


def test_another_states_analyst_does_not_find_the_person(world):
    person = _record(world)
    with pytest.raises(NotFound):
        services.get_person(world.jalisco_analyst, person.id)
    assert services.get_person(world.federal_analyst, person.id).id == person.id
    assert not access.may_read_personal_data(world.jalisco_analyst, world.sonora_case.id)


def test_the_rule_admits_a_higher_rooms_own_readers(world):
    liaison = factories.user("liaison", factories.agency("ATF-MX"))
    assert not access.may_read_personal_data(liaison, world.sonora_case.id)
    assert access.may_read_personal_data(liaison, world.sonora_case.id,
                                         also=lambda user: user.agency_id == liaison.agency_id)


def test_a_stale_version_is_a_conflict_holding_the_stored_values(world):
    person = _record(world)
    values = {**POSSESSOR, "alias": "Nuevo"}
    services.update_person(world.sonora_analyst, person, values, person.version)
    with pytest.raises(Conflict) as conflict:
        services.update_person(world.sonora_analyst, person, values, person.version - 1)
    assert conflict.value.details["version"] == person.version
    assert conflict.value.details["stored"]["alias"] == "Nuevo"
    db.session.commit()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "person.update"))
    assert event.details == {"fields": ["alias"]}


def test_same_name_and_date_of_birth_curp_or_identification_are_likely_duplicates(world):
    first = _record(world)
    again = _record(world, case=world.sonora_case_2, last_names="VALENZUELA  ESPINOZA", first_names="Jose Julian",
                    curp=None)
    by_curp = _record(world, case=world.sonora_case_2, last_names="Otro", first_names="Nombre", birth_date=None)
    passport = dict(curp=None, birth_date=None, id_kind="passport", id_number="G1234567", id_country="GT")
    one = _record(world, last_names="Uno", **passport)
    two = _record(world, case=world.sonora_case_2, last_names="Dos", **passport)
    kinds = {(pair.person_a_id, pair.person_b_id): pair.kind
             for pair in db.session.scalars(select(PersonDuplicate))}
    assert kinds[(first.id, again.id)] == "name_dob"
    assert kinds[(first.id, by_curp.id)] == "curp"
    assert kinds[(one.id, two.id)] == "identification"
    seen = {item.other.id for item in duplicates.likely_duplicates(world.sonora_analyst, first)}
    assert seen == {again.id, by_curp.id}
    assert duplicates.likely_duplicates(world.jalisco_analyst, first) == []


def test_merging_keeps_both_originals_and_keeps_the_root_current_when_merges_chain(world):
    first = _record(world)
    second = _record(world, case=world.sonora_case_2, curp=None)
    third = _record(world, case=world.sonora_case_2, curp=None, alias="Otro registro")
    duplicates.merge_people(world.sonora_analyst, second, third, "Mismo domicilio y fecha")
    duplicates.merge_people(world.sonora_analyst, first, second, "Misma CURP en el acta")
    db.session.commit()
    assert db.session.get(Person, third.id).canonical_id == first.id
    assert (second.merged_into_id, second.canonical_id, third.merged_into_id) == (first.id, first.id, second.id)
    assert db.session.scalar(select(Person.id).where(Person.id == third.id)) == third.id  # kept
    assert len(services.roles_of(world.sonora_analyst, first)) == 3
    assert {m.merged_id for m in duplicates.merge_history(first)} == {second.id, third.id}
    assert db.session.scalar(select(services.canonical_person_id(third.id))) == first.id
    assert list(db.session.scalars(duplicates.open_pairs(world.sonora_analyst))) == []
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "person.merge")
                               .order_by(AuditEvent.seq.desc())).first()
    assert set(event.details) == {"kept_id", "merged_id", "merge_id", "pair_id"}


def test_merging_a_person_with_themselves_is_refused(world):
    person = _record(world)
    with pytest.raises(ValidationFailed) as failure:
        duplicates.merge_people(world.sonora_analyst, person, person, "¿?")
    assert "into" in failure.value.fields
    assert person.merged_into_id is None and db.session.scalar(select(PersonMerge.id)) is None


def test_a_merge_needs_a_reason_and_an_analyst(world):
    first, second = _record(world), _record(world, case=world.sonora_case_2, curp=None)
    with pytest.raises(ValidationFailed) as failure:
        duplicates.merge_people(world.sonora_analyst, first, second, "  ")
    assert "reason" in failure.value.fields
    with pytest.raises(Forbidden):
        duplicates.merge_people(world.sonora_supervisor, first, second, "Razón")


def test_not_the_same_person_takes_the_pair_out_of_the_queue(world):
    first, second = _record(world), _record(world, case=world.sonora_case_2, curp=None)
    queue = duplicates.duplicate_queue(world.sonora_analyst)
    assert [(p.person_a_id, p.person_b_id) for p in queue.items] == [(first.id, second.id)]
    duplicates.mark_distinct(world.sonora_analyst, queue.items[0])
    assert duplicates.duplicate_queue(world.sonora_analyst).items == []
    with pytest.raises(ValidationFailed):
        duplicates.mark_distinct(world.sonora_analyst, queue.items[0])
    services.update_person(world.sonora_analyst, second, {**POSSESSOR, "curp": None, "alias": "x"}, second.version)
    assert duplicates.duplicate_queue(world.sonora_analyst).items == []  # decided pairs are not asked again


def test_attaching_an_existing_person_to_another_case(world):
    person = _record(world)
    row = services.record_person(world.sonora_case_2, "associate", {"person_id": person.id}, world.sonora_analyst)
    assert row.person_id == person.id
    with pytest.raises(ValidationFailed) as failure:
        services.record_person(world.sonora_case_2, "associate", {"person_id": person.id}, world.sonora_analyst)
    assert list(failure.value.fields) == ["role"]
    with pytest.raises(ValidationFailed):
        services.record_person(world.jalisco_case, "associate", {"person_id": person.id}, world.jalisco_analyst)
    with pytest.raises(Forbidden):
        services.record_person(world.sonora_case, "associate", {"person_id": person.id}, world.sonora_officer)


def test_the_tracing_room_shows_a_traces_purchaser_to_its_liaison_under_the_same_rule(world):
    firearm = factories.seizure(world.sonora_case).firearms[0]
    request = factories.trace_request(firearm)
    services.record_person(world.sonora_case, "purchaser", {**POSSESSOR, "curp": None}, world.sonora_analyst,
                           trace_request_id=request.id)
    liaison = factories.user("liaison", factories.agency("ATF-MX"))
    addressed = lambda user: user.role == "liaison" and user.agency_id == request.addressed_to_id  # noqa: E731
    assert services.people_of_trace(liaison, world.sonora_case.id, request.id, "trace_page").restricted
    shown = services.people_of_trace(liaison, world.sonora_case.id, request.id, "trace_page", also=addressed)
    assert not shown.restricted and shown.rows[0].role == "purchaser"
    db.session.commit()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "personal_data.read"))
    assert event.object_type == "trace_request" and event.details["where"] == "trace_page"
