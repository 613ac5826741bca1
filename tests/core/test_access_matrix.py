"""Every route, every method, every role and an anonymous visitor.

The table below is the access contract, written by hand: a route added to the
application without a line here fails ``test_every_route_is_in_the_table``.
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests import factories
from tests.conftest import CSRF_INPUT, Browser
from tracer.auth import tokens
from tracer.extensions import db
from tracer.people.models import CasePerson, PersonDuplicate

PUBLIC = "public"
# Every account: the landing page, one's own profile, password and sign-out.
ACCOUNT = frozenset({"officer", "analyst", "supervisor", "liaison", "admin", "auditor"})
# Every role that works in the system: the auditor reads the audit trail and nothing else.
ALL = ACCOUNT - {"auditor"}
ADMIN = frozenset({"admin"})
AUDIT_READERS = frozenset({"admin", "auditor"})
CASE_READERS = frozenset({"officer", "analyst", "supervisor", "liaison"})
CASE_WRITERS = frozenset({"officer", "analyst", "supervisor"})

ACCESS = {
    "core.home": ACCOUNT,
    "core.set_language": PUBLIC,
    "core.favicon": PUBLIC,
    "auth.notice": PUBLIC,
    "auth.login": PUBLIC,
    "auth.mfa_verify": PUBLIC,
    "auth.mfa_setup": PUBLIC,
    "auth.after_enrolment": ACCOUNT,
    "auth.regenerate_recovery_codes": ACCOUNT,
    "auth.logout": ACCOUNT,
    "auth.change_password": ACCOUNT,
    "auth.profile": ACCOUNT,
    "auth.create_token": ALL,
    "auth.revoke_token": ALL,
    "admin.agencies": ADMIN,
    "admin.agency_new": ADMIN,
    "admin.agency_edit": ADMIN,
    "admin.users": ADMIN,
    "admin.user_new": ADMIN,
    "admin.user_edit": ADMIN,
    "admin.user_disable": ADMIN,
    "admin.user_enable": ADMIN,
    "admin.user_reset_mfa": ADMIN,
    "admin.user_end_sessions": ADMIN,
    "admin.user_reset_password": ADMIN,
    "audit.events": AUDIT_READERS,
    "api.health": PUBLIC,
    "api.openapi": PUBLIC,
    "api.me": ALL,
    "api.update_me": ALL,
    "reference.manufacturers": ADMIN,
    "reference.manufacturer_new": ADMIN,
    "reference.manufacturer": ADMIN,
    "reference.calibers": ADMIN,
    "reference.caliber_new": ADMIN,
    "reference.caliber": ADMIN,
    "rifling_admin.index": ADMIN,
    "rifling_admin.new": ADMIN,
    "rifling_admin.edit": ADMIN,
    "rifling_admin.set_active": ADMIN,
    "reference_lookup.suggest_manufacturers": frozenset({"officer", "analyst", "supervisor", "admin"}),
    "reference_lookup.suggest_calibers": frozenset({"officer", "analyst", "supervisor", "admin"}),
    "cases.index": CASE_READERS,
    "cases.new": CASE_WRITERS,
    "cases.detail": CASE_READERS,
    "cases.edit": CASE_WRITERS,
    "api.list_cases": CASE_READERS,
    "api.create_case": CASE_WRITERS,
    "api.get_case": CASE_READERS,
    "api.update_case": CASE_WRITERS,
    # The case workflow, the review queue, and the work on a case.
    "cases.transition": CASE_WRITERS,
    "cases.review": frozenset({"supervisor"}),
    "cases.add_note": CASE_WRITERS,
    "cases.add_document": CASE_WRITERS,
    "cases.share": CASE_WRITERS,
    "cases.revoke_share": CASE_WRITERS,
    "cases.assign": CASE_WRITERS,
    "cases.unassign": CASE_WRITERS,
    "api.transition_case": CASE_WRITERS,
    "seizures.new": CASE_WRITERS,
    "seizure_import.upload": CASE_WRITERS,
    "seizure_import.template": CASE_WRITERS,
    "seizures.detail": CASE_WRITERS,
    "seizures.municipalities": CASE_WRITERS,
    "maps.states_geojson": ALL,
    "firearms.detail": CASE_WRITERS,
    "firearms.edit": CASE_WRITERS,
    "firearms.add_custody": CASE_WRITERS,
    "firearms.print_custody": CASE_WRITERS,
    "attachments.firearm_photos": CASE_WRITERS,
    "attachments.seizure_photos": CASE_WRITERS,
    "attachments.download": CASE_WRITERS,
    "attachments.thumbnail": CASE_WRITERS,
    "api.create_seizure": CASE_WRITERS,
    "api.get_seizure": CASE_WRITERS,
    "api.get_firearm": CASE_WRITERS,
    "api.update_firearm": CASE_WRITERS,
    "api.list_custody": CASE_WRITERS,
    "api.add_custody": CASE_WRITERS,
    # Trace readiness and trace requests: lists, pages, backlog, exports, API.
    "tracing.request_firearm_trace": frozenset({"analyst", "supervisor"}),
    "tracing.index": CASE_READERS,
    "tracing.detail": CASE_READERS,
    "tracing.submit": frozenset({"analyst", "supervisor"}),
    "tracing.backlog": CASE_WRITERS,
    "tracing.backlog_request": frozenset({"analyst", "supervisor"}),
    "tracing.export_csv": CASE_READERS,
    "tracing.print_request": CASE_READERS,
    "api.firearm_readiness": CASE_WRITERS,
    "api.request_trace": frozenset({"analyst", "supervisor"}),
    "api.list_trace_requests": CASE_READERS,
    "api.get_trace_request": CASE_READERS,
    # Trace results: the liaison's form, upload and API.
    "tracing.record_result": frozenset({"liaison"}),
    "tracing.open_request": frozenset({"liaison"}),
    "tracing.import_results": frozenset({"liaison"}),
    "api.put_trace_result": frozenset({"liaison"}),
    "api.open_trace_request": frozenset({"liaison"}),
    "tracing.dealers": frozenset({"analyst", "supervisor"}),
    "api.list_dealers": frozenset({"analyst", "supervisor"}),
    # Serial-number search: the page and the API, one serial or a batch.
    "search.serial": CASE_WRITERS,
    "api.search_serial": CASE_WRITERS,
    "search.serial_batch": CASE_WRITERS,
    "search.serial_batch_csv": CASE_WRITERS,
    "api.search_serial_batch": CASE_WRITERS,
    # Possible same firearm: the analysts' list, a link side by side, the decision, the API.
    "tracing.links": frozenset({"analyst", "supervisor"}),
    "tracing.link_detail": CASE_WRITERS,
    "tracing.link_decide": frozenset({"analyst", "supervisor"}),
    "api.list_firearm_links": CASE_WRITERS,
    "api.decide_link": frozenset({"analyst", "supervisor"}),
    # Ballistics: rifling candidates (page and API).
    "rifling.search": frozenset({"analyst", "supervisor"}),
    "api.rifling_candidates": frozenset({"analyst", "supervisor"}),
    "ibis_import.upload": frozenset({"analyst"}),
    # Deconfliction notices: the agency's (analysts, supervisors) or one's own (officers, liaisons).
    "deconfliction.notices": CASE_READERS,
    "api.list_deconfliction": CASE_READERS,
    # Ballistics: scenes (officers and analysts write), items, leads and the examiners' decisions (analysts).
    "ballistics.new_scene": frozenset({"officer", "analyst"}),
    "ballistics.edit_scene": frozenset({"officer", "analyst"}),
    "ballistics.scene": CASE_WRITERS,
    "ballistics.new_item": frozenset({"analyst"}),
    "ballistics.edit_item": frozenset({"analyst"}),
    "ballistics.item": CASE_WRITERS,
    "ballistics.add_custody": frozenset({"analyst"}),
    "ballistics.add_photo": frozenset({"analyst"}),
    "ballistics.add_lead": frozenset({"analyst"}),
    "ballistics.queue": frozenset({"analyst"}),
    "ballistics.lead": CASE_WRITERS,
    "ballistics.decide": frozenset({"analyst"}),
    "api.list_ballistic_items": CASE_WRITERS,
    "api.get_ballistic_item": CASE_WRITERS,
    "api.create_ballistic_item": frozenset({"analyst"}),
    "api.list_ballistic_links": CASE_WRITERS,
    "api.get_ballistic_link": CASE_WRITERS,
    "api.create_ballistic_link": frozenset({"analyst"}),
    "api.decide_ballistic_link": frozenset({"analyst"}),
    # Dashboards, the map and the summary: analysts and supervisors (officers work their own cases).
    "stats.dashboard": frozenset({"analyst", "supervisor"}),
    "stats.chart_csv": frozenset({"analyst", "supervisor"}),
    "stats.trafficking_map": frozenset({"analyst", "supervisor"}),
    "stats.map_cases": frozenset({"analyst", "supervisor"}),
    "api.stats_summary": frozenset({"analyst", "supervisor"}),
    # People (personal data): officers record possessors and associates; analysts and supervisors read;
    # analysts decide likely duplicates.
    "people.new_case_person": CASE_WRITERS,
    "people.detail": frozenset({"analyst", "supervisor"}),
    "people.edit": frozenset({"analyst", "supervisor"}),
    "people.edit_role": frozenset({"analyst", "supervisor"}),
    "people.duplicates_queue": frozenset({"analyst", "supervisor"}),
    "people.merge": frozenset({"analyst"}),
    "people.distinct": frozenset({"analyst"}),
    "api.list_case_people": frozenset({"analyst", "supervisor"}),
    "api.create_case_person": CASE_WRITERS,
    "api.get_person": frozenset({"analyst", "supervisor"}),
    "api.update_person": frozenset({"analyst", "supervisor"}),
    "api.merge_person": frozenset({"analyst"}),
    # Link analysis: a case's links (API and the case page's panel), its network, the groups of
    # the scope, and the exports.
    "api.case_links": CASE_READERS,
    "networks.case_network": CASE_READERS,
    "networks.linked_cases": CASE_READERS,
    "networks.group": CASE_READERS,
    "networks.groups": CASE_WRITERS,
    "networks.export_network": frozenset({"analyst", "supervisor"}),
    # The case report and its PDF: declared for every account; the case scope answers "not found"
    # to administrators, auditors and liaisons the case is not shared with.
    "reports.case_report": ACCOUNT,
    "reports.case_report_pdf": ACCOUNT,
}
ROLES = sorted(ACCOUNT)


def _routes(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_is_in_the_table(app):
    endpoints = {rule.endpoint for rule, _ in _routes(app)}
    assert endpoints - set(ACCESS) == set(), "routes missing from the access table"
    assert set(ACCESS) - endpoints == set(), "the access table names routes that no longer exist"


@pytest.fixture
def people(app):
    with app.app_context():
        federal = factories.agency("FGR")
        users = {role: factories.user(role, federal if role != "liaison" else factories.agency("ATF-MX"))
                 for role in ROLES}
        # Actions on a path's ids act on these, never on the people walking the routes.
        victim = factories.user("officer", factories.agency("SEDENA"))
        victim_case = factories.case(victim.agency, victim)
        victim_seizure = factories.seizure(victim_case, victim)
        victim_photo = factories.photo(victim_seizure.firearms[0], victim)
        victim_request = factories.trace_request(victim_seizure.firearms[0])
        victim_link = factories.firearm_link(factories.firearm(victim_seizure), victim_seizure.firearms[0])
        victim_scene = factories.scene(victim_case, created_by_id=victim.id)
        victim_item = factories.ballistic_item(victim_scene)
        victim_person = factories.person(victim_case, last_names="Pérez", birth_date="1990-01-01")
        victim_other = factories.person(victim_case, last_names="Perez", birth_date="1990-01-01")
        victim_role = db.session.scalar(select(CasePerson.id).where(CasePerson.person_id == victim_person.id))
        victim_pair = db.session.scalar(select(PersonDuplicate.id).where(PersonDuplicate.person_b_id == victim_other.id))
        api_tokens = {role: tokens.issue_token(user, "walk")[1] for role, user in users.items()}
        db.session.commit()
        return {
            "usernames": {role: user.username for role, user in users.items()},
            "tokens": api_tokens,
            "args": {"user_id": victim.id, "agency_id": victim.agency_id, "token_id": 999999,
                     "manufacturer_id": 999999, "caliber_id": 999999, "spec_id": 999999,
                     "case_id": victim_case.id, "seizure_id": victim_seizure.id,
                     "firearm_id": victim_seizure.firearms[0].id, "attachment_id": victim_photo.id,
                     "trace_request_id": victim_request.id, "link_id": victim_link.id,
                     "scene_id": victim_scene.id, "item_id": victim_item.id,
                     "person_id": victim_person.id, "other_id": victim_other.id, "pair_id": victim_pair,
                     "case_person_id": victim_role, "chart": "months", "share_id": 999999, "assignment_id": 999999,
                     "fmt": "graphml"},
        }


def _url(rule, args) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(args[m.group(1)]), rule.rule)


def _call(app, people, rule, method, role, web_clients):
    url = _url(rule, people["args"])
    if url.startswith("/api/"):
        headers = {"Authorization": f"Bearer {people['tokens'][role]}"} if role else {}
        return app.test_client().open(url, method=method, headers=headers)
    if method == "GET":
        client = web_clients.get(role) if role else app.test_client()
        if client is None:
            client = web_clients[role] = _signed_in(app, people["usernames"][role])
        return client.get(url)
    # State-changing requests run on a fresh client, so a sign-out cannot spoil the next call.
    client = _signed_in(app, people["usernames"][role]) if role else app.test_client()
    page = client.get("/auth/profile" if role else "/auth/notice").get_data(as_text=True)
    token = CSRF_INPUT.search(page).group(1)
    return client.open(url, method=method, data={"csrf_token": token})


def _signed_in(app, username):
    client = app.test_client()
    response = Browser(client).login(username)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    return client


def _problem(rule, method, role, response, allowed) -> str | None:
    status = response.status_code
    where = f"{method} {rule.rule} as {role or 'anonymous'}: {status}"
    if status >= 500:
        return where + " (server error)"
    api = rule.rule.startswith("/api/")
    if allowed == PUBLIC:
        return None
    if role is None:
        if api and status != 401:
            return where + " (expected 401)"
        if not api and not (status == 302 and "/auth/login" in response.headers.get("Location", "")):
            return where + " (expected a redirect to sign-in)"
        return None
    if role not in allowed and status != 403:
        return where + " (expected 403)"
    if role in allowed and status in (401, 403):
        return where + " (expected access)"
    return None


def test_every_route_with_every_role(app, people):
    web_clients: dict = {}
    problems = []
    for rule, method in _routes(app):
        allowed = ACCESS[rule.endpoint]
        for role in [None, *ROLES]:
            response = _call(app, people, rule, method, role, web_clients)
            problem = _problem(rule, method, role, response, allowed)
            if problem:
                problems.append(problem)
    assert problems == []


# --- another agency's records: every id in a path, and ids in bodies ----------------------------

# Path arguments that name no agency's record (reference lists, a chart, an export format).
NOT_RECORDS = {"manufacturer_id", "caliber_id", "spec_id", "token_id", "chart", "fmt"}
# Body fields that take ids (a firearm of a trace request's people as people.0.case_person_id).
ID_FIELDS = {"case_id", "scene_id", "firearm_id", "seizure_id", "item_b", "lead_officer_id", "person_id", "into",
             "people.0.case_person_id"}


@pytest.fixture
def strangers(app):
    """Walkers of a state agency (FGE-SON; the liaison in ATF-MX) and records of another state's
    agency (FGE-JAL; its trace request addressed to another US office), shared with no one."""
    with app.app_context():
        sonora = factories.agency("FGE-SON")
        walkers = {role: factories.user(role, sonora if role != "liaison" else factories.agency("ATF-MX"))
                   for role in ROLES}
        jalisco = factories.agency("FGE-JAL")
        owner = factories.user("officer", jalisco)
        case = factories.case(jalisco, owner, title="Caso ajeno de Jalisco")
        seizure = factories.seizure(case, owner)
        firearm = seizure.firearms[0]
        photo = factories.photo(firearm, owner)
        other_office = factories.agency("ATF-TX", level="us", name="ATF Texas")
        request = factories.trace_request(firearm, addressed_to=other_office)
        link = factories.firearm_link(factories.firearm(seizure), firearm)
        scene = factories.scene(case, created_by_id=owner.id)
        item = factories.ballistic_item(scene)
        person = factories.person(case, last_names="Ajeno", birth_date="1980-02-02")
        other = factories.person(case, last_names="Ajeno", birth_date="1980-02-02")
        role_id = db.session.scalar(select(CasePerson.id).where(CasePerson.person_id == person.id))
        pair_id = db.session.scalar(select(PersonDuplicate.id).where(PersonDuplicate.person_b_id == other.id))
        api_tokens = {role: tokens.issue_token(user, "walk")[1] for role, user in walkers.items()}
        db.session.commit()
        return {
            "usernames": {role: user.username for role, user in walkers.items()},
            "tokens": api_tokens,
            "args": {"user_id": owner.id, "agency_id": jalisco.id, "token_id": 999999,
                     "manufacturer_id": 999999, "caliber_id": 999999, "spec_id": 999999,
                     "case_id": case.id, "seizure_id": seizure.id, "firearm_id": firearm.id,
                     "attachment_id": photo.id, "trace_request_id": request.id, "link_id": link.id,
                     "scene_id": scene.id, "item_id": item.id, "person_id": person.id, "other_id": other.id,
                     "pair_id": pair_id, "case_person_id": role_id, "share_id": 999999, "assignment_id": 999999,
                     "chart": "months", "fmt": "graphml"},
            "secrets": [case.reference, "Caso ajeno de Jalisco", firearm.serial_number, "Ajeno"],
        }


def test_no_route_answers_with_another_agencys_record(app, strangers):
    """Every route whose path names a record, walked by each role it admits with a record of
    another state's agency in the path: 404 (or 403), never the record. The walkers' administrator
    is a state one: another state's accounts and agencies are out of their reach."""
    web_clients: dict = {}
    problems = []
    for rule, method in _routes(app):
        allowed = ACCESS[rule.endpoint]
        named = set(re.findall(r"<(?:\w+:)?(\w+)>", rule.rule)) - NOT_RECORDS
        if not named or allowed == PUBLIC:
            continue
        for role in sorted(allowed):
            response = _call(app, strangers, rule, method, role, web_clients)
            body = response.get_data(as_text=True)
            leaked = [secret for secret in strangers["secrets"] if secret in body]
            if response.status_code not in (403, 404) or leaked:
                problems.append(f"{method} {rule.rule} as {role}: {response.status_code} {leaked or ''}".strip())
    assert problems == [], "\n".join(problems)


