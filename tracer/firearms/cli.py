"""``flask reference load``: the shipped makers and calibers into the database."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from tracer.core.demo import add_demo_step
from tracer.extensions import db

reference_cli = AppGroup("reference", help="Reference makers and calibers.")


@reference_cli.command("load")
def load():
    """Create the shipped makers, calibers and aliases that are missing (idempotent;
    nothing an administrator added is changed or removed)."""
    from tracer.firearms.reference import load_reference_data

    counts = load_reference_data()
    db.session.commit()
    click.echo(f"manufacturers: {counts['manufacturers']} ({counts['manufacturers_created']} new), "
               f"aliases: {counts['manufacturer_aliases']} ({counts['manufacturer_aliases_created']} new)")
    click.echo(f"calibers: {counts['calibers']} ({counts['calibers_created']} new), "
               f"aliases: {counts['caliber_aliases']} ({counts['caliber_aliases_created']} new)")
    if counts["conflicts"]:
        click.echo(f"aliases left with another row (already in use): {counts['conflicts']}")


def seed_demo_reference(firearms: int, seed: int) -> None:
    """The shipped makers and calibers, first of the demo (``flask seed-demo``)."""
    from tracer.firearms.reference import load_reference_data

    load_reference_data()


def register(app: Flask) -> None:
    app.cli.add_command(reference_cli)
    add_demo_step(app, seed_demo_reference, order=10)
