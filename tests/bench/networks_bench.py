"""The link-analysis lines of ``make bench`` (part ``networks``), on the bench dataset.

Not a test (pytest does not collect it): run by ``all_budgets.py``. Measured:

- the connected groups over every case (``networks.groups.all_groups``: one GROUP BY … HAVING
  per kind, then union-find), beside one bare count of the firearms table; budget under 5 s;
- a case's network at depth 2 (``networks.links.neighbourhood``), from cases that hold
  completed traces, cases of the groups and cases spread over the table, beside the bare indexed read of one case's traces; p95 under 200 ms.
"""
from __future__ import annotations

import time

from sqlalchemy import func, select, text

from tests.bench.stats import Row, percentile

GROUPS_BUDGET_S = 5.0
DEPTH2_BUDGET_MS = 200.0


def _timed(run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def measure(cases: int = 50, repeats: int = 3) -> list[Row]:
    from tracer.cases.models import Case
    from tracer.extensions import db
    from tracer.networks.groups import all_groups
    from tracer.networks.links import neighbourhood
    from tracer.tracing.models import TraceRequest

    groups_runs = [_timed(all_groups) for _ in range(repeats)]
    count_runs = [_timed(lambda: db.session.execute(text("SELECT count(*) FROM firearms")).scalar())
                  for _ in range(repeats)]
    found = all_groups()
    grouped = len({found.sets.find(case_id) for case_id in found.agencies})
    rows = [Row(f"networks: connected groups over every case ({grouped:,} groups)", repeats,
                percentile(groups_runs, 0.5) * 1000, percentile(groups_runs, 0.95) * 1000,
                "SELECT count(*) FROM firearms", percentile(count_runs, 0.5) * 1000, percentile(count_runs, 0.95) * 1000,
                percentile(groups_runs, 0.95) / max(percentile(count_runs, 0.95), 1e-9),
                f"< {GROUPS_BUDGET_S:.0f} s", percentile(groups_runs, 0.95) < GROUPS_BUDGET_S)]
    # Cases with links (completed traces, grouped cases), and cases spread over the table.
    case_ids = list(db.session.scalars(select(TraceRequest.case_id).where(TraceRequest.status == "completed")
                                       .order_by(TraceRequest.id).limit(cases)))
    case_ids += sorted(found.agencies)[:cases]
    case_ids += list(db.session.scalars(select(Case.id).where(Case.id % 997 == 0).order_by(Case.id).limit(cases)))
    spent, bare = [], []
    for case_id in case_ids:
        case = db.session.get(Case, case_id)
        spent.append(_timed(lambda: neighbourhood(case, 2)) * 1000)
        bare.append(_timed(lambda: db.session.execute(select(func.count()).select_from(TraceRequest)
                                                      .where(TraceRequest.case_id == case_id)).scalar()) * 1000)
    if spent:
        p95, base_p95 = percentile(spent, 0.95), percentile(bare, 0.95)
        rows.append(Row("networks: a case's network at depth 2", len(spent), percentile(spent, 0.5), p95,
                        "one case's traces (indexed)", percentile(bare, 0.5), base_p95, p95 / base_p95 if base_p95 else None,
                        f"p95 < {DEPTH2_BUDGET_MS:.0f} ms", p95 < DEPTH2_BUDGET_MS))
    db.session.rollback()
    return rows
