"""The phases of ``make loadtest`` and what each one measured, for ``tests/load/run.py``.

The plan (TRACER_LOADTEST_PLAN, written by ``run.prepare``) says each phase's users, spawn rate
and seconds. Every answer, and every task that broke off, is counted in the phase during which
it ended; the results go to TRACER_LOADTEST_RESULTS when locust quits.
"""
from __future__ import annotations

import json
import os
import time
from collections import Counter
from pathlib import Path

import gevent
from locust import LoadTestShape, events

PLAN = json.loads(Path(os.environ["TRACER_LOADTEST_PLAN"]).read_text())
RESULTS_FILE = Path(os.environ["TRACER_LOADTEST_RESULTS"])
PHASES = PLAN["phases"]


class Phases(LoadTestShape):
    """Each phase's users, reached at its rate, for its seconds; then stop."""

    def tick(self):
        run_time, end = self.get_run_time(), 0.0
        for phase in PHASES:
            end += phase["seconds"]
            if run_time < end:
                return phase["users"], phase["rate"]
        return None


_shared = {"environment": None}
_measured = [{"label": phase["label"], "users": phase["users"], "seconds": phase["seconds"], "pages": {},
              "errors": Counter(), "user_samples": [], "load": None} for phase in PHASES]


def _phase_now() -> int:
    environment = _shared["environment"]
    shape = environment.shape_class if environment is not None else None
    run_time, end = (shape.get_run_time() if shape is not None else 0.0), 0.0
    for number, phase in enumerate(PHASES):
        end += phase["seconds"]
        if run_time < end:
            return number
    return len(PHASES) - 1  # answers to requests sent in the last moments count with the last phase


@events.init.add_listener
def _on_init(environment, **_kw):
    _shared["environment"] = environment


@events.request.add_listener
def _on_request(request_type, name, response_time, exception=None, **_kw):
    phase = _measured[_phase_now()]
    page = phase["pages"].setdefault(name, {"times": [], "failures": 0})  # names carry the method
    page["times"].append(response_time)
    if exception is not None:
        page["failures"] += 1
        phase["errors"][_kind(exception)] += 1


def _kind(exception) -> str:
    text = str(exception)
    if text.startswith(("HTTP ", "connection", "page ")):
        return text[:120]
    return f"connection: {type(exception).__name__}: {text[:80]}"


def _sample_users(environment) -> None:
    """Once a second: how many officials are at work; the load average as each phase ends."""
    last = 0
    while True:
        gevent.sleep(1)
        number = _phase_now()
        _measured[number]["user_samples"].append(environment.runner.user_count)
        if number != last:
            _measured[last]["load"] = " ".join(f"{value:.1f}" for value in os.getloadavg())
            last = number


@events.user_error.add_listener
def _on_user_error(user_instance, exception, tb, **_kw):
    """An exception in an official's task is an error of the run too (this file's, or an answer it
    could not read)."""
    _measured[_phase_now()]["errors"][f"script: {type(exception).__name__}: {str(exception)[:80]}"] += 1


@events.test_start.add_listener
def _on_start(environment, **_kw):
    gevent.spawn(_sample_users, environment)


@events.quitting.add_listener
def _on_quit(environment, **_kw):
    for phase in _measured:
        if phase["load"] is None:
            phase["load"] = " ".join(f"{value:.1f}" for value in os.getloadavg())
        samples = phase.pop("user_samples")
        phase["mean_users"] = sum(samples) / len(samples) if samples else 0
        phase["errors"] = dict(phase["errors"])
    RESULTS_FILE.write_text(json.dumps({"phases": _measured, "client_cpu_seconds": time.process_time()}))
