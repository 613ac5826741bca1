"""``flask reference load-rifling``: the shipped rifling table into the database."""
from __future__ import annotations

import click

from tracer.extensions import db
from tracer.firearms.cli import reference_cli


@reference_cli.command("load-rifling")
def load_rifling():
    """Add the shipped rows of the rifling table that are missing (idempotent; rows
    administrators corrected or retired stay as they are)."""
    from tracer.ballistics.rifling_admin import load_shipped_specs

    counts = load_shipped_specs()
    db.session.commit()
    click.echo(f"rifling specs: {counts['total']} ({counts['created']} new)")
    if counts["skipped"]:
        click.echo(f"rows left out, their caliber is not in the reference list: {counts['skipped']}")
