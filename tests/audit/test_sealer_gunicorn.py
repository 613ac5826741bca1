"""In production the gunicorn master starts the sealer beside its workers (gunicorn.conf.py):
events a request appends are chained moments later, and the head file it publishes lets
``audit verify --expect-head`` check the chain."""
from __future__ import annotations

import json
import time

import pytest

from tests.core.test_fresh_install import served  # noqa: F401  (a fixture)
from tests.processes import blank_postgres, call, flask_command, production_env  # noqa: F401
from tracer import ROOT


HEAD_FILE = ROOT / "instance" / "audit-head"  # where the sealer gunicorn starts publishes, by default


@pytest.fixture
def no_head_file():
    HEAD_FILE.unlink(missing_ok=True)


def test_gunicorn_starts_the_sealer_that_chains_what_requests_append(no_head_file, served, blank_postgres):
    base, token = served
    status, answer = call(base, "POST", "/api/v1/cases", token, {"title": "Revisión en garita de Sonoyta"})
    assert status == 201, answer

    deadline = time.monotonic() + 30
    while True:
        status, answer = call(base, "GET", "/api/v1/health")
        health = json.loads(answer)
        if status == 200 and health["audit_unsealed"] == 0:
            break
        assert time.monotonic() < deadline, f"the events were not sealed: {health}"
        time.sleep(0.2)

    env = production_env(blank_postgres)
    head_file = HEAD_FILE
    deadline = time.monotonic() + 30
    while True:  # the sealer publishes after the pass that sealed the case's events
        verified = flask_command(env, "audit", "verify", "--expect-head", str(head_file))
        if "unsealed: 0 events" in verified and verified.splitlines()[-1] == f"head: {head_file.read_text().strip()}":
            break
        assert time.monotonic() < deadline, verified
        time.sleep(0.2)
    assert int(head_file.read_text().split(":")[0]) >= 3  # agency, users, token, case: all in the chain
