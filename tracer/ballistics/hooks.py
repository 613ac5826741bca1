"""What the ballistics room adds to the rooms below it, at start-up: its panels on the case,
firearm and seizure pages, its photos served like the firearms' files, and its demo step."""
from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import exists

from tracer.ballistics.models import BallisticItem, Scene
from tracer.ballistics.panels import case_panel, firearm_panel, seizure_panel
from tracer.core.demo import add_demo_step
from tracer.core.panels import add_contents, add_panel


def seed_demo_ballistics(_firearms: int, _seed: int) -> None:
    from tracer.ballistics.demo import seed_ballistics

    click.echo(seed_ballistics().line())


def init_app(app: Flask) -> None:
    add_panel(app, "case", case_panel, order=20)
    add_contents(app, "case", "scenes", lambda case_id: exists().where(Scene.case_id == case_id))
    add_contents(app, "case", "ballistic_items", lambda case_id: exists().where(BallisticItem.case_id == case_id))
    add_panel(app, "firearm", firearm_panel, order=40)
    add_contents(app, "firearm", "ballistic_items", lambda firearm_id: exists().where(
        BallisticItem.firearm_id == firearm_id))
    add_panel(app, "seizure", seizure_panel, order=20)
    add_contents(app, "seizure", "ballistic_items", lambda seizure_id: exists().where(
        BallisticItem.seizure_id == seizure_id))
    # After the traces (40), before the searches that leave deconfliction notices (50).
    add_demo_step(app, seed_demo_ballistics, order=45)
