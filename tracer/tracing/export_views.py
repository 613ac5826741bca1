"""Exports of trace requests: the filtered list as CSV, one request as a printable form."""
from __future__ import annotations

import tempfile

from flask import render_template, request, send_file
from flask_babel import force_locale, get_locale
from flask_login import current_user
from sqlalchemy.orm import joinedload

from tracer.audit.services import record
from tracer.core.time import local_today
from tracer.extensions import db
from tracer.tracing import request_lists
from tracer.tracing import requests as services
from tracer.tracing.export import COLUMNS, ExportedPeople, csv_lines, people_on_request, request_values
from tracer.tracing.models import TraceRequest
from tracer.tracing.views import _list_form, bp, readers

LANGUAGES = ("es", "en")
# Past this size the CSV being written moves from memory to a temporary file.
SPOOL_BYTES = 8 * 1024 * 1024


@bp.get("/trace-requests/export.csv")
@readers
def export_csv():
    """The trace requests of the list's filters as CSV (UTF-8 with a byte-order mark), in the user's language.

    The file is written whole before it is sent (in memory, then on disk past a few
    megabytes), so an error half-way answers an error page, not a cut file.
    """
    form = _list_form()
    # A bad filter raises ValidationFailed: the error page names it, nothing is exported.
    statement = request_lists.filtered_requests(current_user, form.filters())
    rows = db.session.scalars(statement.options(joinedload(TraceRequest.firearm), joinedload(TraceRequest.requested_by),
                                                joinedload(TraceRequest.requesting_agency))
                              .execution_options(yield_per=500))
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    lines = -1  # the header is not a request
    people = ExportedPeople(current_user)
    for line in csv_lines(rows, people):
        spool.write(line.encode("utf-8"))
        lines += 1
    spool.seek(0)
    people.audit()
    record("trace_request.export", object_type="trace_request",
           details={"format": "csv", "rows": lines, "filters": form.args()})
    db.session.commit()
    return send_file(spool, mimetype="text/csv", as_attachment=True,
                     download_name=f"trace-requests-{local_today():%Y%m%d}.csv")


@bp.get("/trace-requests/<int:trace_request_id>/print")
@readers
def print_request(trace_request_id: int):
    """One request laid out like ATF Form 3312.1, for printing, in the user's language or ``?lang=es|en``."""
    trace = services.get_trace_request(current_user, trace_request_id)
    chosen = request.args.get("lang")
    language = chosen if chosen in LANGUAGES else str(get_locale() or "es")
    record("trace_request.export", object_type="trace_request", object_id=trace.id, case_id=trace.case_id,
           details={"format": "print", "language": language, "trace_number": trace.trace_number})
    with force_locale(language):
        people = people_on_request(current_user, trace)
        db.session.commit()
        return render_template("tracing/print.html", trace_request=trace, values=request_values(trace),
                               columns=dict(COLUMNS), language=language, people=people)

