"""What the networks room adds at start-up: its pages, the case page's "linked cases" panel,
its words in templates, and its demo step (a straw-purchasing ring)."""
from __future__ import annotations

import click
from flask import Flask, render_template
from flask_login import current_user
from markupsafe import Markup

from tracer.core.demo import add_demo_step
from tracer.core.panels import add_panel
from tracer.networks.labels import register_filters
from tracer.networks.views import PANEL_READERS, bp


def case_panel(case) -> Markup | None:
    """"Linked cases", drawn after the page: a case may be linked to hundreds of others, and the
    page is read before they are. The panel asks for them (``networks.linked_cases``) as soon as
    the page is shown; without scripts its link opens them as a page of their own."""
    if current_user.role not in PANEL_READERS:
        return None
    # Safe for B704: an autoescaped template, rendered.
    return Markup(render_template("networks/_case_panel_pending.html", case=case))  # nosec B704


def seed_demo_ring(_firearms: int, _seed: int) -> None:
    from tracer.networks.demo import seed_ring

    click.echo(seed_ring())


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    register_filters(app)
    add_panel(app, "case", case_panel, order=30)
    # After the accounts and the traces (40), before the people step (42), which counts the people
    # the demo holds: the ring's buyer is one of them.
    add_demo_step(app, seed_demo_ring, order=41)
