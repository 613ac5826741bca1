"""The officials of ``make loadtest`` (``tests/load/run.py`` prepares them and reads the results).

Four kinds of official, each signing in once through the sign-in form (notice, then name and
password, with the form's CSRF token) and then working as they do at a desk:

- officers record seizures with a firearm through the seizure form (the municipality list
  fetched as the form's script does), open their cases and, now and then, import a small CSV
  file (5 to 20 rows) through the import page;
- analysts search serials (page and API, exact and partial, serials that are in the register),
  open firearm and case pages and walk the case list page by page;
- liaisons (ATF-MX) open their queue of trace requests, open a request, mark it in progress and
  enter its result;
- supervisors read the dashboard, the map, the review queue, a case page and its report.

Weights (officer 8, analyst 7, liaison 2, supervisor 3, ``run.ROLE_WEIGHTS``): officers are
most of the users of a seizure register, analysts about as many in the state prosecutors'
offices, the ATF office has a few liaisons for the whole country and a supervisor oversees
several officers and analysts.

Think time: 10 to 30 seconds between actions (some actions are several requests: a seizure is
the form, its municipality list and the POST). An official reads the page, compares a serial
with the firearm on the desk, types the next field: tens of seconds between page loads is
ordinary at a busy desk, and a seizure form takes minutes to fill, so each simulated official
works at least as fast as a real one.

Every request is named by its route (``GET /firearms/<id>``), so the tables group by page. An
answer other than the one the page gives a user who did nothing wrong is a failure, with its
kind: ``HTTP 500``, ``HTTP 302 to /auth/login`` (the session was lost), ``connection: …``.
Writes never collide: each officer records into cases of their own, each liaison works trace
requests no other liaison is given (``run.prepare``), so no 409 is expected and none is excused.

``tests/load/phases.py`` drives the phases and records what each one measured.
"""
from __future__ import annotations

import csv
import io
import itertools
import random
import re
import sys
import uuid
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from urllib.parse import urlencode

from locust import FastHttpUser, between, events, task

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.load.phases import PLAN, Phases  # noqa: E402,F401  (locust finds the shape class here)
from tracer.firearms.serials import normalize_serial  # noqa: E402
from tracer.search.query import is_lookalike_run  # noqa: E402
from tracer.seizures.demo_data import firearm_values, sample_rows  # noqa: E402
from tracer.seizures.importing_csv import COLUMNS  # noqa: E402

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
OPTION = re.compile(r'<option value="([^"]+)"')
VERSION = re.compile(r'name="version"[^>]*value="(\d+)"')
NEXT = re.compile(r'href="([^"]*cursor=[^"]*)" rel="next"')
NUMBER = re.compile(r"\d+")
# The seizure form's types are codes; the sample rows use the words officers write.
TYPE_CODES = {"pistola": "pistol", "revólver": "revolver", "revolver": "revolver", "fusil": "rifle",
              "rifle": "rifle", "escopeta": "shotgun", "subametralladora": "submachine_gun",
              "ametralladora": "machine_gun", "receptor": "receiver_frame", "otro": "other"}


# --- what every official does -----------------------------------------------------------------

def _route(location: str) -> str:
    path = location.split("://", 1)[-1]
    path = path[path.find("/"):] if "://" in location else path
    return NUMBER.sub("<id>", path.split("?", 1)[0].split("#", 1)[0])


def judge(response, expected=(200,), location: str | None = None) -> bool:
    """Mark ``response`` (a ``catch_response`` answer) a success or a failure with its kind."""
    status = response.status_code or 0
    where = response.headers.get("Location") or "" if status else ""
    if status == 0:
        error = getattr(response, "error", None)
        cause = getattr(error, "original", None)  # what the client met: a timeout, a reset
        response.failure(f"connection: {type(error).__name__ if error else 'no answer'}"
                         + (f" ({type(cause).__name__})" if cause is not None else ""))
        return False
    if status not in expected or (location and not re.search(location, where)):
        response.failure(f"HTTP {status}" + (f" to {_route(where)}" if where else ""))
        return False
    response.success()
    return True


