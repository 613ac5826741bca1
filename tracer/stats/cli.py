"""``flask stats rebuild``: recount the dashboards' counters from the registers."""
from __future__ import annotations

import time

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_babel import force_locale

from tracer.audit.services import record
from tracer.core.translation import gettext as _
from tracer.extensions import db
from tracer.stats import rollups

stats_cli = AppGroup("stats", help="Dashboard counters.")


@stats_cli.command("rebuild")
@click.option("--lang", type=click.Choice(["es", "en"]), default=None,
              help="Language of the answer (default: the installation's).")
def rebuild(lang):
    """Recount every counter of the dashboards, the map and stats/summary from the registers
    (the triggers keep them; this repairs them after a load that went around them)."""
    started = time.perf_counter()
    with force_locale(lang or current_app.config["BABEL_DEFAULT_LOCALE"]):
        rollups.refill(db.session.connection())
        record("stats.rebuild", object_type="stats", details={"tables": [r.table for r in rollups.ROLLUPS]})
        db.session.commit()
        click.echo(_("Dashboard counters recounted: %(tables)d tables in %(seconds).1f s.",
                     tables=len(rollups.ROLLUPS), seconds=time.perf_counter() - started))


def register(app: Flask) -> None:
    app.cli.add_command(stats_cli)
