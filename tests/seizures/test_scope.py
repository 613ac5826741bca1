"""Who sees a seizure, its firearms and their files: out of scope is simply not found."""
from __future__ import annotations

import pytest

from tests import factories
from tests.seizures.helpers import new_case, text
from tracer.extensions import db


@pytest.fixture
def sonora(login_as):
    """A Sonora seizure with one firearm and one photo, recorded by an officer of the FGE-SON."""
    officer = login_as("officer", "FGE-SON")
    seizure = factories.seizure(new_case(officer.user), officer.user)
    firearm = seizure.firearms[0]
    photo = factories.photo(firearm, officer.user)
    db.session.commit()
    return {"officer": officer, "seizure": seizure, "firearm": firearm, "photo": photo}


def pages(records) -> list[str]:
    seizure, firearm, photo = records["seizure"], records["firearm"], records["photo"]
    return [f"/seizures/{seizure.id}", f"/firearms/{firearm.id}", f"/firearms/{firearm.id}/edit",
            f"/firearms/{firearm.id}/custody/print", f"/attachments/{photo.id}",
            f"/attachments/{photo.id}/thumbnail"]


def test_an_officer_of_another_state_gets_404_everywhere(login_as, sonora):
    jalisco = login_as("officer", "FGE-JAL")
    for path in pages(sonora):
        response = jalisco.get(path)
        assert response.status_code == 404, path
        assert "TR-" not in text(response)  # not a hint of the case
    firearm = sonora["firearm"]
    token_page = "/auth/profile"
    for path in (f"/firearms/{firearm.id}/custody", f"/firearms/{firearm.id}/photos",
                 f"/seizures/{sonora['seizure'].id}/photos", f"/firearms/{firearm.id}/edit"):
        assert jalisco.post(path, {"event": "received"}, token_from=token_page).status_code == 404, path


def test_a_federal_analyst_and_a_colleague_of_the_agency_see_everything(login_as, sonora):
    for viewer in (login_as("analyst", "FGR"), login_as("supervisor", "FGE-SON")):
        for path in pages(sonora):
            assert viewer.get(path).status_code == 200, path


def test_another_agency_of_the_state_sees_but_may_not_change(login_as, sonora):
    factories.agency("SSP-SON", level="state", state_code="26")
    neighbour = login_as("officer", "SSP-SON")
    firearm = sonora["firearm"]
    assert neighbour.get(f"/firearms/{firearm.id}").status_code == 200
    page = text(neighbour.get(f"/firearms/{firearm.id}"))
    assert "Add a custody entry" not in page and f"/firearms/{firearm.id}/edit" not in page
    assert neighbour.get(f"/firearms/{firearm.id}/edit").status_code == 403
    response = neighbour.post(f"/firearms/{firearm.id}/custody", {"event": "received"},
                              token_from=f"/firearms/{firearm.id}")
    assert response.status_code == 403


@pytest.mark.parametrize("role, agency", [("liaison", "ATF-MX"), ("admin", "FGR")])
def test_liaison_and_admin_are_refused_by_role(login_as, sonora, role, agency):
    person = login_as(role, agency)
    for path in pages(sonora) + ["/seizures/new"]:
        assert person.get(path).status_code == 403, path
