"""``flask tracing readiness-report``: how trace-ready the recorded firearms are."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from flask_babel import force_locale
from sqlalchemy import select

from tracer.auth.services import agency_by_acronym
from tracer.firearms.models import Firearm
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


def register(app: Flask) -> None:
    app.cli.add_command(tracing_cli)
