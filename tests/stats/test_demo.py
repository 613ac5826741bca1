"""The demo's route for the map: pistols seized in Nogales, traced to a Tucson dealer."""
from __future__ import annotations

from tests import factories
from tracer.auth.demo import seed_accounts
from tracer.auth.services import user_by_username
from tracer.extensions import db
from tracer.stats.demo import DONE, seed_route
from tracer.stats.filters import StatsFilters
from tracer.stats.map_data import map_layers


def test_the_demo_records_the_tucson_nogales_route_once(ctx, reference_data):
    seed_accounts()
    factories.case("FGE-SON")
    db.session.commit()
    assert seed_route() == seed_route() == DONE
    layers = map_layers(user_by_username("supervisor.son"), StatsFilters())
    routes = [(c["from"]["city"], c["to"]["state"] + c["to"]["municipality"], c["count"]) for c in layers["corridors"]]
    assert routes == [("Tucson", "26043", 2)]
