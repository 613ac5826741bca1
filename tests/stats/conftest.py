"""A small register whose figures are worked out by hand in the tests.

- FGE-SON (state 26): a pistol and a rifle seized 2025-03-14 in Hermosillo (26/030), a pistol
  seized 2025-05-02 in Nogales (26/043);
- FGE-JAL (state 14): a shotgun seized 2025-04-01 in Guadalajara (14/039);
- FGR: a pistol seized 2024-01-10 in Juárez (08/037).

Traces: Hermosillo pistol us_retail from Tucson, AZ (time to crime 400 days); Hermosillo rifle
us_retail from Houston, TX (2,000 days); Nogales pistol foreign; the shotgun no_trace; the 2024
pistol us_other from El Paso, TX (no purchase date).
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests import factories
from tracer.extensions import db


def _result(firearm, outcome, city=None, state=None, lat=None, lon=None, ttc=None):
    seized_on = firearm.seizure.seized_on
    fields = {"status": "no_trace" if outcome == "no_trace" else "completed", "outcome": outcome}
    if city:
        fields.update(ffl_name=f"{city} Guns", ffl_license=f"9-86-001-01-5A-{10000 + sum(map(ord, city)):05d}", ffl_city=city,
                      ffl_state=state, origin_latitude=lat, origin_longitude=lon, origin_source="gazetteer")
    if ttc is not None:
        fields.update(purchase_date=seized_on - timedelta(days=ttc), time_to_crime_days=ttc)
    return factories.trace_request(firearm, **fields)


@pytest.fixture
def register(ctx, reference_data):
    son = factories.case("FGE-SON")
    hermosillo = factories.seizure(son, firearms=[factories.firearm_values(),
                                                  factories.firearm_values(firearm_type="rifle", caliber="5.56mm")])
    nogales = factories.seizure(son, seized_on="2025-05-02", municipality="043", locality="Nogales",
                                latitude="31.3086", longitude="-110.9422")
    jal = factories.case("FGE-JAL")
    guadalajara = factories.seizure(jal, seized_on="2025-04-01", state="14", municipality="039",
                                    locality="Guadalajara", latitude="20.6597", longitude="-103.3496",
                                    firearms=[factories.firearm_values(firearm_type="shotgun", caliber="12 GA")])
    fgr = factories.case("FGR")
    juarez = factories.seizure(fgr, seized_on="2024-01-10", state="08", municipality="037", locality="Juárez",
                               latitude="31.7", longitude="-106.45")
    pistol, rifle = hermosillo.firearms
    _result(pistol, "us_retail", "Tucson", "AZ", 32.22174, -110.92648, ttc=400)
    _result(rifle, "us_retail", "Houston", "TX", 29.76328, -95.36327, ttc=2000)
    _result(nogales.firearms[0], "foreign")
    _result(guadalajara.firearms[0], "no_trace")
    _result(juarez.firearms[0], "us_other", "El Paso", "TX", 31.75872, -106.48693)
    db.session.commit()
    return {"son": son, "jal": jal, "fgr": fgr, "today": date.today()}
