"""Yearly counters that number cases and trace requests without gaps or duplicates."""
from __future__ import annotations

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tracer.extensions import db


def next_number(counter_model, year: int, session: Session | None = None) -> int:
    """The next number of ``year`` in ``counter_model`` (a table of ``year``, ``last_number``).

    The counter row is bumped by a single ``UPDATE … RETURNING``, which row-locks
    it until the transaction ends, so concurrent writers queue and never share a
    number. The year's first number inserts the row inside a savepoint; when a
    concurrent writer inserted it first, the unique key refuses ours and the
    ``UPDATE`` runs on theirs.
    """
    session = session or db.session()
    counters = counter_model.__table__
    bump = (update(counters).where(counters.c.year == year)
            .values(last_number=counters.c.last_number + 1)
            .returning(counters.c.last_number))
    number = session.execute(bump).scalar()
    if number is None:
        try:
            with session.begin_nested():
                session.execute(insert(counters).values(year=year, last_number=1))
            number = 1
        except IntegrityError:
            number = session.execute(bump).scalar_one()
    return number
