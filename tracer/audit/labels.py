"""What each audit action is called on the audit page, and who may read it.

Every action code written with ``record(...)`` has one line here: its label in
the reader's language and its kind. ``ACCOUNT`` events (sign-in, accounts,
agencies, tokens, second factor, reference lists, reads of the trail) are what
an administrator reads; ``CASE`` events (cases, seizures, firearms, custody,
searches, traces, links, personal data) hold case content and are read only by
auditors. A code missing from the table is treated as case content, and a test
fails until it has its line.
"""
from __future__ import annotations

from typing import NamedTuple

from tracer.core.translation import lazy_gettext as _l


ACCOUNT = "account"
CASE = "case"


class Action(NamedTuple):
    kind: str
    label: object  # a lazy string, shown in the reader's language


def account(label) -> Action:
    return Action(ACCOUNT, label)


def case(label) -> Action:
    return Action(CASE, label)


ACTIONS: dict[str, Action] = {
    # Sign-in and sessions
    "login": account(_l("Sign-in")),
    "login.lockout": account(_l("Account locked after failed sign-ins")),
    "logout": account(_l("Sign-out")),
    "session.end": account(_l("Session ended")),
    # Accounts and second factor
    "user.create": account(_l("User created")),
    "user.update": account(_l("User details changed")),
    "user.permission_change": account(_l("User role or agency changed")),
    "user.enable": account(_l("User enabled")),
    "user.disable": account(_l("User disabled")),
    "user.password_change": account(_l("Password changed")),
    "user.sessions_end": account(_l("User's sessions ended")),
    "user.mfa_enable": account(_l("Second factor enabled")),
    "user.mfa_reset": account(_l("Second factor reset")),
    "user.recovery_code_used": account(_l("Recovery code used")),
    "user.recovery_codes_regenerate": account(_l("Recovery codes regenerated")),
    "api_token.create": account(_l("API token created")),
    "api_token.revoke": account(_l("API token revoked")),
    "api_token.revoke_all": account(_l("All API tokens of a user revoked")),
    # Agencies
    "agency.create": account(_l("Agency created")),
    "agency.update": account(_l("Agency details changed")),
    "agency.permission_change": account(_l("Agency level, state or status changed")),
    # Reference lists
    "reference.load": account(_l("Shipped reference lists loaded")),
    "stats.rebuild": account(_l("Dashboard counters recounted")),
    "manufacturer.create": account(_l("Manufacturer added")),
    "manufacturer.alias_add": account(_l("Manufacturer alias added")),
    "caliber.create": account(_l("Caliber added")),
    "caliber.alias_add": account(_l("Caliber alias added")),
    "rifling_spec.load": account(_l("Shipped rifling table loaded")),
    "rifling_spec.create": account(_l("Rifling row added")),
    "rifling_spec.update": account(_l("Rifling row changed")),
    "rifling_spec.retire": account(_l("Rifling row retired")),
    "rifling_spec.restore": account(_l("Rifling row offered again")),
    # Backups of the whole installation
    "backup.create": account(_l("Backup written")),
    "backup.restore": account(_l("Backup restored")),
    # The audit trail itself
    "audit.read": account(_l("Audit trail read")),
    # Cases, seizures, firearms and custody
    "case.create": case(_l("Case opened")),
    "case.update": case(_l("Case changed")),
    "case.transition": case(_l("Case status changed")),
    "case.note_add": case(_l("Note added to a case")),
    "case.share": case(_l("Case shared with an agency")),
    "case.share_revoke": case(_l("Case no longer shared with an agency")),
    "case.assign": case(_l("Analyst assigned to a case")),
    "case.unassign": case(_l("Analyst's assignment to a case removed")),
    "seizure.create": case(_l("Seizure recorded")),
    "seizure.update": case(_l("Seizure changed")),
    "firearm.create": case(_l("Firearm recorded")),
    "firearm.update": case(_l("Firearm changed")),
    "custody.create": case(_l("Custody event recorded")),
    "custody.print": case(_l("Custody record printed")),
    "attachment.upload": case(_l("Photo or document uploaded")),
    "attachment.download": case(_l("Photo or document downloaded")),
    "import.seizures": case(_l("Seizures imported")),
    # Searches, traces and links
    "search.serial": case(_l("Serial number search")),
    "search.serial_batch": case(_l("Batch serial number search")),
    # Deconfliction: what users were told of other agencies' records
    "deconfliction.disclose": case(_l("Restricted match disclosed")),
    "deconfliction.show_again": case(_l("Restricted match shown again")),
    "deconfliction.withhold": case(_l("Restricted match withheld: disclosure limit reached")),
    "trace_request.create": case(_l("Trace request created")),
    "trace_request.submit": case(_l("Trace request submitted")),
    "trace_request.update": case(_l("Trace request changed")),
    "trace_request.open": case(_l("Trace request opened by the partner")),
    "trace_request.export": case(_l("Trace requests exported")),
    "trace_request.result": case(_l("Trace result recorded")),
    "import.trace_results": case(_l("Trace results imported")),
    "import.ibis_leads": case(_l("IBIS leads imported")),
    "ballistic_link.import": case(_l("Leads created from an IBIS correlation list")),
    "personal_data.read": case(_l("Personal data read")),
    "report.version": case(_l("Case report version stored")),
    "report.export": case(_l("Case report exported")),
    "stats.export": case(_l("Dashboard figures downloaded")),
    "firearm_link.detect": case(_l("Possible same firearm detected")),
    "firearm_link.decide": case(_l("Possible same firearm decided")),
    "network.export": case(_l("Case link network exported")),
    # People
    "person.create": case(_l("Person recorded")),
    "person.update": case(_l("Person changed")),
    "person.merge": case(_l("People merged")),
    "person_duplicate.distinct": case(_l("Likely duplicate marked as two people")),
    "case_person.create": case(_l("Person added to a case")),
    "case_person.update": case(_l("Person's role in a case changed")),
    # Ballistics
    "scene.create": case(_l("Scene recorded")),
    "scene.update": case(_l("Scene changed")),
    "ballistic_item.create": case(_l("Ballistic item recorded")),
    "ballistic_item.update": case(_l("Ballistic item changed")),
    "ballistic_link.create": case(_l("Ballistic lead recorded")),
    "ballistic_link.decide": case(_l("Ballistic lead decided by an examiner")),
}

# What an administrator reads: account, permission and reference events only.
ACCOUNT_ACTIONS = frozenset(code for code, action in ACTIONS.items() if action.kind == ACCOUNT)


def action_label(code: str | None) -> str:
    """The readable name of an action code in the reader's language (the code itself when unknown)."""
    if not code:
        return ""
    action = ACTIONS.get(code)
    return str(action.label) if action else code
