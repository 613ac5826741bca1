"""Report versions: frozen on approval, stored when a report is printed, listed, read back.

A version is the canonical content of a case report and its SHA-256 (see ``context``). Approving a
case stores an ``approved`` version in the approval's transaction, and the database refuses to
change it afterwards. Printing a report that matches no stored version stores it as a ``draft``
version first, so that every printed report names a version ``reports verify`` can find.
"""
from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from tracer.audit.services import record
from tracer.cases.models import Case
from tracer.core.errors import NotFound
from tracer.core.models import utcnow
from tracer.core.translation import gettext as _
from tracer.extensions import db
from tracer.reports.context import canonical_content, canonical_text, content_hash
from tracer.reports.models import CaseReportExport, CaseReportVersion

# Statuses in which the report shown is the approved version (when there is one).
APPROVED_STATUSES = ("approved", "closed")
# Versions listed on the report page, newest first.
LISTED_VERSIONS = 50


def list_versions(case: Case, limit: int = LISTED_VERSIONS) -> list[CaseReportVersion]:
    """The stored versions of ``case``'s report, newest first."""
    return list(db.session.scalars(select(CaseReportVersion).where(CaseReportVersion.case_id == case.id)
                                   .order_by(CaseReportVersion.number.desc()).limit(limit)
                                   .options(selectinload(CaseReportVersion.created_by))))


def get_version(case: Case, number: Any) -> CaseReportVersion:
    """Version ``number`` of ``case``'s report; ``NotFound`` when there is none (or the number is not one)."""
    try:
        number = int(number)
    except (TypeError, ValueError):
        number = 0
    version = None
    if 0 < number < 2**31:
        version = db.session.scalar(select(CaseReportVersion).where(
            CaseReportVersion.case_id == case.id, CaseReportVersion.number == number))
    if version is None:
        raise NotFound(_("There is no such version of this report."))
    return version


def approved_version(case: Case) -> CaseReportVersion | None:
    """The version a reader is shown for an approved (or closed) case: the latest approved one."""
    if case.status not in APPROVED_STATUSES:
        return None
    return db.session.scalar(select(CaseReportVersion).where(
        CaseReportVersion.case_id == case.id, CaseReportVersion.kind == "approved")
        .order_by(CaseReportVersion.number.desc()).limit(1))


def _latest(case: Case) -> CaseReportVersion | None:
    return db.session.scalar(select(CaseReportVersion).where(CaseReportVersion.case_id == case.id)
                             .order_by(CaseReportVersion.number.desc()).limit(1))


def stored_as(case: Case, sha256: str) -> CaseReportVersion | None:
    """The latest stored version of ``case``'s report when it holds exactly this content."""
    latest = _latest(case)
    return latest if latest is not None and latest.sha256 == sha256 else None


def store_version(actor, case: Case, kind: str, content: dict[str, Any]) -> CaseReportVersion:
    """Store ``content`` as the next version of ``case``'s report, audited (``report.version``)."""
    text = canonical_text(content)
    digest = content_hash(text)
    for _attempt in range(3):
        number = (db.session.scalar(select(func.max(CaseReportVersion.number))
                                    .where(CaseReportVersion.case_id == case.id)) or 0) + 1
        version = CaseReportVersion(case_id=case.id, number=number, kind=kind, content=text, sha256=digest,
                                    created_at=utcnow(), created_by_id=getattr(actor, "id", None))
        try:
            with db.session.begin_nested():  # another writer may have taken the number
                db.session.add(version)
                db.session.flush()
        except IntegrityError:
            continue
        record("report.version", object_type="case_report_version", object_id=version.id, case_id=case.id,
               actor=actor, details={"version": number, "kind": kind, "sha256": digest})
        return version
    raise RuntimeError("could not number a report version")


def version_to_print(actor, case: Case) -> CaseReportVersion:
    """The version a printed report is: the approved one for an approved case, otherwise the
    current content, stored as a new draft version unless the latest version already holds it."""
    approved = approved_version(case)
    if approved is not None:
        return approved
    content = canonical_content(case)
    latest = _latest(case)
    if latest is not None and latest.sha256 == content_hash(canonical_text(content)):
        return latest
    return store_version(actor, case, "draft", content)


def record_export(actor, case: Case, version: CaseReportVersion, pdf: bytes, *, paper: str, language: str,
                  redacted: bool) -> CaseReportExport:
    """Keep the SHA-256 of the PDF file handed out, and audit the export (``report.export``; no
    personal data in the details)."""
    export = CaseReportExport(version_id=version.id, file_sha256=hashlib.sha256(pdf).hexdigest(), paper=paper,
                              language=language, redacted=redacted, created_at=utcnow(),
                              created_by_id=getattr(actor, "id", None))
    db.session.add(export)
    db.session.flush()
    record("report.export", object_type="case_report_version", object_id=version.id, case_id=case.id, actor=actor,
           details={"format": "pdf", "version": version.number, "kind": version.kind, "sha256": version.sha256,
                    "file_sha256": export.file_sha256, "paper": paper, "language": language, "redacted": redacted})
    return export


def freeze_on_approval(sender, case: Case | None = None, action: str | None = None, **transition) -> None:
    """``case_transitioned`` receiver: on ``approve``, store the approved version in the approval's
    transaction. The approval itself is not in the audit trail yet (it is written at commit), so it
    is added to the review history here."""
    if action != "approve" or case is None:
        return
    content = canonical_content(case)
    content["case"]["status"] = transition.get("to_status") or "approved"  # whenever the status is set
    content["history"].append({"at": utcnow().isoformat(), "action": "case.transition",
                               "user": getattr(sender, "username", None),
                               "from_status": transition.get("from_status"),
                               "to_status": transition.get("to_status") or "approved",
                               "comment": transition.get("comment") or None})
    store_version(sender, case, "approved", content)
