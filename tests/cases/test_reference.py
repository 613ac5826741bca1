"""Case references: TR-YEAR-NNNNNN, one counter per year, never shared between writers."""
from __future__ import annotations

import re
import threading

from sqlalchemy import create_engine, delete, select
from sqlalchemy.orm import Session

from tests import factories
from tracer.cases import services
from tracer.cases.models import CaseReferenceCounter
from tracer.extensions import db

REFERENCE = re.compile(r"^TR-\d{4}-\d{6}$")


def test_numbers_count_up_per_year_from_one(ctx):
    assert services.next_reference(2031) == "TR-2031-000001"
    assert services.next_reference(2031) == "TR-2031-000002"
    assert services.next_reference(2032) == "TR-2032-000001"
    assert services.next_reference(2031) == "TR-2031-000003"
    assert db.session.get(CaseReferenceCounter, 2031).last_number == 3


def test_counting_continues_from_the_stored_number(ctx):
    db.session.add(CaseReferenceCounter(year=2033, last_number=122))
    db.session.flush()
    assert services.next_reference(2033) == "TR-2033-000123"


def test_cases_get_unique_references_of_the_current_year(ctx):
    officer = factories.user("officer", factories.agency("FGE-SON"))
    created = [services.create_case(officer, {"title": f"Caso {n}"}) for n in range(25)]
    db.session.commit()
    refs = [case.reference for case in created]
    assert len(set(refs)) == len(refs)
    assert all(REFERENCE.match(ref) and ref.startswith(f"TR-{services.current_year()}-") for ref in refs)
    numbers = [int(ref.rsplit("-", 1)[1]) for ref in refs]
    assert numbers == sorted(numbers) and numbers[-1] - numbers[0] == len(refs) - 1


THREADS = 6
PER_THREAD = 15
RACE_YEAR = 2999  # a year no other test uses: this test commits outside the test transaction


def test_concurrent_writers_never_share_a_number(app, database_url):
    """Every writer starts before the year's counter row exists, so they also race to insert it."""
    engine = create_engine(database_url, pool_size=THREADS, max_overflow=0,
                           connect_args={"timeout": 60} if database_url.startswith("sqlite") else {})
    counters = CaseReferenceCounter.__table__
    results: list[str] = []
    failures: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def writer() -> None:
        try:
            with app.app_context(), Session(engine) as session:
                start.wait(timeout=30)
                for _ in range(PER_THREAD):
                    results.append(services.next_reference(RACE_YEAR, session=session))
                    session.commit()
        except BaseException as error:  # noqa: BLE001  (reported by the main thread)
            failures.append(error)

    try:
        with engine.begin() as connection:
            connection.execute(delete(counters).where(counters.c.year == RACE_YEAR))
        threads = [threading.Thread(target=writer) for _ in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads), "a writer hung"
        assert failures == []
        total = THREADS * PER_THREAD
        assert sorted(results) == [f"TR-{RACE_YEAR}-{n:06d}" for n in range(1, total + 1)]
        with engine.connect() as connection:
            stored = connection.scalar(select(counters.c.last_number).where(counters.c.year == RACE_YEAR))
        assert stored == total
    finally:
        with engine.begin() as connection:
            connection.execute(delete(counters).where(counters.c.year == RACE_YEAR))
        engine.dispose()
