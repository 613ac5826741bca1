"""``flask import seizures``: who imports, what is printed, and the exit status."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import factories
from tests.seizures.import_helpers import count, officer, row
from tests.seizures.sample_csv import csv_bytes
from tracer.audit.models import AuditEvent
from tracer.cases.models import Case
from tracer.extensions import db
from tracer.firearms.models import Firearm


@pytest.fixture
def cli(app, ctx):
    runner = app.test_cli_runner()

    def invoke(*args):
        return runner.invoke(args=["import", "seizures", *args])

    return invoke


@pytest.fixture
def user(ctx, reference_data):
    return officer("FGR")


@pytest.fixture
def csv_file(tmp_path):
    def write(rows, name="aseguramientos.csv"):
        path = tmp_path / name
        path.write_bytes(csv_bytes(rows))
        return str(path)

    return write


def test_a_good_file_exits_0_with_the_counts(cli, user, csv_file):
    result = cli(csv_file([row("E1", "S-1"), row("E2", "S-1")]), "--user", user.username, "--lang", "en")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "The file was imported."
    assert "  Firearms imported: 2" in result.stdout and "  Seizures created: 1" in result.stdout
    assert count(Firearm) == 2
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "import.seizures"))
    assert event.details["file"] == "aseguramientos.csv" and event.user_id == user.id


def test_a_rejected_file_exits_1_and_names_row_column_value_and_reason(cli, user, csv_file):
    path = csv_file([row("E1", "S-1"), row("E2", "S-2", state="Sonoraa")])
    result = cli(path, "--user", user.username, "--lang", "en")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == "The file was rejected: nothing was written."
    assert ("Error: line 3, column state, value “Sonoraa”: Unknown state: use the INEGI code (01 to 32) "
            "or the name.") in result.stdout
    assert count(Firearm) == 0


def test_partial_exits_0_with_a_summary(cli, user, csv_file):
    path = csv_file([row("E1", "S-1"), row("E2", "S-2", seized_on="2025-13-45")])
    result = cli(path, "--user", user.username, "--partial", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Partial import")
    assert "  Firearms imported: 1" in result.stdout and "  Rows with errors: 1" in result.stdout
    assert "line 3, column seized_on" in result.stdout
    assert count(Firearm) == 1


def test_partial_with_nothing_good_is_rejected(cli, user, csv_file):
    result = cli(csv_file([row("E1", state="")]), "--user", user.username, "--partial")
    assert result.exit_code == 1 and count(Firearm) == 0


def test_dry_run_writes_nothing_and_exits_as_the_import_would(cli, user, csv_file):
    good = cli(csv_file([row("E1")]), "--user", user.username, "--dry-run", "--lang", "en")
    assert good.exit_code == 0 and "Dry run" in good.stdout and "Firearms to import: 1" in good.stdout
    bad = cli(csv_file([row("E1", firearm_type="cañón")]), "--user", user.username, "--dry-run")
    assert bad.exit_code == 1
    assert count(Firearm) == 0 and count(Case) == 0


def test_the_report_is_in_the_users_language(cli, ctx, reference_data, csv_file):
    theirs = factories.case("FGE-SON")
    spanish = officer("FGE-JAL", locale="es")
    english = officer("FGE-JAL", locale="en")
    path = csv_file([row("E1", case_reference=theirs.reference)])
    assert "Caso no encontrado." in cli(path, "--user", spanish.username).stdout
    assert "Case not found." in cli(path, "--user", english.username).stdout
    assert "Case not found." in cli(path, "--user", spanish.username, "--lang", "en").stdout


def test_an_agency_imports_on_its_own(cli, ctx, reference_data, csv_file):
    officer("FGE-SON")
    result = cli(csv_file([row("E1")]), "--agency", "fge-son")
    assert result.exit_code == 0, result.output
    case = db.session.scalar(select(Case))
    assert case.owner_agency.acronym == "FGE-SON" and case.lead_officer_id is None


@pytest.mark.parametrize("arguments", [
    (),
    ("--user", "nobody"),
    ("--agency", "NOPE"),
    ("--agency", "ATF-MX"),
])
def test_wrong_arguments_exit_2(cli, user, csv_file, arguments):
    factories.agency("ATF-MX")
    db.session.commit()
    result = cli(csv_file([row("E1")]), *arguments)
    assert result.exit_code == 2 and result.stderr
    assert count(Firearm) == 0


def test_the_user_must_be_a_case_worker_of_the_agency(cli, user, csv_file):
    liaison = factories.user("liaison")
    db.session.commit()
    assert cli(csv_file([row("E1")]), "--user", liaison.username).exit_code == 2
    assert cli(csv_file([row("E1")]), "--user", user.username, "--agency", "SEDENA").exit_code == 2
    assert cli(csv_file([row("E1")]), "--user", user.username, "--agency", "FGR").exit_code == 0


def test_a_missing_file_is_a_usage_error(cli, user):
    assert cli("/nonexistent/seizures.csv", "--user", user.username).exit_code == 2


def test_no_progress_bar_when_standard_error_is_not_a_terminal(cli, user, csv_file):
    result = cli(csv_file([row("E1")]), "--user", user.username, "--lang", "en")
    assert result.exit_code == 0 and result.stderr == ""
