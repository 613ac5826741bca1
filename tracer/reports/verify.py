"""Whether a printed case report (a PDF file) is a stored version of a case report.

The PDF carries the case reference, version number and SHA-256 twice: in its document
information (written when it was exported) and in the text of its verification footer. A file
matches when it is a readable PDF, both carry the same version and hash, the case and version are
stored, the stored hash is the same, and the file's own bytes are those of a copy Tracer exported
(so that a page edited after export, footer and metadata kept, is caught too).
"""
from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass

from sqlalchemy import select

from tracer.cases.models import Case
from tracer.core.translation import gettext as _
from tracer.extensions import db
from tracer.reports.models import CaseReportExport, CaseReportVersion
from tracer.reports.pdf import KEY_REFERENCE, KEY_SHA256, KEY_VERSION

_HASH = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Verdict:
    """``matches`` and, either way, one sentence in the operator's language saying why."""

    matches: bool
    message: str


def _metadata(stream) -> tuple[dict, str]:
    from pypdf import PdfReader

    reader = PdfReader(stream, strict=False)
    info = reader.metadata or {}
    text = " ".join((page.extract_text() or "") for page in reader.pages)
    return {key: str(info.get(key) or "").strip() for key in (KEY_REFERENCE, KEY_VERSION, KEY_SHA256)}, text


def verify_report_file(path) -> Verdict:
    """Check the PDF at ``path`` against the stored report versions."""
    from pypdf.errors import PdfReadError  # pypdf is loaded on first use: it is heavy, and only this command needs it

    try:
        with open(path, "rb") as handle:
            data = handle.read()
        if not data.startswith(b"%PDF-"):
            return Verdict(False, _("Not a PDF file: %(file)s cannot be a Tracer case report.", file=path))
        meta, text = _metadata(io.BytesIO(data))
    except (OSError, PdfReadError, ValueError, KeyError, TypeError) as error:
        return Verdict(False, _("Unreadable file: %(file)s (%(error)s).", file=path, error=type(error).__name__))
    reference, number, digest = meta[KEY_REFERENCE], meta[KEY_VERSION], meta[KEY_SHA256].lower()
    if not reference or not number.isascii() or not number.isdigit() or not _HASH.match(digest):
        return Verdict(False, _("Not a Tracer case report: the file carries no report version and hash."))
    if digest not in re.sub(r"\s+", "", text).lower():
        return Verdict(False, _("The hash differs: the report's footer does not show the hash its metadata holds; "
                                "the file was altered."))
    version = None if int(number) >= 2**31 else db.session.scalar(
        select(CaseReportVersion).join(Case, Case.id == CaseReportVersion.case_id)
        .where(Case.reference == reference, CaseReportVersion.number == int(number)))
    if version is None:
        return Verdict(False, _("Unknown version: no version %(number)s of the report of case %(reference)s is "
                                "stored.", number=number, reference=reference))
    if version.sha256 != digest:
        return Verdict(False, _("The hash differs: version %(number)s of the report of case %(reference)s has "
                                "hash %(stored)s, the file shows %(shown)s.", number=number, reference=reference,
                                stored=version.sha256, shown=digest))
    export = db.session.scalar(select(CaseReportExport).where(
        CaseReportExport.file_sha256 == hashlib.sha256(data).hexdigest(), CaseReportExport.version_id == version.id)
        .limit(1))
    if export is None:
        return Verdict(False, _("The hash differs: the file is not a copy of version %(number)s of the report of case "
                                "%(reference)s as Tracer exported it; it was altered after export.",
                                number=number, reference=reference))
    return Verdict(True, _("Matches: version %(number)s (%(kind)s) of the report of case %(reference)s, "
                           "SHA-256 %(hash)s.", number=number, reference=reference, hash=digest,
                           kind=_("approved") if version.kind == "approved" else _("draft")))
