"""The agency scope rule of SPEC §2, checked on real agencies."""
import pytest
from sqlalchemy import select

from tests import factories
from tracer.auth.models import Agency
from tracer.auth.scope import agency_scope
from tracer.extensions import db


@pytest.fixture
def agencies(ctx):
    created = {acronym: factories.agency(acronym) for acronym in ("FGR", "SEDENA", "FGE-SON", "FGE-JAL", "ATF-MX")}
    # A second agency of Sonora: state users see every agency of their state.
    created["SSP-SON"] = factories.agency("SSP-SON", name="Secretaría de Seguridad Pública de Sonora",
                                          level="state", state_code="26")
    db.session.commit()
    return created


def visible(user) -> set[str]:
    return set(db.session.scalars(select(Agency.acronym).where(agency_scope(user, Agency.id))))


def test_federal_user_sees_every_agency(agencies):
    analyst = factories.user("analyst", agencies["SEDENA"])
    assert visible(analyst) == set(agencies)


def test_state_user_sees_the_agencies_of_their_state_only(agencies):
    analyst = factories.user("analyst", agencies["FGE-SON"])
    assert visible(analyst) == {"FGE-SON", "SSP-SON"}
    jalisco = factories.user("supervisor", agencies["FGE-JAL"])
    assert visible(jalisco) == {"FGE-JAL"}


def test_us_liaison_sees_only_their_office(agencies):
    liaison = factories.user("liaison", agencies["ATF-MX"])
    assert visible(liaison) == {"ATF-MX"}


def test_admin_sees_no_case_content_by_role_alone(agencies):
    admin = factories.user("admin", agencies["FGR"])
    assert visible(admin) == set()


def test_disabled_user_sees_nothing(agencies):
    analyst = factories.user("analyst", agencies["FGR"], active=False)
    assert visible(analyst) == set()
