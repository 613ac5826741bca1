"""Places: INEGI states and municipalities, localities, US states and cities, state
outlines, countries, and geocoding through geopy (offline gazetteer or Nominatim)."""