class LoopbackCookies(DefaultCookiePolicy):
    """The session cookie is Secure and the server is reached over loopback HTTP (in production
    TLS ends at the load balancer): the cookie is sent all the same."""

    def return_ok_secure(self, cookie, request):
        return True


class Official(FastHttpUser):
    abstract = True
    wait_time = between(10, 30)
    role = ""
    _numbers: dict = {}

    def on_start(self):
        accounts = PLAN["accounts"][self.role]
        counter = Official._numbers.setdefault(self.role, itertools.count())
        self.number = next(counter)
        self.account = accounts[self.number % len(accounts)]
        self.rng = random.Random(f"{PLAN['seed']}:{self.role}:{self.number}")
        self.csrf = ""
        self.client.cookiejar.set_policy(LoopbackCookies())
        self.signed_in = self.sign_in()

    def sign_in(self) -> bool:
        """The notice, then the sign-in form, as a browser sends them."""
        with self.client.get("/auth/notice", name="GET /auth/notice", catch_response=True, allow_redirects=False) as page:
            if not judge(page):
                return False
            token = CSRF.search(page.text or "")
        with self.client.post("/auth/notice", data=urlencode({"csrf_token": token.group(1) if token else ""}),
                              headers=FORM, name="POST /auth/notice", catch_response=True,
                              allow_redirects=False) as done:
            if not judge(done, (302,)):
                return False
        with self.client.get("/auth/login", name="GET /auth/login", catch_response=True, allow_redirects=False) as page:
            if not judge(page):
                return False
            token = CSRF.search(page.text or "")
        body = {"csrf_token": token.group(1) if token else "", "username": self.account["username"],
                "password": PLAN["password"]}
        with self.client.post("/auth/login", data=urlencode(body), headers=FORM, name="POST /auth/login",
                              catch_response=True, allow_redirects=False) as done:
            if not judge(done, (302,)):
                return False
        return True

    def page(self, path: str, name: str, expected=(200,), **kw) -> str | None:
        """GET a page as the user; its text, or None when it failed."""
        with self.client.get(path, name=name, catch_response=True, allow_redirects=False, **kw) as answer:
            if not judge(answer, expected):
                return None
            text = answer.text or ""
            token = CSRF.search(text)
            if token:
                self.csrf = token.group(1)
            return text

    def post(self, path: str, body: dict, name: str, location: str) -> str | None:
        """POST a form (CSRF token included); the page it sends the browser to, or None."""
        with self.client.post(path, data=urlencode({"csrf_token": self.csrf, **body}), headers=FORM, name=name,
                              catch_response=True, allow_redirects=False) as answer:
            if not judge(answer, (302,), location):
                return None
            return answer.headers.get("Location")

    def ready(self) -> bool:
        if not self.signed_in:
            self.signed_in = self.sign_in()
        return self.signed_in

    def open_case(self, case_id: int) -> None:
        """A case page, then its linked cases, which the page asks for once shown."""
        body = self.page(f"/cases/{case_id}", "GET /cases/<id>")
        if body and f"/cases/{case_id}/linked-cases" in body and 'hx-trigger="load"' in body:
            self.page(f"/cases/{case_id}/linked-cases", "GET /cases/<id>/linked-cases")


