"""The case workflow: who moves a case between statuses, and how (SPEC §3).

``open`` → ``investigating`` → ``in_review`` → ``approved`` → ``closed``, with
``return`` (in review back to investigating, with the supervisor's comments) and
``reopen`` (closed back to investigating, by a supervisor, with a reason).

Who may act:

- ``start``: a case worker who may edit the case (officers, analysts and
  supervisors of the owning agency, or of a federal agency);
- ``submit``: the same, with a summary of the findings (required); each
  submission opens a review round, kept with its decision;
- ``approve`` and ``return``: a supervisor of the owning agency or of a federal
  agency, never on a case they lead nor on a round they submitted; returning
  needs a comment (general or on a section);
- ``close``: such a supervisor, or the lead officer, with the closure outcome;
- ``reopen``: such a supervisor, with a reason.

A transition is one guarded UPDATE (``WHERE status = :from``): of two people
acting at once, one moves the case and the other is told it has moved
(``Conflict``). It is audited in the same transaction, then announced through
``case_transitioned``. The caller commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from tracer.audit.services import record
from tracer.auth.models import User
from tracer.cases.models import REVIEW_SECTIONS, Case, CaseReview, ReviewComment
from tracer.cases.services import may_edit, named_user
from tracer.cases.signals import case_transitioned
from tracer.core.errors import Conflict, Forbidden, ValidationFailed
from tracer.core.models import utcnow
from tracer.core.text import forbidden_character
from tracer.core.translation import gettext as _
from tracer.extensions import db

COMMENT_MAX = 10_000


@dataclass(frozen=True)
class Transition:
    action: str
    from_status: str
    to_status: str
    comment_required: bool


TRANSITIONS = {t.action: t for t in (
    Transition("start", "open", "investigating", False),
    Transition("submit", "investigating", "in_review", True),
    Transition("approve", "in_review", "approved", False),
    Transition("return", "in_review", "investigating", True),
    Transition("close", "approved", "closed", True),
    Transition("reopen", "closed", "investigating", True),
)}
ACTIONS = tuple(TRANSITIONS)


def is_reviewer(user: User, case: Case) -> bool:
    """A supervisor of the owning agency, or a federal supervisor."""
    return (user.active and user.role == "supervisor"
            and (case.owner_agency_id == user.agency_id or user.agency.level == "federal"))


def current_round(case: Case) -> CaseReview | None:
    """The latest review round of ``case`` (the one under review when the case is in review)."""
    return db.session.scalar(select(CaseReview).where(CaseReview.case_id == case.id)
                             .order_by(CaseReview.round.desc()).limit(1))


_UNREAD = object()


def refusal(user: User, case: Case, action: str, latest=_UNREAD) -> str | None:
    """Why ``user`` may not take ``action`` on ``case`` whatever its status; None when they may.
    ``latest``: the case's latest review round when the caller has read it already."""
    if action in ("start", "submit"):
        if not may_edit(user, case):
            return _("Only officers, analysts and supervisors of the agency that owns this case "
                     "(or of a federal agency) may do this.")
        return None
    if action == "close" and user.id == case.lead_officer_id and may_edit(user, case):
        return None
    if not is_reviewer(user, case):
        return _("Only a supervisor of the agency that owns this case (or a federal supervisor) may do this.")
    if action in ("approve", "return"):
        if case.lead_officer_id == user.id:
            return _("You lead this case: another supervisor reviews it.")
        review = current_round(case) if latest is _UNREAD else latest
        if review is not None and review.submitted_by_id == user.id:
            return _("You submitted this case for review: another supervisor reviews it.")
    return None


def allowed_actions(user: User, case: Case, rounds: list[CaseReview] | None = None) -> list[str]:
    """The actions ``user`` may take on ``case`` now (for the buttons a page shows); ``rounds``:
    the case's review rounds, newest first, when the caller has read them already."""
    latest = (rounds[0] if rounds else None) if rounds is not None else _UNREAD
    return [action for action, t in TRANSITIONS.items()
            if t.from_status == case.status and refusal(user, case, action, latest) is None]


def _clean_comment(value: Any, field: str, required: bool, fields: dict[str, list[str]]) -> str | None:
    if value is not None and not isinstance(value, str):
        fields.setdefault(field, []).append(_("Wrong type of value."))
        return None
    text = (value or "").strip() or None
    if text is not None and forbidden_character(text, allow_newlines=True) is not None:
        fields.setdefault(field, []).append(_("Contains an invisible or control character."))
    elif text is not None and len(text) > COMMENT_MAX:
        fields.setdefault(field, []).append(_("At most %(n)d characters.", n=COMMENT_MAX))
    elif text is None and required:
        fields.setdefault(field, []).append(_("This field is required."))
    return text


def _required_message(action: str) -> str:
    return {
        "submit": _("Write a summary of the findings for the reviewer."),
        "return": _("Say what needs revising: a comment, or a comment on a section."),
        "close": _("Write the outcome the case closes with."),
        "reopen": _("Write why the case is reopened."),
    }.get(action, _("This field is required."))


def _clean_sections(sections: Any, fields: dict[str, list[str]]) -> dict[str, str]:
    clean: dict[str, str] = {}
    if sections in (None, {}):
        return clean
    if not isinstance(sections, dict):
        fields.setdefault("sections", []).append(_("Wrong type of value."))
        return clean
    for section, text in sections.items():
        if section not in REVIEW_SECTIONS:
            fields.setdefault("sections", []).append(
                _("Not one of the allowed values: %(values)s.", values=", ".join(REVIEW_SECTIONS)))
            continue
        value = _clean_comment(text, f"sections.{section}", False, fields)
        if value:
            clean[section] = value
    return clean


