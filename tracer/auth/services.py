"""Agencies and user accounts: the rules an administrator's actions follow.

Every function flushes and audits; the caller (a view or a command) commits.
"""
from __future__ import annotations

import re
import secrets
import string
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import undefer_group

from tracer.audit.services import record
from tracer.auth import mfa, passwords, sessions, throttle, tokens
from tracer.auth.models import AGENCY_LEVELS, LANGUAGES, SECRETS, Agency, User
from tracer.auth.scope import within_reach
from tracer.core.access import ROLES
from tracer.core.changes import apply_changes
from tracer.core.errors import ValidationFailed
from tracer.core.models import utcnow
from tracer.core.text import forbidden_character
from tracer.core.translation import gettext as _
from tracer.extensions import db
from tracer.geo.catalog import states

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
ACRONYM_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,31}$")
# The Originating Agency Identifier: 9 letters and digits (a Mexican agency's starts MX).
ORI_PATTERN = re.compile(r"^[A-Z0-9]{9}$")


def _fail(fields: dict[str, list[str]]) -> None:
    if fields:
        raise ValidationFailed(_("Please correct the marked fields."), fields)


def _check_text(fields: dict[str, list[str]], **values: str | None) -> None:
    for name, value in values.items():
        if value and forbidden_character(value) is not None:
            fields.setdefault(name, []).append(_("Contains an invisible or control character."))


def agency_by_acronym(acronym: str) -> Agency | None:
    # Acronyms are stored upper-case and usernames lower-case: plain equality uses the unique index.
    return db.session.scalar(select(Agency).where(Agency.acronym == acronym.strip().upper()))


def user_by_username(username: str) -> User | None:
    """The account of ``username``, with its secrets: a sign-in checks them, and an account that
    exists takes no more statements to check than one that does not."""
    return db.session.scalar(select(User).where(User.username == username.strip().lower())
                             .options(undefer_group(SECRETS)))


def _active_admins_besides(user: User) -> int:
    return db.session.scalar(select(func.count(User.id)).where(
        User.role == "admin", User.active.is_(True), User.id != user.id)) or 0


def _guard_admin_loss(user: User, actor: User | None) -> None:
    """An administrator may not lock themselves out, nor remove the last administrator."""
    if actor is not None and actor.id == user.id:
        raise ValidationFailed(_("You cannot disable your own account or remove your own administrator role."),
                               {"role": [_("Ask another administrator.")]})
    if user.role == "admin" and user.active and _active_admins_besides(user) == 0:
        raise ValidationFailed(_("This is the last active administrator."),
                               {"role": [_("Create or enable another administrator first.")]})


def _agency_fields(values: dict[str, Any], agency: Agency | None) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    acronym = (values.get("acronym") or "").strip().upper()
    if not ACRONYM_PATTERN.match(acronym):
        fields["acronym"] = [_("Use 2 to 32 capital letters, digits or hyphens.")]
    else:
        existing = agency_by_acronym(acronym)
        if existing is not None and existing is not agency:
            fields["acronym"] = [_("Another agency already uses this acronym.")]
    if not (values.get("name") or "").strip():
        fields["name"] = [_("This field is required.")]
    level = values.get("level")
    if level not in AGENCY_LEVELS:
        fields["level"] = [_("Choose federal, state or US.")]
    state_code = values.get("state_code") or None
    if level == "state" and state_code not in states():
        fields["state_code"] = [_("A state agency needs its state (INEGI code 01 to 32).")]
    if level != "state" and state_code:
        fields["state_code"] = [_("Only state agencies have a state.")]
    ori = (values.get("ori_number") or "").strip().upper()
    if ori and not ORI_PATTERN.match(ori):
        fields["ori_number"] = [_("An ORI number has 9 letters and digits, for example MX0123456.")]
    _check_text(fields, name=values.get("name"), contact_name=values.get("contact_name"),
                contact_phone=values.get("contact_phone"), contact_email=values.get("contact_email"))
    return fields


AGENCY_FIELDS = ("name", "acronym", "level", "state_code", "contact_name", "contact_phone", "contact_email",
                 "ori_number", "active")


