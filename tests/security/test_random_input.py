"""Random Unicode into every form of the web pages and every JSON body of the API.

Control characters, NUL, right-to-left marks, very long strings and markup go into every field
of every state-changing page (posted with the CSRF token of the page that holds the form, by a
user of a role the page admits) and into every property of every API body. Whatever comes back:
never a server error, and what is sent never comes back as markup in a page (a ``<script>``
written into a field is shown escaped). The draws are derandomized and bounded.
"""
from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests import factories
from tests.conftest import CSRF_INPUT, Browser
from tests.core.test_access_matrix import ACCESS, PUBLIC
from tracer.auth import tokens
from tracer.extensions import db
from tracer.people.models import CasePerson, PersonDuplicate

pytestmark = pytest.mark.security

MARKUP = "<script>tracer-fuzz()</script>"
# Tried first in every field, whatever is drawn after: NUL (which PostgreSQL text cannot hold) and markup.
NUL_AND_MARKUP = "\x00" + MARKUP
# Roles tried for a page, in order: the first the page admits walks it.
WALKERS = ("analyst", "supervisor", "officer", "liaison", "admin", "auditor")
FIELD_NAME = re.compile(r'<(?:input|textarea|select)\b[^>]*\bname="([^"]+)"')
PATH_ID = re.compile(r"<(?:\w+:)?(\w+)>")
# Pages that end the walker's session or need a second factor mid-sign-in: their forms are walked
# by the tests of the auth room.
NOT_WALKED = {"auth.logout", "auth.mfa_verify", "auth.mfa_setup"}

_TEXT = st.text(st.characters(codec="utf-8"), max_size=40)
_SPECIAL = st.sampled_from(["\x00", "\u202e\u2066abc\u2069", "\u200b", "\ufeff", "\r\n\t", "\U0010fffd",
                            "שלום عربى", "' OR 1=1 --", '"><img src=x onerror=alert(1)>', MARKUP])
_LONG = st.builds(lambda char, times: char * times, st.characters(codec="utf-8"), st.integers(1000, 20000))
VALUES = st.one_of(_TEXT, _SPECIAL, _LONG, _TEXT.map(lambda text: MARKUP + text))
FUZZ = settings(max_examples=5, derandomize=True, database=None, deadline=None,
                phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))


@pytest.fixture
def world(app):
    """Walkers of every role (FGR; the liaison in ATF-MX) and records of their scope to act on."""
    with app.app_context():
        federal = factories.agency("FGR")
        walkers = {role: factories.user(role, federal if role != "liaison" else factories.agency("ATF-MX"))
                   for role in WALKERS}
        owner = factories.user("officer", federal)
        case = factories.case(federal, owner)
        seizure = factories.seizure(case, owner)
        firearm = seizure.firearms[0]
        photo = factories.photo(firearm, owner)
        request = factories.trace_request(firearm)
        link = factories.firearm_link(factories.firearm(seizure), firearm)
        scene = factories.scene(case, created_by_id=owner.id)
        item = factories.ballistic_item(scene)
        person = factories.person(case, last_names="Pérez", birth_date="1990-01-01")
        other = factories.person(case, last_names="Perez", birth_date="1990-01-01")
        role_id = db.session.scalar(select(CasePerson.id).where(CasePerson.person_id == person.id))
        pair_id = db.session.scalar(select(PersonDuplicate.id).where(PersonDuplicate.person_b_id == other.id))
        target = factories.user("officer", federal)
        api_tokens = {role: tokens.issue_token(user, "fuzz")[1] for role, user in walkers.items()}
        db.session.commit()
        return {
            "usernames": {role: user.username for role, user in walkers.items()},
            "tokens": api_tokens,
            "args": {"user_id": target.id, "agency_id": federal.id, "token_id": 999999,
                     "manufacturer_id": 999999, "caliber_id": 999999, "spec_id": 999999,
                     "case_id": case.id, "seizure_id": seizure.id, "firearm_id": firearm.id,
                     "attachment_id": photo.id, "trace_request_id": request.id, "link_id": link.id,
                     "scene_id": scene.id, "item_id": item.id, "person_id": person.id, "other_id": other.id,
                     "pair_id": pair_id, "case_person_id": role_id, "share_id": 999999,
                     "assignment_id": 999999, "chart": "months", "fmt": "graphml"},
        }


def _url(rule: str, args: dict) -> str:
    return PATH_ID.sub(lambda match: str(args[match.group(1)]), rule)


def _walker(endpoint: str) -> str | None:
    allowed = ACCESS[endpoint]
    if allowed == PUBLIC:
        return None
    return next(role for role in WALKERS if role in allowed)