def test_ids_in_bodies_never_reach_another_agencys_record(app, strangers):
    """Ids of another state's agency's records in the body fields that take ids: not found (404),
    or refused naming that field (422), and nothing of the record in the answer."""
    with app.app_context():
        sonora = factories.agency("FGE-SON")
        officer = factories.user("officer", sonora)
        case = factories.case(sonora, officer)
        seizure = factories.seizure(case, officer)
        scene = factories.scene(case, created_by_id=officer.id)
        item = factories.ballistic_item(scene)
        person = factories.person(case, last_names="Propio", birth_date="1985-03-03")
        db.session.commit()
        own = {"case_id": case.id, "firearm_id": seizure.firearms[0].id, "item_id": item.id, "person_id": person.id}
    theirs = strangers["args"]
    firearm = {"firearm_type": "pistol", "serial_number": "QX77120", "manufacturer": "Glock", "model": "19"}
    calls = [
        ("officer", "POST", "/seizures", {"case_id": theirs["case_id"], "seized_on": "2025-01-02", "state": "26",
                                          "firearms": [firearm]}),
        ("analyst", "POST", "/ballistics/items", {"kind": "cartridge_case", "case_id": theirs["case_id"],
                                                  "scene_id": theirs["scene_id"], "caliber": "9mm"}),
        ("analyst", "POST", "/ballistics/items", {"kind": "test_fire", "firearm_id": theirs["firearm_id"],
                                                  "caliber": "9mm"}),
        ("analyst", "POST", "/ballistics/links", {"item_a": own["item_id"], "item_b": theirs["item_id"]}),
        ("officer", "POST", "/cases", {"title": "Caso nuevo", "lead_officer_id": theirs["user_id"]}),
        ("analyst", "POST", f"/cases/{own['case_id']}/people", {"role": "associate",
                                                                "person_id": theirs["person_id"]}),
        ("analyst", "POST", f"/cases/{own['case_id']}/people", {"role": "possessor", "last_names": "Nuevo",
                                                                "seizure_id": theirs["seizure_id"]}),
        ("analyst", "POST", f"/cases/{own['case_id']}/people", {"role": "possessor", "last_names": "Nuevo",
                                                                "firearm_id": theirs["firearm_id"]}),
        ("analyst", "POST", f"/people/{own['person_id']}/merge", {"into": theirs["person_id"], "reason": "Misma"}),
        ("analyst", "POST", f"/firearms/{own['firearm_id']}/trace-requests",
         {"people": [{"case_person_id": theirs["case_person_id"]}]}),
    ]
    problems = []
    for role, method, path, body in calls:
        token = strangers["tokens"][role]
        response = app.test_client().open(f"/api/v1{path}", method=method, json=body,
                                          headers={"Authorization": f"Bearer {token}"})
        text = response.get_data(as_text=True)
        leaked = [secret for secret in strangers["secrets"] if secret in text]
        named = set(response.get_json()["error"]["details"]) if response.status_code == 422 else set()
        refused = response.status_code == 404 or named & ID_FIELDS
        if not refused or leaked:
            problems.append(f"{method} {path} {sorted(body)} as {role}: {text[:200]} {leaked or ''}")
    assert problems == [], "\n".join(problems)
