"""The case report: a printable page in the reader's language and its PDF (a stable address)."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import get_locale
from flask_login import current_user

from tracer.cases.services import get_case
from tracer.core.access import roles
from tracer.core.errors import DomainError
from tracer.core.translation import gettext as _
from tracer.extensions import db
from tracer.reports import services
from tracer.reports.context import ReportContext, report_context
from tracer.reports.pdf import PAPER_SIZES, file_name, render_pdf
from tracer.reports.static_map import case_map

bp = Blueprint("reports", __name__)
# Anyone may ask; the case scope answers: officers, analysts and supervisors who may see the case,
# a liaison only for a case shared with their agency, and nobody for administrators and auditors
# (their scope holds no case, so they are answered "not found" like any case out of scope).
report_readers = roles("officer", "analyst", "supervisor", "liaison", "admin", "auditor")
PRINT_CSS = "css/report-print.css"


def _map(report: ReportContext):
    content = report.content
    points = [("seizure", f"S{n}", s["latitude"], s["longitude"]) for n, s in enumerate(content["seizures"], 1)]
    points += [("scene", f"E{n}", s["latitude"], s["longitude"]) for n, s in enumerate(content["scenes"], 1)]
    return case_map(points, _("Map of the seizures and scenes"))


@bp.get("/cases/<int:case_id>/report")
@report_readers
def case_report(case_id: int):
    """The report: the approved version of an approved case, a stored version when asked
    (``?version=N``), otherwise the current draft; with the stored versions listed."""
    case = get_case(current_user, case_id)
    if request.args.get("version"):
        version = services.get_version(case, request.args["version"])
    else:
        version = services.approved_version(case)
    report = report_context(current_user, case, version, where="case_report")
    if version is None:  # the current draft: already stored when it was printed before
        report.version = services.stored_as(case, report.sha256)
    db.session.commit()  # the personal-data reads, if any
    return render_template("reports/report.html", case=case, report=report, report_map=_map(report),
                           versions=services.list_versions(case))


@bp.get("/cases/<int:case_id>/report.pdf")
@report_readers
def case_report_pdf(case_id: int):
    """The report as PDF (``?paper=letter|a4``, ``?version=N``): a stored version, so that
    ``reports verify`` can check the printout later. Audited as ``report.export``."""
    case = get_case(current_user, case_id)
    paper = request.args.get("paper") or "letter"
    if paper not in PAPER_SIZES:
        raise DomainError(_("Paper size: choose letter or a4."))
    if request.args.get("version"):
        version = services.get_version(case, request.args["version"])
    else:
        version = services.version_to_print(current_user, case)
    report = report_context(current_user, case, version, where="case_report_pdf")
    language = str(get_locale() or "es")
    html = render_template("reports/print.html", report=report, report_map=_map(report), paper=paper,
                           reader=current_user, language=language)
    pdf = render_pdf(html, request.url_root, stylesheet=f"{current_app.static_folder}/{PRINT_CSS}",
                     reference=case.reference, version=version.number, sha256=version.sha256,
                     title=f"{_('Case report')} {case.reference}")
    services.record_export(current_user, case, version, pdf, paper=paper, language=language,
                           redacted=report.redacted)
    db.session.commit()
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{file_name(case.reference, version.number)}"',
        "Cache-Control": "no-store"})