def _form_page(client, url: str, has_get: bool, signed_in: bool) -> str:
    """The page that holds the form posted to ``url``: itself, or the nearest page above it."""
    candidates = [url] if has_get else []
    parts = url.rstrip("/").split("/")
    candidates += ["/".join(parts[:end]) for end in range(len(parts) - 1, 1, -1)]
    for candidate in candidates:
        response = client.get(candidate)
        if response.status_code == 200 and CSRF_INPUT.search(response.get_data(as_text=True)):
            return response.get_data(as_text=True)
    return client.get("/auth/profile" if signed_in else "/auth/notice").get_data(as_text=True)


def _problems(where: str, response) -> list[str]:
    if response.status_code >= 500:
        return [f"{where}: {response.status_code}"]
    if response.mimetype == "text/html" and "<script>tracer-fuzz" in response.get_data(as_text=True):
        return [f"{where}: the markup sent came back unescaped"]
    return []


def test_every_form_takes_any_text(app, world):
    problems: list[str] = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "POST" not in rule.methods or rule.rule.startswith("/api/") or rule.endpoint in NOT_WALKED:
            continue
        role = _walker(rule.endpoint)
        client = app.test_client()
        if role is not None:
            assert Browser(client).login(world["usernames"][role]).status_code == 302
        else:
            Browser(client).accept_notice()
        url = _url(rule.rule, world["args"])
        page = _form_page(client, url, "GET" in rule.methods, role is not None)
        token = CSRF_INPUT.search(page).group(1)
        names = sorted(set(FIELD_NAME.findall(page)) - {"csrf_token"})

        @FUZZ
        @example(values=[NUL_AND_MARKUP] * len(names))
        @given(values=st.lists(VALUES, min_size=len(names), max_size=len(names)))
        def post(values):
            response = client.post(url, data={"csrf_token": token, **dict(zip(names, values))})
            problems.extend(_problems(f"POST {url} as {role or 'anonymous'}", response))

        post()
    assert problems == []


def test_every_api_body_takes_any_json(app, client, world):
    document = client.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    problems: list[str] = []
    for path, item in sorted(document["paths"].items()):
        for method, operation in sorted(item.items()):
            if "requestBody" not in operation:
                continue
            reference = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            names = sorted(schemas[reference.rsplit("/", 1)[1]].get("properties", {}))
            role = next(role for role in WALKERS if role in operation["x-roles"])
            url = re.sub(r"\{(\w+)\}", lambda match: str(world["args"][match.group(1)]), path)
            headers = {"Authorization": f"Bearer {world['tokens'][role]}"}
            json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | VALUES,
                                       lambda inner: st.lists(inner, max_size=3)
                                       | st.dictionaries(_TEXT, inner, max_size=3), max_leaves=6)

            @FUZZ
            @example(body=dict.fromkeys(names, NUL_AND_MARKUP))
            @given(body=st.fixed_dictionaries({}, optional={name: json_values for name in names}))
            def send(body):
                response = client.open(url, method=method.upper(), json=body, headers=headers)
                if response.status_code >= 500 or response.mimetype != "application/json":
                    problems.append(f"{method.upper()} {url} as {role}: {response.status_code} {response.mimetype}")

            send()
    assert problems == []


# Query parameters the pages and lists read, by name (each route ignores those it does not read).
QUERY_NAMES = ("q", "page", "per_page", "cursor", "status", "priority", "mode", "manufacturer", "state", "from",
               "to", "direction", "reference", "serial", "year", "us_state", "kind", "case_id", "item_id", "lang",
               "paper", "version", "depth", "notes", "events", "created_from", "recovered_to", "caliber", "lands")


def test_every_page_and_list_takes_any_query_text(app, world):
    """Every GET route, by a role it admits, with random text (NUL and control characters included)
    in every query parameter the pages read: never a server error, never the markup unescaped."""
    problems: list[str] = []
    clients: dict = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint in ("static", "api.openapi"):
            continue
        role = _walker(rule.endpoint)
        api = rule.rule.startswith("/api/")
        if role not in clients:
            clients[role] = app.test_client()
            if role is not None:
                assert Browser(clients[role]).login(world["usernames"][role]).status_code == 302
        client, url = clients[role], _url(rule.rule, world["args"])
        headers = {"Authorization": f"Bearer {world['tokens'][role]}"} if api and role else {}

        @settings(FUZZ, max_examples=3)
        @example(values=[NUL_AND_MARKUP] * len(QUERY_NAMES))
        @given(values=st.lists(VALUES, min_size=len(QUERY_NAMES), max_size=len(QUERY_NAMES)))
        def read(values):
            response = client.get(url, query_string=dict(zip(QUERY_NAMES, values)), headers=headers)
            problems.extend(_problems(f"GET {url} as {role or 'anonymous'}", response))

        read()
    assert problems == []
