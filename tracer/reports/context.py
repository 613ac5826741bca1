"""The content of a case report, for one reader: what the page and the PDF both show.

``canonical_content(case)`` runs the section builders of ``tracer.reports.sections``: plain data
that is the same whoever reads it. Its canonical JSON text (sorted keys, no spaces) is what a
report version stores and what its SHA-256 covers.

Personal data and the hash: the hash covers the complete canonical content, personal data
included, so every printed copy of a version carries the same version number and hash. A reader
who may not see personal data (SPEC §2) gets a redacted rendering: the personal values are
withheld and the footer says the copy is redacted; its hash is still that of the complete stored
version, which ``reports verify`` checks. A reader who may see them has each read audited
(``personal_data.read``, without the values) in the caller's transaction.

Linked cases follow the same design (``tracer.reports.linked_cases``): the content holds every
linked case as it stood; each reader is shown the ones in their scope, another agency's as
restricted entries disclosed by the links service, and a copy that withholds any is redacted.
"""
from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from tracer.audit.services import record
from tracer.cases.models import Case
from tracer.extensions import db
from tracer.people.access import audit_read, may_read_personal_data
from tracer.reports.linked_cases import shown_linked_cases
from tracer.reports.models import CaseReportVersion
from tracer.reports.sections import SECTIONS
from tracer.tracing.models import TraceRequest
from tracer.tracing.personal_data import may_see_purchaser

# Bumped when the shape of the content changes, so that old versions are read as what they are
# (2: linked cases; a version of format 1 holds none and shows none).
CONTENT_FORMAT = 2


def canonical_content(case: Case) -> dict[str, Any]:
    """The report of ``case`` as plain data, section by section (no reader-specific part)."""
    content: dict[str, Any] = {"format": CONTENT_FORMAT}
    for name, build in SECTIONS:
        content[name] = build(case)
    return content


def canonical_text(content: dict[str, Any]) -> str:
    """The one JSON text of ``content`` that is stored and hashed."""
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_hash(text: str) -> str:
    """SHA-256 (hex) of the canonical text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class ReportContext:
    """One reader's report: the content (personal data withheld when the reader may not see it),
    the version it is (``None`` for a draft not stored yet) and the hash of the complete content."""

    content: dict[str, Any]
    sha256: str
    version: CaseReportVersion | None
    redacted: bool
    personal_data_shown: bool
    versions: list[CaseReportVersion] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.version.kind if self.version is not None else "draft"

    @property
    def reference(self) -> str:
        return self.content["case"]["reference"]


def _personal_traces(content: dict[str, Any]):
    for firearm in content.get("firearms", []):
        trace = firearm.get("trace")
        if trace and trace.get("personal"):
            yield trace


def for_reader(reader, case: Case, content: dict[str, Any], where: str) -> tuple[dict[str, Any], bool, bool]:
    """``content`` as ``reader`` may see it: (content, redacted, personal data shown). Each trace
    whose purchaser is shown, and the case's people when shown, record ``personal_data.read``
    (``where``: page or export; ids only); another agency's linked cases are disclosed as
    restricted entries (``shown_in`` = ``where``)."""
    shown_content = copy.deepcopy(content)
    redacted = shown = False
    for trace in _personal_traces(shown_content):
        request = db.session.get(TraceRequest, trace["id"])
        if request is not None and request.case_id == case.id and may_see_purchaser(reader, request):
            shown = True
            record("personal_data.read", object_type="trace_request", object_id=request.id, case_id=case.id,
                   actor=reader, details={"field": "purchaser_name", "trace_number": trace["trace_number"],
                                          "where": where})
        else:
            trace["personal"] = {name: None for name in trace["personal"]}
            trace["withheld"] = True
            redacted = True
    people = shown_content.get("people") or []
    if people:
        if may_read_personal_data(reader, case.id):
            shown = True
            audit_read(reader, where, object_type="case", object_id=case.id, case_id=case.id,
                       person_ids=[person["person_id"] for person in people])
        else:
            for person in people:
                person["personal"] = {name: None for name in person["personal"]}
                person["withheld"] = True
            redacted = True
    if shown_content.get("linked_cases") is not None:
        linked = shown_linked_cases(reader, case, shown_content["linked_cases"], where)
        shown_content["linked_cases"] = linked
        redacted = redacted or linked["withheld"]
    return shown_content, redacted, shown


def report_context(reader, case: Case, version: CaseReportVersion | None = None,
                   where: str = "case_report") -> ReportContext:
    """The report of ``case`` for ``reader`` (who may see the case): the stored ``version`` if
    given, otherwise the current content; its hash is that of the complete canonical content."""
    if version is not None:
        content, digest = json.loads(version.content), version.sha256
    else:
        content = canonical_content(case)
        digest = content_hash(canonical_text(content))
    shown, redacted, personal = for_reader(reader, case, content, where)
    return ReportContext(shown, digest, version, redacted, personal)
