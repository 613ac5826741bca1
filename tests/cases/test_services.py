"""Case services: scope, lists and filters, opening and editing with optimistic locking, audit."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from tests import factories
from tracer.audit.models import AuditEvent
from tracer.cases import case_lists, services
from tracer.cases.models import Case
from tracer.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tracer.extensions import db


def references(page) -> list[str]:
    return [case.reference for case in page.items]


def audit_events(action: str, case_id: int) -> list[AuditEvent]:
    db.session.flush()
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == action, AuditEvent.object_id == str(case_id)).order_by(AuditEvent.seq)))


# --- scope ----------------------------------------------------------------------------------------


@pytest.fixture
def cases(agencies):
    """One case of each Mexican agency, by acronym."""
    created = {acronym: factories.case(agencies[acronym]) for acronym in ("FGR", "SEDENA", "FGE-SON", "SSP-SON", "FGE-JAL")}
    db.session.commit()
    return created


def visible(user, cases) -> set[str]:
    ids = set(db.session.scalars(services.case_query(user).with_only_columns(Case.id)))
    return {acronym for acronym, case in cases.items() if case.id in ids}


def test_federal_user_sees_every_case(agencies, cases):
    for role in ("officer", "analyst", "supervisor"):
        user = factories.user(role, agencies["SEDENA"])
        assert visible(user, cases) == set(cases)
        assert services.get_case(user, cases["FGE-JAL"].id) == cases["FGE-JAL"]


def test_state_user_sees_the_cases_of_the_agencies_of_their_state(agencies, cases):
    analyst = factories.user("analyst", agencies["FGE-SON"])
    assert visible(analyst, cases) == {"FGE-SON", "SSP-SON"}
    assert services.get_case(analyst, cases["SSP-SON"].id) == cases["SSP-SON"]


def test_a_case_of_another_state_is_not_found(agencies, cases):
    jalisco = factories.user("supervisor", agencies["FGE-JAL"])
    with pytest.raises(NotFound):
        services.get_case(jalisco, cases["FGE-SON"].id)
    with pytest.raises(NotFound):
        services.get_case(jalisco, cases["FGR"].id)


def test_liaison_and_admin_see_no_mexican_case(agencies, cases):
    for user in (factories.user("liaison", agencies["ATF-MX"]), factories.user("admin", agencies["FGR"])):
        assert visible(user, cases) == set()
        with pytest.raises(NotFound):
            services.get_case(user, cases["FGR"].id)


def test_absent_and_out_of_scope_cases_answer_alike(agencies, cases):
    jalisco = factories.user("analyst", agencies["FGE-JAL"])
    with pytest.raises(NotFound) as absent:
        services.get_case(jalisco, 2_000_000_000)
    with pytest.raises(NotFound) as hidden:
        services.get_case(jalisco, cases["FGE-SON"].id)
    assert absent.value.message == hidden.value.message


def test_disabled_user_sees_nothing(agencies, cases):
    analyst = factories.user("analyst", agencies["FGR"], active=False)
    assert visible(analyst, cases) == set()


# --- lists and filters ----------------------------------------------------------------------------


def test_list_is_newest_first_and_paginated(agencies):
    opened = [factories.case(agencies["FGE-SON"], title=f"Caso {n}") for n in range(5)]
    db.session.commit()
    analyst = factories.user("analyst", agencies["FGE-SON"])
    first = case_lists.list_cases(analyst, {}, page=1, per_page=2)
    assert first.total == 5 and first.per_page == 2 and first.pages == 3
    assert references(first) == [opened[4].reference, opened[3].reference]
    last = case_lists.list_cases(analyst, {}, page=3, per_page=2)
    assert references(last) == [opened[0].reference]


def test_text_filter_matches_reference_title_and_carpeta_literally(agencies):
    by_title = factories.case(agencies["FGR"], title="Tráfico por Nogales")
    by_carpeta = factories.case(agencies["FGR"], title="Otro", carpeta_number="FED/SON/HMO/0001234/2026")
    percent = factories.case(agencies["FGR"], title="Descuento 100% seguro")
    underscore = factories.case(agencies["FGR"], title="nombre_con_guion")
    db.session.commit()
    analyst = factories.user("analyst", agencies["FGR"])

    def found(text):
        return set(references(case_lists.list_cases(analyst, {"text": text}, per_page=100)))

    assert found("nogales") == {by_title.reference}
    assert found("hmo/0001234") == {by_carpeta.reference}
    assert found(by_carpeta.reference.lower()) == {by_carpeta.reference}
    assert found("%") == {percent.reference}  # a wildcard in SQL, a character here
    assert found("_") == {underscore.reference}
    assert found("x" * 201) == set()
    assert found("Nogales\u202e") == set()


def test_status_agency_state_and_date_filters(agencies):
    son = factories.case(agencies["FGE-SON"])
    ssp = factories.case(agencies["SSP-SON"], status="investigating")
    jal = factories.case(agencies["FGE-JAL"])
    old = factories.case(agencies["FGR"])
    old.created_at = datetime(2024, 3, 10, 18, tzinfo=timezone.utc)
    db.session.commit()
    analyst = factories.user("analyst", agencies["FGR"])

    def found(**filters):
        return set(references(case_lists.list_cases(analyst, filters, per_page=100)))

    assert found(status="investigating") == {ssp.reference}
    assert found(agency="fge-son") == {son.reference}
    assert found(state="26") == {son.reference, ssp.reference}
    assert found(state="14") == {jal.reference}
    day = old.created_at.date()
    assert found(created_from=day, created_to=day) == {old.reference}
    assert old.reference not in found(created_from=day + timedelta(days=1))
    assert found(created_to=day - timedelta(days=1)) == set()


def test_agency_filter_stays_within_scope(agencies):
    jal = factories.case(agencies["FGE-JAL"])
    db.session.commit()
    sonora = factories.user("analyst", agencies["FGE-SON"])
    assert case_lists.list_cases(sonora, {"agency": "FGE-JAL"}).total == 0
    federal = factories.user("analyst", agencies["FGR"])
    assert references(case_lists.list_cases(federal, {"agency": "FGE-JAL"})) == [jal.reference]


@pytest.mark.parametrize("filters, field", [
    ({"status": "lost"}, "status"),
    ({"state": "99"}, "state"),
    ({"state": "Sonora'; --"}, "state"),
])
def test_bad_filters_name_the_field(agencies, filters, field):
    analyst = factories.user("analyst", agencies["FGR"])
    with pytest.raises(ValidationFailed) as failure:
        case_lists.list_cases(analyst, filters)
    assert field in failure.value.fields


def test_date_range_ending_before_it_starts_is_refused(agencies):
    analyst = factories.user("analyst", agencies["FGR"])
    today = datetime.now(timezone.utc).date()
    with pytest.raises(ValidationFailed) as failure:
        case_lists.list_cases(analyst, {"created_from": today, "created_to": today - timedelta(days=1)})
    assert "created_to" in failure.value.fields


# --- opening a case -------------------------------------------------------------------------------


def test_create_case_for_the_users_agency(agencies):
    officer = factories.user("officer", agencies["FGE-SON"])
    case = services.create_case(officer, {"title": "  Rifles en Agua Prieta ", "summary": "Línea 1\nLínea 2",
                                          "priority": "high", "carpeta_number": "CI-FGE-26/123.2026"})
    assert case.reference.startswith(f"TR-{services.current_year()}-")
    assert case.title == "Rifles en Agua Prieta"
    assert case.summary == "Línea 1\nLínea 2"
    assert (case.status, case.priority, case.version) == ("open", "high", 1)
    assert case.owner_agency_id == agencies["FGE-SON"].id
    assert case.lead_officer_id == officer.id  # an officer leads the cases they open
    assert case.created_by_id == officer.id


def test_analyst_and_supervisor_open_cases_without_a_lead_by_default(agencies):
    for role in ("analyst", "supervisor"):
        user = factories.user(role, agencies["FGR"])
        assert services.create_case(user, {"title": "Caso"}).lead_officer_id is None


def test_lead_officer_must_be_an_active_case_worker_of_the_owning_agency(agencies):
    officer = factories.user("officer", agencies["FGE-SON"])
    colleague = factories.user("analyst", agencies["FGE-SON"])
    outsider = factories.user("officer", agencies["SSP-SON"])
    retired = factories.user("officer", agencies["FGE-SON"], active=False)
    admin = factories.user("admin", agencies["FGE-SON"])
    assert services.create_case(officer, {"title": "A", "lead_officer_id": colleague.id}).lead_officer_id == colleague.id
    assert services.create_case(officer, {"title": "B", "lead_officer_id": None}).lead_officer_id is None
    for lead_id in (outsider.id, retired.id, admin.id, 2_000_000_000):
        with pytest.raises(ValidationFailed) as failure:
            services.create_case(officer, {"title": "C", "lead_officer_id": lead_id})
        assert list(failure.value.fields) == ["lead_officer_id"]


@pytest.mark.parametrize("values, field", [
    ({"title": ""}, "title"),
    ({"title": "   "}, "title"),
    ({}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"title": "ok", "summary": "x" * 10_001}, "summary"),
    ({"title": "ok", "priority": "critical"}, "priority"),
    ({"title": "ok", "carpeta_number": "CI#123"}, "carpeta_number"),
    ({"title": "ok", "carpeta_number": "1" * 81}, "carpeta_number"),
    ({"title": "Caso\u200bX"}, "title"),
    ({"title": "Caso\u202eX"}, "title"),
    ({"title": "Caso\x00X"}, "title"),
    ({"title": "ok", "summary": "bell \x07"}, "summary"),
    ({"title": "ok", "carpeta_number": "CI\u200f123"}, "carpeta_number"),
    ({"title": 123}, "title"),
    ({"title": "ok", "lead_officer_id": "7"}, "lead_officer_id"),
])
def test_bad_values_are_refused_naming_the_field(agencies, values, field):
    officer = factories.user("officer", agencies["FGR"])
    before = db.session.scalar(select(Case.id).order_by(Case.id.desc()).limit(1))
    with pytest.raises(ValidationFailed) as failure:
        services.create_case(officer, values)
    assert field in failure.value.fields
    assert all(isinstance(m, str) and m for m in failure.value.fields[field])
    assert db.session.scalar(select(Case.id).order_by(Case.id.desc()).limit(1)) == before


def test_liaison_and_admin_may_not_open_cases(agencies):
    for user in (factories.user("liaison", agencies["ATF-MX"]), factories.user("admin", agencies["FGR"])):
        with pytest.raises(Forbidden):
            services.create_case(user, {"title": "Caso"})


def test_sql_metacharacters_are_stored_literally(agencies):
    officer = factories.user("officer", agencies["FGR"])
    title = "Robert'); DROP TABLE cases;-- \"x\" 100% _ \\"
    case = services.create_case(officer, {"title": title, "carpeta_number": "CI-1/2. 3"})
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Case, case.id).title == title
    assert references(case_lists.list_cases(officer, {"text": "DROP TABLE cases;--"})) == [case.reference]


def test_create_is_audited_with_the_new_values(agencies):
    officer = factories.user("officer", agencies["FGE-SON"])
    case = services.create_case(officer, {"title": "Caso auditado", "carpeta_number": "CI/1"})
    db.session.commit()
    [event] = audit_events("case.create", case.id)
    assert (event.user_id, event.agency_id, event.object_type, event.case_id) == (
        officer.id, officer.agency_id, "case", case.id)
    new = event.details["new"]
    assert new["reference"] == case.reference
    assert new["title"] == "Caso auditado" and new["carpeta_number"] == "CI/1"
    assert new["lead_officer_id"] == officer.id and new["owner_agency_id"] == case.owner_agency_id


# --- editing --------------------------------------------------------------------------------------


def test_update_changes_fields_bumps_version_and_audits_changes_only(agencies, sonora_case):
    officer = factories.user("officer", agencies["FGE-SON"])
    old_title = sonora_case.title
    services.update_case(officer, sonora_case, {"title": "Nuevo título", "priority": "normal",
                                                "summary": "Resumen"}, version=1)
    db.session.commit()
    assert (sonora_case.title, sonora_case.summary, sonora_case.version) == ("Nuevo título", "Resumen", 2)
    [event] = audit_events("case.update", sonora_case.id)
    # priority was already "normal": not a change, not in the trail
    assert event.details == {"old": {"title": old_title, "summary": None},
                             "new": {"title": "Nuevo título", "summary": "Resumen"}}
    assert event.user_id == officer.id and event.case_id == sonora_case.id


def test_an_update_that_changes_nothing_writes_nothing(agencies, sonora_case):
    officer = factories.user("officer", agencies["FGE-SON"])
    services.update_case(officer, sonora_case, {"title": sonora_case.title}, version=1)
    db.session.commit()
    assert sonora_case.version == 1
    assert audit_events("case.update", sonora_case.id) == []


def test_stale_version_is_a_conflict_carrying_the_current_values(agencies, sonora_case):
    first = factories.user("officer", agencies["FGE-SON"])
    second = factories.user("analyst", agencies["FGE-SON"])
    services.update_case(first, sonora_case, {"title": "Guardado primero"}, version=1)
    db.session.commit()
    with pytest.raises(Conflict) as conflict:
        services.update_case(second, sonora_case, {"title": "Guardado después"}, version=1)
    assert conflict.value.status == 409
    assert conflict.value.details["version"] == 2
    assert conflict.value.details["current"]["title"] == "Guardado primero"
    assert sonora_case.title == "Guardado primero"


@pytest.mark.parametrize("version", [None, "1", 1.0, True, 0])
def test_missing_or_malformed_version_is_a_conflict(agencies, sonora_case, version):
    officer = factories.user("officer", agencies["FGE-SON"])
    with pytest.raises(Conflict):
        services.update_case(officer, sonora_case, {"title": "X"}, version=version)


def test_a_concurrent_save_between_read_and_write_is_a_conflict(agencies, sonora_case):
    """Another transaction saves after our version check: the version column catches it."""
    officer = factories.user("officer", agencies["FGE-SON"])
    db.session.execute(update(Case).where(Case.id == sonora_case.id)
                       .values(title="Guardado por otro", version=Case.version + 1)
                       .execution_options(synchronize_session=False))
    db.session.commit()  # the other transaction is done; our copy still says version 1
    assert sonora_case.version == 1
    with pytest.raises(Conflict) as conflict:
        services.update_case(officer, sonora_case, {"title": "Mío"}, version=1)
    assert conflict.value.details["current"]["title"] == "Guardado por otro"
    assert conflict.value.details["version"] == 2


def test_who_may_edit(agencies, sonora_case):
    allowed = [factories.user("officer", agencies["FGE-SON"]), factories.user("supervisor", agencies["FGE-SON"]),
               factories.user("analyst", agencies["FGR"]), factories.user("officer", agencies["SEDENA"])]
    for number, user in enumerate(allowed):
        services.update_case(user, sonora_case, {"summary": f"Cambio {number}"}, version=sonora_case.version)
    assert sonora_case.version == 1 + len(allowed)
    # Sees the case (same state) but does not own it.
    neighbour = factories.user("analyst", agencies["SSP-SON"])
    assert services.get_case(neighbour, sonora_case.id) == sonora_case
    with pytest.raises(Forbidden):
        services.update_case(neighbour, sonora_case, {"summary": "No"}, version=sonora_case.version)


def test_status_is_not_editable(agencies, sonora_case):
    officer = factories.user("officer", agencies["FGE-SON"])
    with pytest.raises(ValidationFailed) as failure:
        services.update_case(officer, sonora_case, {"status": "closed"}, version=1)
    assert "status" in failure.value.fields
    assert sonora_case.status == "open"


def test_lead_officer_may_stay_when_no_longer_eligible(agencies, sonora_case):
    officer = factories.user("officer", agencies["FGE-SON"])
    lead = sonora_case.lead_officer
    lead.active = False
    db.session.flush()
    services.update_case(officer, sonora_case, {"title": "Sigue", "lead_officer_id": lead.id}, version=1)
    assert sonora_case.lead_officer_id == lead.id
    with pytest.raises(ValidationFailed):
        services.update_case(officer, sonora_case, {"lead_officer_id": factories.user("officer", agencies["FGE-JAL"]).id},
                             version=sonora_case.version)
