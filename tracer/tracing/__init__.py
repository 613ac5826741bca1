"""Tracing: trace readiness, trace requests and results, time to crime."""
