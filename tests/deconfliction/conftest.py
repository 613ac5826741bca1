"""Two states that hold each other's matches: Sonora records Glocks, Jalisco searches for them."""
from __future__ import annotations

import pytest

from tests import factories
from tests.tracing.helpers import READY
from tracer.deconfliction.budget import EXTENSION, DisclosureBudget
from tracer.extensions import db

SERIAL = "KSB20613X"


@pytest.fixture
def hidden_glock(reference_data):
    """A Sonora Glock 19: outside the scope of every Jalisco user."""
    firearm = factories.seizure(factories.case("FGE-SON"), firearms=[{**READY, "serial_number": SERIAL}]).firearms[0]
    db.session.commit()
    return firearm


@pytest.fixture
def budget_of(app):
    """``budget_of(n)``: every user may receive ``n`` disclosures an hour for this test."""
    saved = app.extensions[EXTENSION]

    def set_budget(per_hour: int) -> DisclosureBudget:
        app.extensions[EXTENSION] = DisclosureBudget("memory://", per_hour)
        return app.extensions[EXTENSION]

    yield set_budget
    app.extensions[EXTENSION] = saved