class Officer(Official):
    weight = 8
    role = "officer"

    def on_start(self):
        super().on_start()
        self.recorded = itertools.count(1)

    @task(6)
    def record_seizure(self):
        """The seizure form: one firearm, the place chosen from the state's municipalities."""
        if not self.ready():
            return
        case_id = self.rng.choice(self.account["cases"])
        if self.page(f"/seizures/new?case_id={case_id}", "GET /seizures/new") is None:
            return
        state = self.seizure_state()
        options = self.page(f"/seizures/municipalities?state={state}", "GET /seizures/municipalities",
                            headers={"HX-Request": "true"})
        if options is None:
            return
        municipalities = OPTION.findall(options)
        firearm = firearm_values(self.rng)
        body = {"case_id": str(case_id), "seized_on": f"2025-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}",
                "seized_time": f"{self.rng.randint(0, 23):02d}:{self.rng.choice(('00', '15', '30', '45'))}",
                "agency": self.account["agency"], "seizure_ref": f"C-{self.number}-{next(self.recorded)}",
                "state": state, "municipality": self.rng.choice(municipalities) if municipalities else "",
                "locality": "", "address": "Carretera federal, km %d" % self.rng.randint(1, 200), "latitude": "",
                "longitude": "", "coordinate_source": "", "circumstances": "Revisión en punto de control.",
                "operation_name": "", "crime_category": "", "magazines_count": str(self.rng.randint(0, 4)),
                "cartridges_count": str(self.rng.randint(0, 120))}
        for name, value in firearm.items():
            if name == "firearm_type":
                value = TYPE_CODES.get(value, value)
            body[f"firearms-0-{name}"] = value
        body["firearms-0-condition"] = self.rng.choice(("good", "worn", "damaged"))
        body["firearms-0-markings"] = ""
        saved = self.post("/seizures/new", body, "POST /seizures/new", r"/seizures/\d+$")
        if saved:
            self.page(saved, "GET /seizures/<id>")

    def seizure_state(self) -> str:
        """A state agency seizes in its state; a federal one anywhere."""
        return self.account["state"] or f"{self.rng.randint(1, 32):02d}"

    @task(3)
    def open_own_case(self):
        if self.ready():
            self.open_case(self.rng.choice(self.account["cases"]))

    @task(1)
    def import_file(self):
        """A small CSV file (5 to 20 firearms) through the import page."""
        if not self.ready() or self.page("/seizures/import", "GET /seizures/import") is None:
            return
        rows = self.rng.randint(5, 20)
        prefix = f"CARGA-{self.number}-{uuid.uuid4().hex[:8]}"
        out = io.StringIO(newline="")
        writer = csv.DictWriter(out, fieldnames=COLUMNS + ("restored_serial",), lineterminator="\n",
                                extrasaction="ignore")
        writer.writeheader()
        state = self.account["state"]
        for row in sample_rows(rows, self.rng.randrange(1 << 30), prefix=prefix, agencies=(self.account["agency"],)):
            if state:
                row = {**row, "state": state, "municipality": "", "latitude": "", "longitude": ""}
            writer.writerow(row)
        boundary = uuid.uuid4().hex
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{self.csrf}\r\n',
                 f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{prefix}.csv"\r\n'
                 f"Content-Type: text/csv\r\n\r\n{out.getvalue()}\r\n", f"--{boundary}--\r\n"]
        with self.client.post("/seizures/import", data="".join(parts).encode(), name="POST /seizures/import",
                              headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
                              catch_response=True, allow_redirects=False) as answer:
            judge(answer)  # 200 with the report; a file with a row in error is refused whole (422)


class Analyst(Official):
    weight = 7
    role = "analyst"

    def _firearm(self) -> tuple[int, str]:
        samples = PLAN["samples"]
        agency = self.rng.choice(list(samples)) if self.account["federal"] else self.account["agency"]
        firearm_id, serial = self.rng.choice(samples[agency]["firearms"])
        return firearm_id, serial

    def _case(self) -> int:
        samples = PLAN["samples"]
        agency = self.rng.choice(list(samples)) if self.account["federal"] else self.account["agency"]
        return self.rng.choice(samples[agency]["cases"])

    def _query(self) -> tuple[str, str]:
        """A serial of the register, exact, or five of its characters, as an analyst who
        reads only part of it searches. A part the search refuses (characters that all look
        alike, such as 00000) is not what an analyst types: the serial is searched whole."""
        _id, serial = self._firearm()
        known = normalize_serial(serial)
        ending = self.rng.random() < .5
        piece = known[-5:] if ending else known[:5]
        if self.rng.random() < .6 or len(piece) < 5 or is_lookalike_run(piece):
            return serial, "exact"
        return ("*" + piece if ending else piece + "*"), "partial"

    @task(4)
    def search_page(self):
        if self.ready():
            serial, mode = self._query()
            self.page("/search/serial?" + urlencode({"q": serial, "mode": mode}), f"GET /search/serial ({mode})")

    @task(2)
    def search_api(self):
        serial, mode = self._query()
        with self.client.get("/api/v1/search/serial?" + urlencode({"q": serial, "mode": mode}),
                             name=f"GET /api/v1/search/serial ({mode})", catch_response=True, allow_redirects=False,
                             headers={"Authorization": f"Bearer {self.account['token']}"}) as answer:
            judge(answer)

    @task(3)
    def firearm_page(self):
        if self.ready():
            firearm_id, _serial = self._firearm()
            self.page(f"/firearms/{firearm_id}", "GET /firearms/<id>")

    @task(2)
    def case_page(self):
        if self.ready():
            self.open_case(self._case())

    @task(2)
    def case_list(self):
        """The case list, then one to three further pages by its "Next" link."""
        if not self.ready():
            return
        body = self.page("/cases", "GET /cases")
        for _ in range(self.rng.randint(1, 3)):
            link = NEXT.search(body or "")
            if not link:
                return
            body = self.page(link.group(1).replace("&amp;", "&"), "GET /cases?cursor=<next>")


