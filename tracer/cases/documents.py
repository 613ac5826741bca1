"""Documents of a case itself (official letters, reports, photos of the file), kept in the
project's one upload store (``tracer.firearms.files``): checked by content, bounded in size,
stored under server-made names, hashed with SHA-256, served with a safe Content-Disposition
by the attachments download route to whoever may see the case. Uploads and downloads are audited."""
from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from tracer.auth.models import User
from tracer.cases.models import Case
from tracer.cases.services import ensure_may_edit, get_case
from tracer.extensions import db
from tracer.firearms import files
from tracer.firearms.models import Attachment


def _case_in_scope(user: User, case_id: int) -> int:
    return get_case(user, case_id).id


def init_app(app: Flask) -> None:
    """Let the attachments route serve a case's documents to those who may see the case."""
    files.register_owner("case_id", _case_in_scope)


def add_document(user: User, case: Case, storage) -> Attachment:
    """Check and store an uploaded file (a werkzeug ``FileStorage``) as a document of ``case``.
    ``ValidationFailed`` names ``document``. The caller commits, and calls ``files.discard``
    with the attachment if the commit fails."""
    ensure_may_edit(user, case)
    checked = files.check_file(storage, "document")
    return files.store(checked, user=user, purpose="case_document", field="document", owner=("case_id", case.id),
                       case_id=case.id)


def case_documents(case: Case) -> list[Attachment]:
    """The documents of ``case``, newest first (a case holds a handful)."""
    return list(db.session.scalars(select(Attachment).where(Attachment.case_id == case.id)
                                   .order_by(Attachment.id.desc()).limit(200)))
