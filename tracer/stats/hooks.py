"""What the stats room adds to the rooms below it, at start-up: its demo step and its command."""
from __future__ import annotations

from flask import Flask

from tracer.core.demo import add_demo_step
from tracer.stats import cli
from tracer.stats.demo import seed_demo_route


def init_app(app: Flask) -> None:
    # After every room's own demo records (ballistics is 45).
    add_demo_step(app, seed_demo_route, order=60)
    cli.register(app)
