"""The seizure import as a page: upload a CSV file, read the report in the browser."""
from __future__ import annotations

from flask import Blueprint, Response, render_template
from flask_login import current_user
from flask_wtf.file import FileRequired

from tracer.core.access import roles
from tracer.core.forms import BooleanField, PageForm, UploadField
from tracer.core.translation import lazy_gettext as _l
from tracer.seizures.import_template import template_workbook
from tracer.seizures.importing import import_seizures
from tracer.seizures.importing_csv import COLUMNS, REQUIRED_COLUMNS

bp = Blueprint("seizure_import", __name__)


class ImportForm(PageForm):
    file = UploadField(_l("CSV or Excel file"), validators=[FileRequired(_l("Choose the CSV or Excel file to import."))],
                     render_kw={"accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument."
                                          "spreadsheetml.sheet"})
    partial = BooleanField(_l("Import the seizures without errors and report the rest"))
    dry_run = BooleanField(_l("Only check the file (write nothing)"))


@bp.route("/seizures/import", methods=["GET", "POST"])
@roles("officer", "analyst", "supervisor")
def upload():
    """The upload form; after a POST, the import's report under it."""
    form = ImportForm()
    report, status = None, 200
    if form.validate_on_submit():
        upload = form.file.data
        report = import_seizures(current_user._get_current_object(), upload.stream,
                                 partial=form.partial.data, dry_run=form.dry_run.data,
                                 source=(upload.filename or "")[:200] or None)
        status = 422 if report.rejected else 200
    elif form.errors:
        status = 400
    return render_template("seizures/import.html", form=form, report=report, columns=COLUMNS,
                           required=REQUIRED_COLUMNS), status


@bp.get("/seizures/import/template.xlsx")
@roles("officer", "analyst", "supervisor")
def template():
    """The import template: the columns, an example row and the allowed values, in the reader's language."""
    return Response(template_workbook(), headers={"Content-Disposition": 'attachment; filename="seizures-template.xlsx"'},
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