def transition(user: User, case: Case, action: Any, comment: Any = None,
               sections: dict[str, str] | None = None) -> Case:
    """Move ``case`` (which ``user`` can see) by ``action``, one of ``ACTIONS``.

    ``comment`` is the summary of findings (``submit``), the supervisor's comment
    (``approve``, ``return``), the closure outcome (``close``) or the reason
    (``reopen``); ``sections`` maps section codes (``REVIEW_SECTIONS``) to a
    reviewer's comments when returning. Raises ``ValidationFailed`` (unknown action,
    missing or bad comment), ``Forbidden`` (this user may not), ``Conflict`` (the
    case is not in the status the action starts from, or moved meanwhile).
    """
    if action not in TRANSITIONS:
        raise ValidationFailed(_("Please correct the marked fields."), {"action": [
            _("Not one of the allowed values: %(values)s.", values=", ".join(ACTIONS))]})
    step = TRANSITIONS[action]
    why_not = refusal(user, case, action)
    if why_not:
        raise Forbidden(why_not)
    if case.status != step.from_status:
        raise _wrong_status(case, step)
    fields: dict[str, list[str]] = {}
    clean_sections = _clean_sections(sections, fields) if action == "return" else {}
    needs_comment = step.comment_required and not (action == "return" and clean_sections)
    text = _clean_comment(comment, "comment", False, fields)
    if needs_comment and text is None and "comment" not in fields:
        fields["comment"] = [_required_message(action)]
    if fields:
        raise ValidationFailed(_("Please correct the marked fields."), fields)

    now = utcnow()
    values: dict[str, Any] = {"status": step.to_status, "version": Case.version + 1, "updated_at": now}
    if action == "submit":
        values["submitted_at"] = now
    if action == "close":
        values.update(closed_at=now, closure_outcome=text)
    if action == "reopen":
        values["closed_at"] = None
    moved = db.session.execute(
        update(Case).where(Case.id == case.id, Case.status == step.from_status).values(**values)
        .execution_options(synchronize_session=False))
    if moved.rowcount != 1:
        db.session.refresh(case)
        raise _wrong_status(case, step)
    db.session.refresh(case)
    round_number = _record_round(user, case, action, text, clean_sections, now)
    record("case.transition", object_type="case", object_id=case.id, case_id=case.id, actor=user,
           details={"action": action, "from": step.from_status, "to": step.to_status, "round": round_number,
                    "comment": text, "sections": clean_sections or None})
    case_transitioned.send(user, case=case, action=action, from_status=step.from_status,
                           to_status=step.to_status, comment=text)
    return case


def _wrong_status(case: Case, step: Transition) -> Conflict:
    from tracer.cases.forms import status_labels

    labels = status_labels()
    return Conflict(_("This case is %(status)s; this can only be done to a case that is %(required)s.",
                      status=labels[case.status], required=labels[step.from_status]),
                    {"status": case.status, "required_status": step.from_status, "version": case.version})


def _record_round(user: User, case: Case, action: str, text: str | None, sections: dict[str, str],
                  now) -> int | None:
    """Open a review round on submission; write the decision (and comments) on approval or return."""
    if action == "submit":
        number = (db.session.scalar(select(func.max(CaseReview.round)).where(CaseReview.case_id == case.id)) or 0) + 1
        db.session.add(CaseReview(case_id=case.id, round=number, findings=text, submitted_by_id=user.id,
                                  submitted_at=now))
        db.session.flush()
        return number
    if action in ("approve", "return"):
        review = current_round(case)
        if review is None:  # a case put in review before rounds were kept
            review = CaseReview(case_id=case.id, round=1, findings="", submitted_at=now)
            db.session.add(review)
        review.decision = "approved" if action == "approve" else "returned"
        review.decision_comment, review.decided_by_id, review.decided_at = text, user.id, now
        for section, comment in sections.items():
            review.comments.append(ReviewComment(section=section, comment=comment))
        db.session.flush()
        return review.round
    return None


# A review round shows its comments and the names of who submitted and who decided it.
REVIEW_PEOPLE = (joinedload(CaseReview.comments), named_user(CaseReview.submitted_by), named_user(CaseReview.decided_by))


def review_rounds(case: Case) -> list[CaseReview]:
    """Every review round of ``case``, newest first, with its comments and people (one statement)."""
    return list(db.session.scalars(
        select(CaseReview).where(CaseReview.case_id == case.id)
        .options(*REVIEW_PEOPLE)
        .order_by(CaseReview.round.desc())).unique())


def open_comments(case: Case, rounds: list[CaseReview] | None = None) -> dict[str, list[str]]:
    """The comments of the last return, by section, while the case is being revised
    (shown beside the sections of the case page); ``rounds`` as ``review_rounds`` gives them."""
    if case.status != "investigating":
        return {}
    review = current_round(case) if rounds is None else (rounds[0] if rounds else None)
    if review is None or review.decision != "returned":
        return {}
    found: dict[str, list[str]] = {}
    for comment in review.comments:
        found.setdefault(comment.section, []).append(comment.comment)
    return found
