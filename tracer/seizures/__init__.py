"""Seizures (aseguramientos): the event, its place and circumstances, and CSV import."""
