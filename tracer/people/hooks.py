"""What the people room adds to the rooms below it, at start-up: its panel on the case page, its
card on the home page, and its demo step."""
from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import exists

from tracer.core.demo import add_demo_step
from tracer.core.panels import add_contents, add_panel
from tracer.people.models import CasePerson
from tracer.people.panels import case_panel, people_work


def seed_demo_people(_firearms: int, _seed: int) -> None:
    from tracer.people.demo import seed_people

    click.echo(seed_people())


def init_app(app: Flask) -> None:
    add_panel(app, "case", case_panel, order=15)
    add_contents(app, "case", "people", lambda case_id: exists().where(CasePerson.case_id == case_id))
    add_panel(app, "home", people_work, order=35)
    # After the cases and seizures (and the traces, 40), before ballistics (45).
    add_demo_step(app, seed_demo_people, order=42)
