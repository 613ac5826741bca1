"""``flask tracing readiness-report``: how many firearms are ready, missing what, suspect of what."""
from __future__ import annotations

import re

from tests import factories
from tests.tracing.helpers import READY, ready_firearm
from tracer.extensions import db
from tracer.firearms.models import Firearm
from tracer.tracing.readiness_report import readiness_counts


def figures(output: str) -> dict[str, int]:
    """Each line's label and count."""
    return {match.group(1).strip(): int(match.group(2).replace(",", ""))
            for match in re.finditer(r"^\s{2}(.+?)\s+([\d,]+)\s+[\d.]+ %$", output, re.M)}


def test_the_report_counts_ready_missing_and_suspect_firearms(app, reference_data):
    ready_firearm()
    ready_firearm()
    ready_firearm(importer="")                                     # foreign-made, no importer
    ready_firearm(serial_status="obliterated", serial_number="")   # nothing to trace yet
    ready_firearm(model="", country_of_manufacture="")             # two identifiers missing
    ready_firearm(manufacturer="Glok", serial_number="ABC123")     # an unknown maker: a warning
    factories.seizure(firearms=[{**READY, "caliber": "7.62 ruso", "firearm_type": "otro"}])
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["tracing", "readiness-report", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Trace readiness of 7 recorded firearms")
    counts = figures(result.output)
    assert counts["Ready for a trace request"] == 4
    assert counts["… of which with something to check"] == 2
    assert counts["Not ready (an identifier is missing)"] == 3
    assert (counts["Importer"], counts["Serial number"], counts["Model"], counts["Country of manufacture"]) == (
        1, 1, 1, 1)
    assert counts["Manufacturer"] == counts["Caliber"] == 0
    assert counts["Manufacturer not in the reference list"] == 1
    assert counts["Caliber not in the reference list"] == 1 and counts["Type “Other”"] == 1
    assert re.search(r"^  Ready for a trace request +4 +57\.1 %$", result.output, re.M)


def test_the_report_in_spanish_and_for_one_agency(app, reference_data):
    ready_firearm(factories.case("FGE-SON"))
    ready_firearm(factories.case("FGE-JAL"), importer="")
    db.session.commit()
    runner = app.test_cli_runner()
    sonora = runner.invoke(args=["tracing", "readiness-report", "--agency", "FGE-SON", "--lang", "en"])
    assert "Trace readiness of 1 recorded firearms" in sonora.output
    assert figures(sonora.output)["Ready for a trace request"] == 1
    unknown = runner.invoke(args=["tracing", "readiness-report", "--agency", "NOPE"])
    assert unknown.exit_code == 2 and "agency not found: NOPE" in unknown.output


def test_counting_leaves_the_session_usable(ctx, reference_data):
    kept = ready_firearm()
    counts = readiness_counts()
    assert counts.firearms == db.session.query(Firearm).count() and counts.ready == 1
    assert kept.serial_number == "BXK123"  # objects the caller holds stay attached