def save_agency(values: dict[str, Any], agency: Agency | None = None, actor: User | None = None) -> Agency:
    """Create an agency, or update ``agency``, from form or command-line values. An administrator
    (``actor``) may give it only a level and state within their reach (``scope.within_reach``)."""
    fields = _agency_fields(values, agency)
    if actor is not None and not fields.keys() & {"level", "state_code"} and not within_reach(
            actor, values.get("level"), values.get("state_code") or None):
        field = "state_code" if values.get("level") == "state" else "level"
        fields[field] = [_("You may manage only the state agencies of your own state.")]
    _fail(fields)
    clean = {
        "name": values["name"].strip(),
        "acronym": values["acronym"].strip().upper(),
        "level": values["level"],
        "state_code": values.get("state_code") or None,
        "contact_name": (values.get("contact_name") or "").strip() or None,
        "contact_phone": (values.get("contact_phone") or "").strip() or None,
        "contact_email": (values.get("contact_email") or "").strip() or None,
        "ori_number": (values.get("ori_number") or "").strip().upper() or None,
        "active": bool(values.get("active", True)),
    }
    if agency is None:
        agency = Agency(**clean)
        db.session.add(agency)
        db.session.flush()
        record("agency.create", object_type="agency", object_id=agency.id, details={"new": clean})
        return agency
    if clean["level"] != agency.level:
        _check_members_fit(agency, clean["level"])
    changes = _apply(agency, clean)
    if changes:
        db.session.flush()
        # Level, state and activity decide what every member sees: a permission change.
        permission = {"level", "state_code", "active"} & set(changes["new"])
        record("agency.permission_change" if permission else "agency.update",
               object_type="agency", object_id=agency.id, details=changes)
        if permission:
            for member in agency.users:
                sessions.end_all_sessions(member, "agency_change")
    return agency


def _check_members_fit(agency: Agency, level: str) -> None:
    """US agencies hold liaison officers, Mexican ones the other roles (auditors
    included): a level change that would break that for existing members is refused."""
    misfits = [u.username for u in agency.users
               if (level == "us") != (u.role in ("liaison", "admin")) and u.role != "admin"]
    if misfits:
        raise ValidationFailed(_("Please correct the marked fields."), {"level": [_(
            "Members of this agency have roles that do not fit the new level (%(users)s); "
            "move or change them first.", users=", ".join(sorted(misfits)[:10]))]})


def _apply(obj: Any, clean: dict[str, Any]) -> dict[str, Any]:
    """Set the values that differ; returns {"old": {...}, "new": {...}} of the changes."""
    old, new = apply_changes(obj, clean)
    return {"old": old, "new": new} if new else {}


def generate_password() -> str:
    alphabet = string.ascii_letters + string.digits
    while True:
        candidate = "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(4))
        if not passwords.password_problems(candidate):
            return candidate


def _user_fields(values: dict[str, Any], user: User | None) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    if user is None:
        username = (values.get("username") or "").strip().lower()
        if not USERNAME_PATTERN.match(username):
            fields["username"] = [_("Use 3 to 64 lower-case letters, digits, dots, hyphens or underscores.")]
        elif user_by_username(username) is not None:
            fields["username"] = [_("This username is taken.")]
    if not (values.get("full_name") or "").strip():
        fields["full_name"] = [_("This field is required.")]
    if values.get("role") not in ROLES:
        fields["role"] = [_("Choose a role.")]
    agency = values.get("agency")
    if not isinstance(agency, Agency):
        fields["agency"] = [_("Choose an agency.")]
    elif values.get("role") == "liaison" and agency.level != "us":
        fields["role"] = [_("Liaison officers belong to a US agency.")]
    elif values.get("role") == "auditor" and agency.level == "us":
        # The trail records Mexican case work; its auditors belong to a Mexican agency.
        fields["role"] = [_("Auditors belong to a Mexican agency (federal or state).")]
    elif values.get("role") not in (None, "liaison", "admin") and agency.level == "us":
        fields["role"] = [_("Users of a US agency are liaison officers.")]
    if values.get("locale", "es") not in LANGUAGES:
        fields["locale"] = [_("Choose Spanish or English.")]
    _check_text(fields, full_name=values.get("full_name"), email=values.get("email"))
    return fields


def create_user(values: dict[str, Any], password: str | None = None) -> tuple[User, str | None]:
    """Create an account. Without ``password`` a strong one is generated and
    returned (to be shown once); the user must change it at first sign-in."""
    fields = _user_fields(values, None)
    generated = None
    if password is None:
        generated = password = generate_password()
    else:
        problems = passwords.password_problems(password, values.get("username"))
        if problems:
            fields["password"] = problems
    _fail(fields)
    user = User(
        username=values["username"].strip().lower(),
        full_name=values["full_name"].strip(),
        email=(values.get("email") or "").strip() or None,
        role=values["role"],
        agency_id=values["agency"].id,
        locale=values.get("locale") or "es",
        password_hash=passwords.hash_password(password),
        must_change_password=bool(values.get("must_change_password", generated is not None)),
        active=True,
    )
    db.session.add(user)
    db.session.flush()
    record("user.create", object_type="user", object_id=user.id,
           details={"new": {"username": user.username, "role": user.role, "agency": values["agency"].acronym}})
    return user, generated


