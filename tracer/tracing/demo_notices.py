"""Demo deconfliction notices for ``flask seed-demo``: analysts of one state searching serials
that another state holds, as they do when a seized gun may have been seen elsewhere.

The searches run through the serial search itself, so each notice is what a real search
would leave: a restricted answer with its reference for the searcher, a notice for the
owner, audit events. Deterministic (the owners' oldest firearms) and idempotent (nothing is
searched again once the demo searchers have notices).
"""
from __future__ import annotations

from sqlalchemy import exists, func, select

from tracer.auth.services import agency_by_acronym, user_by_username
from tracer.deconfliction.models import DeconflictionNotice
from tracer.extensions import db
from tracer.firearms.models import Firearm
from tracer.search.scope import search_serials

# (searching user, agency whose records they hit, how many serials, search mode)
SEARCHES = (
    ("analista.jal", "FGE-SON", 3, "exact"),
    ("analista.chih", "FGE-SON", 1, "fuzzy"),
    ("analista.son", "FGE-CHIH", 2, "exact"),
)


def _serials(agency_id: int, count: int) -> list[str]:
    return list(db.session.scalars(
        select(Firearm.serial_normalized).where(Firearm.agency_id == agency_id,
                                                func.length(Firearm.serial_normalized) >= 6)
        .order_by(Firearm.id).limit(count)))


def seed_notices() -> int:
    """Run the demo searches whose notices are missing; returns how many notices there are now."""
    users = {name: user_by_username(name) for name, *_rest in SEARCHES}
    if any(user is None for user in users.values()):
        return 0
    seeded = db.session.scalar(select(exists().where(DeconflictionNotice.told_user_id.in_(
        [user.id for user in users.values()]))))
    if not seeded:
        for name, owner, count, mode in SEARCHES:
            agency = agency_by_acronym(owner)
            for serial in _serials(agency.id, count) if agency else []:
                search_serials(users[name], serial, mode)
        db.session.commit()
    return db.session.query(DeconflictionNotice).count()
