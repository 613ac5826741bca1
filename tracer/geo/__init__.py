"""Places: INEGI catalogue of Mexican states (and, later, municipalities and US places)."""
