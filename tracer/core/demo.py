"""The steps of ``flask seed-demo``: each room adds the demo records it owns, at start-up.

A step is ``run(firearms, seed)`` (how many firearms were asked for, the random seed); it
commits what it writes and prints its own summary. Steps run in ``order``.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app

EXTENSION = "tracer.demo_steps"

DemoStep = Callable[[int, int], None]


def add_demo_step(app: Flask, run: DemoStep, *, order: int) -> None:
    """Run ``run`` when the demo is seeded, after every step of a lower ``order``."""
    steps = app.extensions.setdefault(EXTENSION, [])
    steps.append((order, len(steps), run))
    steps.sort(key=lambda step: step[:2])


def demo_steps() -> list[DemoStep]:
    """The steps of the current application, in order."""
    return [run for _order, _added, run in current_app.extensions.get(EXTENSION, [])]
