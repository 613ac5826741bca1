"""The batch serial search page: a pasted list or a file in, every line's answer out, as a page or CSV.

The CSV button sends the same list again (the pasted text, or the file's bytes
kept in the page) and the list is searched again: nothing about the answer is
kept on the server between the two requests.
"""
from __future__ import annotations

import base64
import binascii
import io

from flask import render_template, send_file
from flask_login import current_user
from wtforms.fields import SelectChoice

from tracer.core.access import roles
from tracer.core.errors import ValidationFailed
from tracer.core.forms import HiddenField, PageForm, RadioField, TextAreaField, UploadField, show_errors
from tracer.core.time import local_today
from tracer.core.translation import gettext as _
from tracer.core.translation import lazy_gettext as _l
from tracer.extensions import db
from tracer.search.batch import MAX_QUERIES, search_batch
from tracer.search.batch_export import batch_csv
from tracer.search.batch_input import MAX_UPLOAD_BYTES, queries_from_text, queries_from_upload
from tracer.search.forms import MODE_HINTS, MODE_LABELS
from tracer.search.query import MODES
from tracer.search.views import SEARCHERS, bp

# What a line's error names, by the service's field names.
LINE_FIELDS = {"q": _l("Serial number"), "mode": _l("Search mode"), "manufacturer": _l("Manufacturer")}


class BatchSearchForm(PageForm):
    """The list (pasted, or a file) and the mode of the lines that name none. The hidden
    fields carry the file's bytes from the result page to the CSV download."""

    serials = TextAreaField(_l("Serial numbers"), render_kw={
        "rows": 10, "autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"})
    file = UploadField(_l("Or a file"))
    mode = RadioField(_l("Search mode"), default="fuzzy", validate_choice=False,
                      choices=[SelectChoice(mode, MODE_LABELS[mode]) for mode in MODES])
    upload_data = HiddenField()
    upload_name = HiddenField()


def _file_bytes(form: BatchSearchForm) -> tuple[bytes, str] | None:
    """The chosen file, or the one the result page sent back; None for a pasted list."""
    upload = form.file.data
    if upload is not None and getattr(upload, "filename", None):
        return upload.stream.read(MAX_UPLOAD_BYTES + 1), upload.filename
    if form.upload_data.data:
        try:
            return base64.b64decode(form.upload_data.data, validate=True), form.upload_name.data or ""
        except (binascii.Error, ValueError):
            message = _("The list could not be sent again: choose the file once more.")
            raise ValidationFailed(message, {"file": [message]}) from None
    return None


def _run(form: BatchSearchForm, output: str):
    """Search the form's list; a bad list or file puts its message on the field at fault."""
    source = "file"
    try:
        chosen = _file_bytes(form)
        if chosen is None:
            source = "serials"
            queries = queries_from_text(form.serials.data)
        else:
            if (form.serials.data or "").strip():
                message = _("Paste a list or choose a file, not both.")
                raise ValidationFailed(message, {"file": [message]})
            data, name = chosen
            queries = queries_from_upload(data, name)
            form.upload_data.data = base64.b64encode(data).decode("ascii")
            form.upload_name.data = name[:200]
        return search_batch(current_user, queries, form.mode.data, output=output)
    except ValidationFailed as failure:
        show_errors(form, failure, aliases={"queries": source})
        return None


def _page(form: BatchSearchForm, batch=None, status: int = 200):
    return render_template("tracing/search_batch.html", form=form, batch=batch, hints=MODE_HINTS,
                           line_fields=LINE_FIELDS, mode_labels=MODE_LABELS, max_queries=MAX_QUERIES,
                           max_kb=MAX_UPLOAD_BYTES // 1024), status


@bp.route("/serial/batch", methods=["GET", "POST"])
@roles(*SEARCHERS)
def serial_batch():
    """Search a list of serials (one per line, or a text or CSV file) and show every line's answer."""
    form = BatchSearchForm()
    if not form.is_submitted():
        return _page(form)
    if not form.validate():
        return _page(form, status=400)
    batch = _run(form, "page")
    if batch is None:
        return _page(form, status=400)
    db.session.commit()  # every search, its restricted hits and the batch are audited
    return _page(form, batch)


@bp.post("/serial/batch.csv")
@roles(*SEARCHERS)
def serial_batch_csv():
    """The same list searched again and answered as a CSV file (one row per hit)."""
    form = BatchSearchForm()
    batch = _run(form, "csv") if form.validate() else None
    if batch is None:
        return _page(form, status=400)
    db.session.commit()
    return send_file(io.BytesIO(batch_csv(batch)), mimetype="text/csv", as_attachment=True,
                     download_name=f"serial-search-{local_today():%Y%m%d}.csv")
