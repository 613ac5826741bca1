"""``flask reference load`` and the reference lists loaded by ``flask seed-demo``."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tracer.extensions import db
from tracer.firearms.models import Caliber, CaliberAlias, Manufacturer, ManufacturerAlias
from tracer.firearms.reference_data import shipped


@pytest.fixture
def cli(app, ctx):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=list(args))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_reference_load_prints_the_counts_and_is_idempotent(cli):
    first = cli("reference", "load")
    assert first.exit_code == 0, first.output
    makers, calibers = len(shipped("manufacturers")), len(shipped("calibers"))
    assert re.search(rf"^manufacturers: {makers} \({makers} new\), aliases: {count(ManufacturerAlias)} "
                     rf"\({count(ManufacturerAlias)} new\)$", first.stdout, re.MULTILINE), first.stdout
    assert re.search(rf"^calibers: {calibers} \({calibers} new\), aliases: {count(CaliberAlias)} "
                     rf"\({count(CaliberAlias)} new\)$", first.stdout, re.MULTILINE), first.stdout

    second = cli("reference", "load")
    assert second.exit_code == 0
    assert f"manufacturers: {makers} (0 new)" in second.stdout and f"calibers: {calibers} (0 new)" in second.stdout
    assert (count(Manufacturer), count(Caliber)) == (makers, calibers)


def test_seed_demo_loads_the_reference_lists(cli):
    assert cli("seed-demo").exit_code == 0
    assert count(Manufacturer) == len(shipped("manufacturers"))
    assert count(Caliber) == len(shipped("calibers"))
