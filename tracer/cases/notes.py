"""Notes on a case: what the people working it write down as they go.

Officers, analysts and supervisors who may see a case write and read its notes
(an agency the case is shared with too). A note is never edited: a correction is
a new note. Every note written is audited, without its text (which may name people).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tracer.audit.services import record
from tracer.auth.models import User
from tracer.cases.models import Case, CaseNote
from tracer.cases.services import CASE_WRITERS, named_user
from tracer.core.errors import Forbidden, ValidationFailed
from tracer.core.pagination import KeysetPage, keyset_page
from tracer.core.text import forbidden_character
from tracer.core.translation import gettext as _
from tracer.extensions import db

NOTE_MAX = 5_000
NOTES_PER_PAGE = 10


def may_write_notes(user: User) -> bool:
    """Case workers write notes on the cases they can see."""
    return user.active and user.role in CASE_WRITERS


def add_note(user: User, case: Case, body: Any) -> CaseNote:
    """Write a note on ``case`` (which ``user`` can see). ``ValidationFailed`` names ``body``."""
    if not may_write_notes(user):
        raise Forbidden(_("Your role does not allow writing notes on cases."))
    text = body.strip() if isinstance(body, str) else ""
    problem = None
    if not text:
        problem = _("Write the note.")
    elif len(text) > NOTE_MAX:
        problem = _("At most %(n)d characters.", n=NOTE_MAX)
    elif forbidden_character(text, allow_newlines=True) is not None:
        problem = _("Contains an invisible or control character.")
    if problem:
        raise ValidationFailed(_("Please correct the marked fields."), {"body": [problem]})
    note = CaseNote(case_id=case.id, author_id=user.id, body=text)
    db.session.add(note)
    db.session.flush()
    record("case.note_add", object_type="case_note", object_id=note.id, case_id=case.id, actor=user,
           details={"length": len(text)})
    return note


# A note shows its author's name.
NOTE_AUTHOR = named_user(CaseNote.author)


def case_notes(case: Case, cursor: Any = None) -> KeysetPage:
    """The notes of ``case``, newest first, a page at a time (along ix_case_notes_case_id_id)."""
    return keyset_page(select(CaseNote).where(CaseNote.case_id == case.id).options(NOTE_AUTHOR),
                       CaseNote.id, cursor,
                       NOTES_PER_PAGE, list_name=f"case-notes-{case.id}", count=False)
