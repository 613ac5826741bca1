"""The administrator's work on a home page: accounts locked now after repeated failed sign-ins."""
from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from tracer.auth.models import LoginThrottle, User
from tracer.auth.scope import managed_agency_scope
from tracer.core.models import utcnow
from tracer.core.translation import gettext as _
from tracer.core.worklist import counted, work_card


def account_work(user: User) -> str | None:
    if user.role != "admin":
        return None
    locked = select(User).where(User.username.in_(select(LoginThrottle.username_key).where(
        LoginThrottle.locked_until > utcnow())), managed_agency_scope(user, User.agency_id))
    return work_card(_("Accounts"), [
        counted(_("accounts locked after failed sign-ins"), url_for("admin.users", locked=1), locked, urgent=True)])