class Liaison(Official):
    weight = 2
    role = "liaison"

    def on_start(self):
        super().on_start()
        self.traces = iter(self.account["traces"])

    @task(2)
    def queue(self):
        if self.ready():
            self.page("/trace-requests", "GET /trace-requests")

    @task(3)
    def enter_result(self):
        """Open the next request of their own, mark it in progress, enter what the trace found."""
        if not self.ready():
            return
        trace_id = next(self.traces, None)
        if trace_id is None:
            return
        path = f"/trace-requests/{trace_id}"
        body = self.page(path, "GET /trace-requests/<id>")
        if body is None:
            return
        if f"{path}/open" in body:
            if not self.post(f"{path}/open", {}, "POST /trace-requests/<id>/open", rf"{path}$"):
                return
            body = self.page(path, "GET /trace-requests/<id>")
            if body is None:
                return
        version = VERSION.search(body)
        if not version:
            self._page_failure("page without the result form", "POST /trace-requests/<id>/result")
            return
        if self.rng.random() < .7:
            result = {"outcome": "us_retail", "ffl_name": "Lone Star Guns", "ffl_license": "5-74-201-01-4C-12345",
                      "ffl_street": "1200 Main St", "ffl_city": "Houston", "ffl_state": "TX", "ffl_zip": "77002",
                      "multiple_sale": "y" if self.rng.random() < .2 else ""}
        else:
            result = {"outcome": "no_trace", "no_trace_reason": self.rng.choice(("records_unavailable", "too_old"))}
        result = {key: value for key, value in result.items() if value}
        saved = self.post(f"{path}/result", {**result, "version": version.group(1)},
                          "POST /trace-requests/<id>/result", rf"{path}(#result)?$")
        if saved:
            self.page(path, "GET /trace-requests/<id>")

    def _page_failure(self, kind: str, name: str) -> None:
        events.request.fire(request_type="POST", name=name, response_time=0, response_length=0,
                            exception=Exception(f"page {kind}"), context={})


class Supervisor(Official):
    weight = 3
    role = "supervisor"

    def _case(self) -> int:
        samples = PLAN["samples"]
        agency = self.rng.choice(list(samples)) if self.account["federal"] else self.account["agency"]
        return self.rng.choice(samples[agency]["cases"])

    @task(3)
    def dashboard(self):
        if self.ready():
            self.page("/dashboard", "GET /dashboard")

    @task(2)
    def trafficking_map(self):
        if self.ready():
            self.page("/map", "GET /map")

    @task(2)
    def review_queue(self):
        if self.ready():
            self.page("/cases/review", "GET /cases/review")

    @task(2)
    def case_page(self):
        if self.ready():
            self.open_case(self._case())

    @task(1)
    def case_report(self):
        if self.ready():
            self.page(f"/cases/{self._case()}/report", "GET /cases/<id>/report")


