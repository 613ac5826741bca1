"""Tracing: trace readiness, trace requests and results, serial search, time to crime."""