def update_user(user: User, values: dict[str, Any], actor: User | None = None) -> User:
    """Change name, e-mail, role, agency or language; role and agency changes
    are permission changes and end the user's sessions."""
    _fail(_user_fields(values, user))
    if user.role == "admin" and values["role"] != "admin":
        _guard_admin_loss(user, actor)
    clean = {
        "full_name": values["full_name"].strip(),
        "email": (values.get("email") or "").strip() or None,
        "role": values["role"],
        "agency_id": values["agency"].id,
        "locale": values.get("locale") or user.locale,
    }
    changes = _apply(user, clean)
    if changes:
        db.session.flush()
        permission = {"role", "agency_id"} & set(changes["new"])
        record("user.permission_change" if permission else "user.update",
               object_type="user", object_id=user.id, details=changes)
        if permission:
            sessions.end_all_sessions(user, "permission_change")
    return user


def set_active(user: User, active: bool, actor: User | None = None) -> None:
    """Enable or disable an account; disabling ends its sessions and revokes its tokens."""
    if user.active == active:
        return
    if not active:
        _guard_admin_loss(user, actor)
    user.active = active
    if not active:
        sessions.end_all_sessions(user, "disabled")
        tokens.revoke_all_tokens(user, "disabled")
    record("user.enable" if active else "user.disable", object_type="user", object_id=user.id,
           details={"old": {"active": not active}, "new": {"active": active}})


def reset_mfa(user: User) -> None:
    mfa.disable(user)
    sessions.end_all_sessions(user, "mfa_reset")
    tokens.revoke_all_tokens(user, "mfa_reset")
    record("user.mfa_reset", object_type="user", object_id=user.id)


def end_sessions(user: User) -> int:
    count = sessions.end_all_sessions(user, "ended_by_admin")
    record("user.sessions_end", object_type="user", object_id=user.id, details={"ended": count})
    return count


def change_password(user: User, current: str | None, new: str) -> None:
    """Set a new password (checking the current one unless ``current`` is None,
    an administrator's reset) and end every session of the user."""
    fields: dict[str, list[str]] = {}
    problems = passwords.password_problems(new, user.username)
    if problems:
        fields["new_password"] = problems
    if current is not None:
        # Checked first and alone: a wrong current password is a failed sign-in, and the new
        # one is compared only with a current one that is right (else it would be a free guess).
        try:
            throttle.confirm_password(user, current, field="current_password")
        except throttle.PasswordRefused as refused:
            refused.fields.update(fields)
            raise
        if not problems and new == current:
            fields["new_password"] = [_("Choose a password different from the current one.")]
    _fail(fields)
    user.password_hash = passwords.hash_password(new)
    user.password_changed_at = utcnow()
    user.must_change_password = current is None
    sessions.end_all_sessions(user, "password_change")
    tokens.revoke_all_tokens(user, "password_change")
    record("user.password_change", object_type="user", object_id=user.id,
           details={"by_admin": current is None})


def set_locale(user: User, locale: str) -> None:
    update_profile(user, {"locale": locale})


def update_profile(user: User, values: dict[str, Any]) -> User:
    """A user's own changes: full name, e-mail and language."""
    fields: dict[str, list[str]] = {}
    if "full_name" in values and not (values["full_name"] or "").strip():
        fields["full_name"] = [_("This field is required.")]
    if values.get("locale") is not None and values["locale"] not in LANGUAGES:
        fields["locale"] = [_("Choose Spanish or English.")]
    email = (values.get("email") or "").strip()
    if email:
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError:
            fields["email"] = [_("Enter a valid e-mail address.")]
    _check_text(fields, full_name=values.get("full_name"), email=values.get("email"))
    _fail(fields)
    clean = {}
    if values.get("full_name") is not None:
        clean["full_name"] = values["full_name"].strip()
    if "email" in values:
        clean["email"] = email or None
    if values.get("locale") is not None:
        clean["locale"] = values["locale"]
    changes = _apply(user, clean)
    if changes:
        db.session.flush()
        record("user.update", object_type="user", object_id=user.id, details=changes)
    return user


def create_personal_token(user: User, name: str, password: str | None):
    """A new API token for the signed-in user, after confirming their password
    (a wrong one counts as a failed sign-in: ``throttle.PasswordRefused``)."""
    throttle.confirm_password(user, password)
    return tokens.issue_token(user, name)


def regenerate_recovery_codes(user: User, password: str | None) -> list[str]:
    """New recovery codes (the old ones stop working), after confirming the password."""
    throttle.confirm_password(user, password)
    codes = mfa.issue_recovery_codes(user)
    record("user.recovery_codes_regenerate", object_type="user", object_id=user.id)
    return codes
