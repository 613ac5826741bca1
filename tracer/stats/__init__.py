"""Dashboards, the map and the summary of seizures and traces over a user's scope."""
