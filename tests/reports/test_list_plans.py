"""Building a report reads one case's rows, each table through an index, however many other cases
there are (SPEC §10): every statement it sends to a big table walks an index."""
from __future__ import annotations

import re

from sqlalchemy import select

from tests.core.test_list_plans import _plan, assert_walks, seeded  # noqa: F401  (the fixture)
from tracer.cases.models import Case
from tracer.extensions import db
from tracer.reports import services
from tracer.reports.context import canonical_content
from tracer.reports.models import CaseReportVersion


def test_building_a_report_walks_indexes(seeded):  # noqa: F811
    case = db.session.scalar(select(Case).where(Case.reference == "TR-2024-000007"))
    content = assert_walks(lambda: canonical_content(case), minimum=4)
    assert content["case"]["reference"] == "TR-2024-000007" and content["seizures"]


def test_the_version_list_walks_an_index(seeded):  # noqa: F811
    case = db.session.scalar(select(Case).where(Case.reference == "TR-2024-000007"))
    services.store_version(None, case, "draft", canonical_content(case))
    statement = (select(CaseReportVersion).where(CaseReportVersion.case_id == case.id)
                 .order_by(CaseReportVersion.number.desc()).limit(services.LISTED_VERSIONS))
    compiled = statement.compile(db.session.get_bind())
    found = _plan(str(compiled), compiled.params if db.session.get_bind().dialect.name != "sqlite"
                  else tuple(compiled.params[name] for name in compiled.positiontup))
    assert re.search(r"uq_case_report_versions_case_number|SEARCH case_report_versions USING INDEX "
                     r"sqlite_autoindex_case_report_versions", found), found
    assert "TEMP B-TREE" not in found and "Seq Scan" not in found and "Sort" not in found, found
    assert [version.number for version in services.list_versions(case)] == [1]
