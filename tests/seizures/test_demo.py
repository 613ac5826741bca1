"""Demo seizures: shaped like published figures, the same for a seed, written once."""
from __future__ import annotations

import re
from collections import Counter

import pytest
from sqlalchemy import func, select

from tracer.auth.demo import seed_accounts
from tracer.cases.models import Case
from tracer.extensions import db
from tracer.firearms.models import CustodyEvent, Firearm
from tracer.firearms.reference import load_reference_data, serial_fits_manufacturer
from tracer.firearms.serials import normalize_serial
from tracer.seizures.demo import demo_seizures, seed_seizures
from tracer.seizures.demo_data import sample_rows
from tracer.seizures.models import Seizure

TYPES = {"pistola": "pistol", "revólver": "revolver", "revolver": "revolver", "fusil": "rifle", "rifle": "rifle",
         "escopeta": "shotgun"}


def rows_of(firearms: int, seed: int) -> list[dict]:
    return [row for _owner, rows in demo_seizures(firearms, seed) for row in rows]


def share(rows, test) -> float:
    return 100 * sum(1 for row in rows if test(row)) / len(rows)


def test_the_same_seed_gives_the_same_rows_and_more_rows_extend_them():
    assert rows_of(300, 5) == rows_of(300, 5)
    assert rows_of(300, 5) != rows_of(300, 6)
    small, large = rows_of(200, 5), rows_of(400, 5)
    seizures = {row["seizure_ref"] for row in small[:-60]}
    assert [row for row in small if row["seizure_ref"] in seizures] == [
        row for row in large if row["seizure_ref"] in seizures]
    assert len(small) == 200 and len(rows_of(1, 5)) == 1 and rows_of(0, 5) == []


def test_the_mix_follows_the_published_figures():
    rows = list(sample_rows(6000, 11))
    types = Counter(TYPES.get(row["firearm_type"], "other") for row in rows)
    assert 40 <= 100 * types["pistol"] / len(rows) <= 50
    assert 5 <= 100 * types["revolver"] / len(rows) <= 11
    assert 35 <= 100 * types["rifle"] / len(rows) <= 45
    assert 3 <= 100 * types["shotgun"] / len(rows) <= 9
    big_four = ("smith", "s&w", "colt", "glock", "beretta", "pietro beretta")
    assert 25 <= share(rows, lambda r: r["manufacturer"].lower().startswith(big_four)) <= 38
    assert 12 <= share(rows, lambda r: r["serial_status"] == "obliterated") <= 18
    assert 7 <= share(rows, lambda r: bool(r["importer"])) <= 14
    ak_ar = share(rows, lambda r: r["caliber"].startswith(("7.62x39", "5.56", ".223")))
    assert ak_ar >= 20
    top_states = [state for state, _n in Counter(row["state"] for row in rows).most_common(8)]
    assert {"14", "11", "16", "26", "08", "02"} <= set(top_states)


def test_serials_are_plausible_for_their_maker(ctx):
    load_reference_data()
    from tracer.firearms.reference import resolve_manufacturer

    rows = [row for row in sample_rows(800, 2) if row["serial_number"]]
    for row in rows:
        assert normalize_serial(row["serial_number"])
    glocks = [row for row in rows if row["manufacturer"] == "Glock"]
    maker = resolve_manufacturer("Glock")
    assert glocks and all(serial_fits_manufacturer(maker, normalize_serial(r["serial_number"])) for r in glocks)
    restored = [row for row in sample_rows(800, 2) if row["serial_status"] == "restored"]
    assert restored and all(row["restored_serial"] and not row["serial_number"] for row in restored)


@pytest.fixture
def demo_accounts(ctx):
    load_reference_data()
    seed_accounts()
    db.session.commit()


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_seeding_writes_cases_seizures_and_firearms_once(demo_accounts):
    summary = seed_seizures(200, 7)
    assert not summary.problems
    assert (summary.firearms, summary.new_firearms) == (200, 200)
    assert summary.seizures == count(Seizure) and summary.cases == count(Case)
    assert count(CustodyEvent) == 200
    statuses = {case.status for case in db.session.scalars(select(Case))}
    assert statuses == {"open", "investigating"}
    owners = {case.owner_agency.acronym for case in db.session.scalars(select(Case))}
    assert {"FGR", "SEDENA", "GN", "FGE-SON", "FGE-JAL", "FGE-CHIH"} <= owners
    led = db.session.scalars(select(Case).where(Case.lead_officer_id.is_not(None))).all()
    assert led and all(case.lead_officer.role == "officer" for case in led)
    grouped = db.session.scalar(select(func.count()).select_from(
        select(Seizure.case_id).group_by(Seizure.case_id).having(func.count() > 1).subquery()))
    assert grouped, "investigations gather several seizures"
    state_seizures = db.session.scalars(select(Seizure).join(Seizure.case).where(
        Case.owner_agency.has(acronym="FGE-SON"))).all()
    assert all(seizure.state_code == "26" for seizure in state_seizures)

    again = seed_seizures(200, 7)
    assert (again.new_cases, again.new_seizures, again.new_firearms) == (0, 0, 0)
    assert (again.cases, again.seizures, again.firearms) == (summary.cases, summary.seizures, summary.firearms)
    assert count(Firearm) == 200


def test_seed_demo_prints_the_logins_and_the_counts(app, ctx):
    result = app.test_cli_runner().invoke(args=["seed-demo", "--firearms", "60", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "agente.fgr" in result.stdout
    line = re.search(r"^Demo data: (\d+) cases, (\d+) seizures, (\d+) firearms$", result.stdout, re.MULTILINE)
    # The demo seizures' own firearms; other rooms' demo steps (the straw-purchase ring, the
    # map's border crossing) record a few more through the services.
    demo_firearms = db.session.scalar(select(func.count()).select_from(Firearm)
                                      .where(Firearm.external_id.like("DEMO-%")))
    assert line and int(line.group(3)) == 60 == demo_firearms


def test_no_firearms_asked_none_made(demo_accounts):
    summary = seed_seizures(0, 7)
    assert (summary.firearms, count(Seizure), count(Case)) == (0, 0, 0)
