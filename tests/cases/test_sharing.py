"""Sharing a case with another agency: it then sees the case and what belongs to it, until revoked."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import factories
from tracer.audit.models import AuditEvent
from tracer.cases import sharing
from tracer.core.errors import Forbidden, ValidationFailed
from tracer.extensions import db


@pytest.fixture
def shared_setup(agencies):
    lead = factories.user("officer", agencies["FGE-SON"])
    case = factories.case(agencies["FGE-SON"], lead, title="Tráfico por Nogales")
    seizure = factories.seizure(case, lead)
    unshared = factories.case(agencies["FGE-SON"], lead, title="Caso no compartido")
    db.session.commit()
    return {"lead": lead, "case": case, "seizure": seizure, "firearm": seizure.firearms[0], "unshared": unshared}


def paths(setup):
    return [f"/cases/{setup['case'].id}", f"/seizures/{setup['seizure'].id}", f"/firearms/{setup['firearm'].id}"]


def test_a_shared_case_is_seen_by_the_other_agency_until_revoked(login_as, shared_setup, agencies):
    analyst = login_as("analyst", "FGE-JAL", locale="en")
    assert [analyst.get(path).status_code for path in paths(shared_setup)] == [404, 404, 404]
    share = sharing.share_case(shared_setup["lead"], shared_setup["case"], agencies["FGE-JAL"].id)
    db.session.commit()
    assert [analyst.get(path).status_code for path in paths(shared_setup)] == [200, 200, 200]
    assert "Tráfico por Nogales" in analyst.get("/cases").get_data(as_text=True)
    assert analyst.get(f"/cases/{shared_setup['unshared'].id}").status_code == 404
    sharing.revoke_share(shared_setup["lead"], shared_setup["case"], share.id)
    db.session.commit()
    assert [analyst.get(path).status_code for path in paths(shared_setup)] == [404, 404, 404]


def test_a_shared_agency_reads_but_does_not_edit(login_as, shared_setup, agencies):
    sharing.share_case(shared_setup["lead"], shared_setup["case"], agencies["FGE-JAL"].id)
    db.session.commit()
    officer = login_as("officer", "FGE-JAL", locale="en")
    assert officer.get(f"/cases/{shared_setup['case'].id}/edit").status_code == 403


def test_a_us_office_sees_a_case_shared_with_it(login_as, shared_setup, agencies):
    liaison = login_as("liaison", "ATF-MX", locale="en")
    path = f"/cases/{shared_setup['case'].id}"
    assert liaison.get(path).status_code == 404
    sharing.share_case(shared_setup["lead"], shared_setup["case"], agencies["ATF-MX"].id)
    db.session.commit()
    assert liaison.get(path).status_code == 200


def test_sharing_through_the_page_is_audited(login_as, shared_setup, agencies):
    supervisor = login_as("supervisor", "FGE-SON", locale="en")
    path = f"/cases/{shared_setup['case'].id}"
    response = supervisor.post(f"{path}/shares", {"agency_id": str(agencies["FGE-JAL"].id)}, token_from=path)
    assert response.status_code == 302
    assert "Shared with" in supervisor.get(path).get_data(as_text=True)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.share",
                                                       AuditEvent.case_id == shared_setup["case"].id))
    assert event.user_id == supervisor.user.id and event.details["agency"] == "FGE-JAL"


def test_who_may_share_and_with_whom(shared_setup, agencies):
    case = shared_setup["case"]
    with pytest.raises(Forbidden):
        sharing.share_case(factories.user("analyst", agencies["FGE-SON"]), case, agencies["FGE-JAL"].id)
    for agency in ("SSP-SON", "FGR"):  # they see it already
        with pytest.raises(ValidationFailed) as raised:
            sharing.share_case(shared_setup["lead"], case, agencies[agency].id)
        assert list(raised.value.fields) == ["agency_id"]
    for bad in (None, "7", 999999, True):
        with pytest.raises(ValidationFailed):
            sharing.share_case(shared_setup["lead"], case, bad)
    sharing.share_case(shared_setup["lead"], case, agencies["FGE-JAL"].id)
    with pytest.raises(ValidationFailed):
        sharing.share_case(shared_setup["lead"], case, agencies["FGE-JAL"].id)
    assert [a.acronym for a in sharing.share_candidates(case)] == ["ATF-MX"]
