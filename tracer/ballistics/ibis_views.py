"""The IBIS import as a page: an examiner uploads a correlation list and reads the report."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from flask_wtf.file import FileRequired

from tracer.ballistics.ibis_import import LAYOUT, import_ibis_leads
from tracer.core.access import roles
from tracer.core.forms import BooleanField, PageForm, UploadField
from tracer.core.translation import lazy_gettext as _l

bp = Blueprint("ibis_import", __name__)


class IbisImportForm(PageForm):
    file = UploadField(_l("CSV file"), validators=[FileRequired(_l("Choose the CSV file to import."))])
    partial = BooleanField(_l("Create the leads without errors and report the rest"))
    dry_run = BooleanField(_l("Only check the file (write nothing)"))


@bp.route("/ballistics/ibis-leads/import", methods=["GET", "POST"])
@roles("analyst")
def upload():
    """The upload form; after a POST, the import's report under it. Examiners (analysts) only:
    leads are theirs to draw and decide."""
    form = IbisImportForm()
    report, status = None, 200
    if form.validate_on_submit():
        upload = form.file.data
        report = import_ibis_leads(upload.stream, user=current_user._get_current_object(),
                                   partial=form.partial.data, dry_run=form.dry_run.data,
                                   source=(upload.filename or "")[:200] or None)
        status = 422 if report.rejected else 200
    elif form.errors:
        status = 400
    return render_template("ballistics/ibis_import.html", form=form, report=report, columns=LAYOUT.columns,
                           required=LAYOUT.required), status
