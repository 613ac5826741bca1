"""An import tells its user once per agency and kind that other agencies hold matching records."""
from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from tests.deconfliction.conftest import SERIAL
from tests.seizures.import_helpers import officer, row, run
from tracer.deconfliction.models import DeconflictionNotice
from tracer.extensions import db


@pytest.fixture(autouse=True)
def english(ctx):
    with force_locale("en"):
        yield


def jalisco_rows(*serials: str) -> list[dict]:
    return [row(f"J-{n}", f"SJ-{n}", agency="FGE-JAL", state="14", municipality="039", locality="Guadalajara",
                latitude="", longitude="", serial_number=serial) for n, serial in enumerate(serials, 1)]


def test_an_import_names_the_agency_holding_matching_records_with_a_reference(hidden_glock, budget_of):
    budget_of(5)
    user = officer("FGE-JAL")
    report = run(user, jalisco_rows(SERIAL, "KSB2Q613X", "JAL555111"))
    assert report.outcome == "imported", report.lines()
    notices = list(db.session.scalars(select(DeconflictionNotice)))
    # Two rows match Sonora's record, one exactly and one by look-alikes: one answer per kind.
    assert {(n.channel, n.match, n.owner_agency.acronym) for n in notices} == {
        ("import", "exact", "FGE-SON"), ("import", "lookalike", "FGE-SON")}
    assert len(report.restricted) == 2 and report.restricted_limit is None
    assert all("Fiscalía General de Justicia del Estado de Sonora" in line for line in report.restricted)
    assert {n.reference for n in notices} == {line.rsplit(" ", 1)[-1].rstrip(".") for line in report.restricted}
    text = "\n".join(report.lines())
    assert "Records of other agencies:" in text and SERIAL not in text.replace(SERIAL + ",", "")


def test_an_import_past_the_budget_withholds_and_says_so(hidden_glock, budget_of):
    budget_of(0)
    report = run(officer("FGE-JAL"), jalisco_rows(SERIAL))
    assert report.outcome == "imported" and report.restricted == []
    assert "hourly limit of matches with other agencies" in report.restricted_limit
    [notice] = db.session.scalars(select(DeconflictionNotice))
    assert notice.withheld and notice.channel == "import"


def test_a_dry_run_discloses_nothing(hidden_glock):
    report = run(officer("FGE-JAL"), jalisco_rows(SERIAL), dry_run=True)
    assert report.restricted == [] and db.session.scalar(select(DeconflictionNotice)) is None
