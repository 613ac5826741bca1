"""``flask tracing readiness-report`` (how trace-ready the recorded firearms are) and
``flask tracing detect-links`` (possible same firearms, one true edit included)."""
from __future__ import annotations

from datetime import datetime, time

import click
from flask import Flask
from flask.cli import AppGroup
from flask_babel import force_locale
from sqlalchemy import select

from tracer.auth.services import agency_by_acronym
from tracer.core.demo import add_demo_step
from tracer.core.time import local_to_utc
from tracer.extensions import db
from tracer.firearms.models import Firearm
from tracer.links.bulk import link_recorded_firearms
from tracer.tracing.readiness_report import readiness_counts, report_lines

tracing_cli = AppGroup("tracing", help="Tracing: trace readiness, requests and results.")


@tracing_cli.command("readiness-report")
@click.option("--agency", "acronym", default=None, help="Only the firearms of this agency's cases (acronym).")
@click.option("--lang", default="es", show_default=True, type=click.Choice(["es", "en"]),
              help="Language of the report.")
def readiness_report(acronym, lang):
    """Print how many firearms are ready for a trace request, how many lack each identifier
    and how many carry each kind of suspect identifier."""
    statement = select(Firearm)
    if acronym:
        agency = agency_by_acronym(acronym)
        if agency is None:
            click.echo(f"agency not found: {acronym}", err=True)
            raise SystemExit(2)
        statement = statement.where(Firearm.agency_id == agency.id)
    with force_locale(lang):
        for line in report_lines(readiness_counts(statement)):
            click.echo(line)


@tracing_cli.command("detect-links")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Only firearms recorded on or after this day (YYYY-MM-DD); every firearm by default.")
def detect_links(since):
    """Link the recorded firearms to the possible same firearms the register holds, one true
    edit included. Imports link exact, look-alike and letters-ignored serials as they write;
    run this after a large import (or nightly) for the rest. Running it again adds nothing."""
    after = local_to_utc(datetime.combine(since.date(), time())) if since else None
    created = link_recorded_firearms(after, on_batch=db.session.commit)
    db.session.commit()
    click.echo(f"possible same firearms found: {created}")


def seed_demo_traces(firearms: int, seed: int) -> None:
    """The demo trace requests and results, and the possible same firearms (``flask seed-demo``)."""
    from tracer.tracing.demo import seed_traces

    traces = seed_traces(seed)
    for problem in traces.problems:
        click.echo(problem, err=True)
    click.echo(traces.line())


def seed_demo_trace_people(firearms: int, seed: int) -> None:
    """The possessors and purchasers of the first demo traces (``flask seed-demo``)."""
    from tracer.tracing.demo_people import seed_trace_people

    click.echo(seed_trace_people(seed))


def seed_demo_notices(firearms: int, seed: int) -> None:
    """The demo deconfliction notices (``flask seed-demo``)."""
    from tracer.tracing.demo_notices import seed_notices

    click.echo(f"Deconfliction notices: {seed_notices()}")


def register(app: Flask) -> None:
    add_demo_step(app, seed_demo_traces, order=40)
    add_demo_step(app, seed_demo_trace_people, order=41)
    add_demo_step(app, seed_demo_notices, order=50)
    app.cli.add_command(tracing_cli)
