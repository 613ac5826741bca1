"""The shipped makers, calibers and rifling table, loaded for a test (rolled back after it)."""
from __future__ import annotations

import pytest

from tracer.ballistics.rifling_admin import load_shipped_specs
from tracer.extensions import db
from tracer.firearms.reference import load_reference_data


@pytest.fixture
def rifling_table(ctx):
    load_reference_data()
    counts = load_shipped_specs()
    db.session.commit()
    return counts
