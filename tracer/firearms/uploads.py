"""Adding photos to a firearm or a seizure, and serving stored files to those who may see them.

Files are served with the content type found when they were checked, a name
the server makes, ``nosniff`` and a sandboxing policy; PDFs are downloaded,
never shown in the page. Every upload and every download of a file is audited.
"""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, send_file, url_for
from flask_login import current_user

from tracer.audit.services import record
from tracer.core.access import roles
from tracer.core.errors import NotFound, ValidationFailed
from tracer.core.security import CSP
from tracer.core.translation import gettext as _
from tracer.extensions import db
from tracer.firearms import files
from tracer.firearms.forms import PhotoForm
from tracer.firearms.services import ensure_may_write, get_firearm
from tracer.firearms.views import render_firearm, too_large

bp = Blueprint("attachments", __name__)
case_workers = roles("officer", "analyst", "supervisor")
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "application/pdf": "pdf"}
FILE_POLICY = CSP + "; sandbox"  # a file opened in the browser runs nothing and reaches nothing


def _expired(form: PhotoForm) -> None:
    form.photo.errors = [_("The form has expired; reload the page and try again.")]


def _save_photo(form: PhotoForm, **owner):
    """Check and store the photo of ``form``; the attachment, or None after putting the error on the form."""
    attachment = None
    try:
        checked = files.check_file(form.photo.data, "photo", images_only=True)
        attachment = files.store(checked, user=current_user, strip_location=bool(form.remove_location.data),
                                 **owner)
        db.session.commit()
    except ValidationFailed as failure:
        db.session.rollback()
        files.discard(attachment)
        form.photo.errors = list(failure.fields.get("photo") or [failure.message])
        return None
    except Exception:
        db.session.rollback()
        files.discard(attachment)
        raise
    return attachment


def _saved_message(attachment) -> str:
    if attachment.exif_location_removed:
        return _("Photo added without its location. SHA-256: %(hash)s", hash=attachment.sha256)
    return _("Photo added. SHA-256: %(hash)s", hash=attachment.sha256)


@bp.post("/firearms/<int:firearm_id>/photos")
@case_workers
def firearm_photos(firearm_id: int):
    """Add a photo of a firearm."""
    firearm = get_firearm(current_user, firearm_id)
    ensure_may_write(current_user, firearm)
    form = PhotoForm()
    if not form.validate_on_submit():
        _expired(form)
        return render_firearm(firearm, photo_form=form, status=400)
    attachment = _save_photo(form, firearm=firearm)
    if attachment is None:
        return render_firearm(firearm, photo_form=form, status=400)
    flash(_saved_message(attachment), "success")
    return redirect(url_for("firearms.detail", firearm_id=firearm.id, _anchor="photos"))


@bp.post("/seizures/<int:seizure_id>/photos")
@case_workers
def seizure_photos(seizure_id: int):
    """Add a photo of a seizure (the place, the whole lot of evidence)."""
    from tracer.cases.services import ensure_may_edit
    from tracer.seizures.services import get_seizure
    from tracer.seizures.views import render_seizure

    seizure = get_seizure(current_user, seizure_id)
    ensure_may_edit(current_user, seizure.case)
    form = PhotoForm()
    if not form.validate_on_submit():
        _expired(form)
        return render_seizure(seizure, photo_form=form, status=400)
    attachment = _save_photo(form, seizure=seizure)
    if attachment is None:
        return render_seizure(seizure, photo_form=form, status=400)
    flash(_saved_message(attachment), "success")
    return redirect(url_for("seizures.detail", seizure_id=seizure.id, _anchor="photos"))


def _served(response: Response, attachment, disposition: str, suffix: str = "") -> Response:
    extension = "jpg" if suffix else EXTENSIONS.get(attachment.content_type, "bin")
    response.headers["Content-Disposition"] = f'{disposition}; filename="tracer-{attachment.id}{suffix}.{extension}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = FILE_POLICY
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/attachments/<int:attachment_id>")
@case_workers
def download(attachment_id: int):
    """The stored file, to a user who may see its firearm or seizure."""
    attachment = files.get_attachment(current_user, attachment_id)
    path = files.stored_path(attachment)
    if not path.is_file():
        raise NotFound(_("Not found."))
    record("attachment.download", object_type="attachment", object_id=attachment.id,
           case_id=files.case_of(attachment, current_user),
           details={"sha256": attachment.sha256, "firearm_id": attachment.firearm_id,
                    "seizure_id": attachment.seizure_id})
    db.session.commit()
    response = send_file(path, mimetype=attachment.content_type, conditional=False, etag=False)
    is_pdf = attachment.content_type == "application/pdf"
    return _served(response, attachment, "attachment" if is_pdf else "inline")


@bp.get("/attachments/<int:attachment_id>/thumbnail")
@case_workers
def thumbnail(attachment_id: int):
    """A small copy of a photo, without metadata, for the photo lists."""
    attachment = files.get_attachment(current_user, attachment_id)
    data = files.thumbnail(attachment)
    if data is None:
        raise NotFound(_("Not found."))
    return _served(Response(data, mimetype="image/jpeg"), attachment, "inline", "-small")


bp.register_error_handler(413, too_large)  # an oversized photo
