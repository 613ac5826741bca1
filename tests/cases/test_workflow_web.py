"""The workflow on the case page, the review queue and the home cards."""
from __future__ import annotations

import html
from datetime import timedelta

from tests import factories
from tests.cases.workflow_helpers import case_in_review
from tests.core.test_home import work
from tracer.cases import assignments
from tracer.cases.models import Case
from tracer.core.models import utcnow
from tracer.extensions import db


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_case_page_offers_only_the_actions_the_reader_may_take(login_as, agencies):
    case, officer = case_in_review()
    supervisor = login_as("supervisor", "FGE-SON", locale="en")
    page = page_text(supervisor.get(f"/cases/{case.id}"))
    assert 'value="approve"' in page and 'value="return"' in page and 'value="submit"' not in page
    analyst = login_as("analyst", "FGE-SON", locale="en")
    page = page_text(analyst.get(f"/cases/{case.id}"))
    assert 'value="approve"' not in page and "No review action is yours to take on this case now." in page


def test_a_supervisor_returns_with_comments_the_officer_sees_beside_the_sections(login_as, agencies):
    case, officer = case_in_review()
    supervisor = login_as("supervisor", "FGE-SON", locale="en")
    path = f"/cases/{case.id}"
    response = supervisor.post(f"{path}/transition", {"action": "return", "comment": "Revise, please.",
                                                      "section-firearms": "The AK-47 lacks its importer."},
                               token_from=path)
    assert response.status_code == 302 and response.headers["Location"] == path
    db.session.expire_all()
    assert db.session.get(Case, case.id).status == "investigating"
    page = page_text(login_as("officer", "FGE-SON").get(path))
    assert 'data-section="firearms"' in page
    assert "Observaciones de quien revisa sobre Armas" in page
    assert "The AK-47 lacks its importer." in page
    assert "Devuelto con observaciones" in page


def test_a_return_without_comment_keeps_the_page_and_says_why(login_as, agencies):
    case, _officer = case_in_review()
    supervisor = login_as("supervisor", "FGE-SON", locale="en")
    path = f"/cases/{case.id}"
    response = supervisor.post(f"{path}/transition", {"action": "return", "comment": " "}, token_from=path)
    assert response.status_code == 422
    page = page_text(response)
    assert "Say what needs revising: a comment, or a comment on a section." in page
    db.session.expire_all()
    assert db.session.get(Case, case.id).status == "in_review"


def test_approving_twice_tells_the_second_time_that_the_case_moved(login_as, agencies):
    case, _officer = case_in_review()
    supervisor = login_as("supervisor", "FGE-SON", locale="en")
    path = f"/cases/{case.id}"
    assert supervisor.post(f"{path}/transition", {"action": "approve"}, token_from=path).status_code == 302
    again = supervisor.post(f"{path}/transition", {"action": "approve"}, token_from=path)
    assert again.status_code == 409
    assert "This case is Approved; this can only be done to a case that is In review." in page_text(again)


def test_a_state_supervisor_cannot_reach_another_states_case(login_as, agencies):
    case, _officer = case_in_review("FGE-JAL")
    supervisor = login_as("supervisor", "FGE-SON", locale="en")
    response = supervisor.post(f"/cases/{case.id}/transition", {"action": "approve"})
    assert response.status_code == 404


def test_the_review_queue_lists_oldest_first_with_how_long_each_waited(login_as, agencies):
    newer, _ = case_in_review(title="Caso reciente")
    older, _ = case_in_review(title="Caso antiguo")
    older.submitted_at = utcnow() - timedelta(days=12)
    other_state, _ = case_in_review("FGE-JAL", title="Caso de Jalisco")
    factories.case("FGE-SON", title="Caso abierto")
    db.session.commit()
    supervisor = login_as("supervisor", "FGE-SON", locale="en")
    page = page_text(supervisor.get("/cases/review"))
    assert page.index("Caso antiguo") < page.index("Caso reciente")
    assert "Caso de Jalisco" not in page and "Caso abierto" not in page
    assert "12 days" in page
    assert work(supervisor.get("/"))["cases waiting for your review"] == (2, "/cases/review")


def test_the_review_queue_is_for_supervisors(login_as, agencies):
    assert login_as("officer", "FGE-SON").get("/cases/review").status_code == 403


def test_an_assigned_analyst_finds_the_case_on_the_home_page(login_as, agencies):
    analyst = login_as("analyst", "FGE-SON", locale="en")
    lead = factories.user("officer", agencies["FGE-SON"])
    case = factories.case(agencies["FGE-SON"], lead, title="Caso asignado")
    factories.case(agencies["FGE-SON"], lead, title="Caso ajeno")
    assignments.assign(lead, case, analyst.user.id)
    db.session.commit()
    assert work(analyst.get("/"))["cases you are assigned to"] == (1, "/cases?assigned=me")
    listing = page_text(analyst.get("/cases?assigned=me"))
    assert "Caso asignado" in listing and "Caso ajeno" not in listing
