"""Fixtures of the tracing tests."""
from __future__ import annotations

import pytest

from tracer.extensions import db
from tracer.firearms.reference import load_reference_data


@pytest.fixture
def reference_data(ctx):
    """The shipped makers and calibers, loaded and committed (rolled back after the test)."""
    counts = load_reference_data()
    db.session.commit()
    return counts
