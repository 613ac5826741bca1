"""Photos and documents of the evidence: checked by content, stored under server-made names.

A file is accepted only when its bytes are a JPEG, PNG or WebP image that
Pillow decodes within the memory budget of ``images``, or a PDF; the name and the content type the browser sends are
never trusted. Files live under ``UPLOAD_FOLDER`` (outside ``static/``) as
``ab/abcdef….jpg``; the name the user gave is kept only as display text. The
SHA-256 of the stored bytes goes into the record, the audit trail and the
printed chain of custody.

Photo location (EXIF GPS) is evidence and is kept unless the uploader asks to
remove it; then the image is saved again without it (a JPEG's picture untouched)
and the new file is hashed.
"""
from __future__ import annotations

import hashlib
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Callable

from flask import current_app

from tracer.audit.services import record
from tracer.core.errors import ValidationFailed, is_storage_full, storage_full_message
from tracer.core.text import BIDI_CONTROLS, ZERO_WIDTH
from tracer.core.translation import gettext as _
from tracer.extensions import db
from tracer.firearms import images
from tracer.firearms.models import Attachment

# Signature → (content type, extension). WebP is "RIFF????WEBP".
IMAGE_TYPES = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
PDF_TYPE = ("application/pdf", "pdf")
ORIGINAL_NAME_MAX = 200


@dataclass
class CheckedFile:
    data: bytes
    content_type: str
    extension: str
    original_name: str


def _fail(field: str, message: str) -> None:
    raise ValidationFailed(_("Please correct the marked fields."), {field: [message]})


def sniff(data: bytes) -> str | None:
    """The kind of file the bytes hold: JPEG, PNG, WEBP, PDF or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data.startswith(b"%PDF-"):
        return "PDF"
    return None


def display_name(name: str | None) -> str:
    """The uploader's file name reduced to harmless display text (never a path)."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(c for c in name if c not in BIDI_CONTROLS and c not in ZERO_WIDTH
                   and unicodedata.category(c)[0] != "C")
    name = name.strip(" .")
    return name[-ORIGINAL_NAME_MAX:] or "file"


def read_limited(stream: IO[bytes], field: str) -> bytes:
    """The upload's bytes, refusing more than ``UPLOAD_MAX_BYTES``."""
    limit = int(current_app.config.get("UPLOAD_MAX_BYTES", 15 * 1024 * 1024))
    data = stream.read(limit + 1)
    if len(data) > limit:
        _fail(field, too_large_message())
    return data


def too_large_message() -> str:
    limit = int(current_app.config.get("UPLOAD_MAX_BYTES", 15 * 1024 * 1024))
    if limit >= 1024 * 1024:
        size = _("%(n)d MB", n=limit // (1024 * 1024))
    else:
        size = _("%(n)d KB", n=max(1, limit // 1024))
    return _("The file is too large: at most %(size)s per file.", size=size)


def too_many_pixels_message() -> str:
    return _("The photo has too many pixels to be processed safely. Send a smaller copy: a standard "
             "JPEG of up to %(limit)d megapixels is accepted.", limit=images.MAX_PIXELS // 1_000_000)


def check_file(storage, field: str, images_only: bool = False) -> CheckedFile:
    """Check an uploaded file (a werkzeug ``FileStorage``) by its content."""
    if storage is None or not getattr(storage, "filename", None):
        _fail(field, _("Choose a file."))
    data = read_limited(storage.stream, field)
    if not data:
        _fail(field, _("The file is empty."))
    kind = sniff(data)
    allowed = _("Only JPEG, PNG or WebP photos are accepted.") if images_only else \
        _("Only JPEG, PNG or WebP photos and PDF documents are accepted.")
    if kind is None or (images_only and kind == "PDF"):
        _fail(field, allowed)
    if kind == "PDF":
        return CheckedFile(data, *PDF_TYPE, display_name(storage.filename))
    try:
        decodes = images.check_decodes(data, kind)
    except images.TooLarge:
        _fail(field, too_many_pixels_message())
    if not decodes:
        _fail(field, _("The photo could not be read; the file may be damaged.") + " " + allowed)
    return CheckedFile(data, *IMAGE_TYPES[kind], display_name(storage.filename))


def upload_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def stored_path(attachment: Attachment) -> Path:
    return upload_folder() / attachment.stored_name


# Rooms built on this one keep files too (a ballistic item's photos, an examiner's comparison
# photos): each names its attachment column and how to find the owning record through a
# user's scope, returning its case id (raising ``NotFound`` when out of scope).
_OWNERS: dict[str, Callable[[Any, int], int | None]] = {}


def register_owner(column: str, case_in_scope: Callable[[Any, int], int | None]) -> None:
    """Let attachments whose ``column`` is set be served to users for whom
    ``case_in_scope(user, owner_id)`` finds the owner (it returns the owner's case id)."""
    _OWNERS[column] = case_in_scope


def store(checked: CheckedFile, *, user, firearm=None, seizure=None, strip_location: bool = False,
          purpose: str = "photo", field: str = "photo", owner: tuple[str, int] | None = None,
          case_id: int | None = None) -> Attachment:
    """Write the file under a new random name and add its ``Attachment`` row, belonging to
    ``firearm``, ``seizure`` or ``owner`` (a column registered by ``register_owner`` and an
    id; ``case_id`` is then the owner's case, for the audit trail).

    The caller commits, and calls ``discard`` if the transaction fails."""
    data = checked.data
    removed = False
    if strip_location and checked.content_type.startswith("image/"):
        try:
            data = images.without_location(data)
        except images.TooLarge:
            _fail(field, too_many_pixels_message())
        removed = True
    digest = hashlib.sha256(data).hexdigest()
    token = secrets.token_hex(16)
    stored_name = f"{token[:2]}/{token}.{checked.extension}"
    path = upload_folder() / stored_name
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "xb") as handle:  # never overwrite
            handle.write(data)
        os.chmod(path, 0o600)
    except OSError as error:
        _remove_partial(path)
        if not is_storage_full(error):
            raise
        current_app.logger.error("upload not stored, the disk is full: %s", error)
        _fail(field, storage_full_message())
    attachment = Attachment(
        firearm_id=getattr(firearm, "id", None), seizure_id=getattr(seizure, "id", None),
        stored_name=stored_name, original_name=checked.original_name, content_type=checked.content_type,
        size_bytes=len(data), sha256=digest, exif_location_removed=removed, uploaded_by_id=user.id)
    if owner is not None:
        setattr(attachment, owner[0], owner[1])
    db.session.add(attachment)
    db.session.flush()
    if case_id is None:
        case_id = firearm.case_id if firearm is not None else getattr(seizure, "case_id", None)
    record("attachment.upload", object_type="attachment", object_id=attachment.id, case_id=case_id, actor=user,
           details={"purpose": purpose, "firearm_id": attachment.firearm_id, "seizure_id": attachment.seizure_id,
                    **({owner[0]: owner[1]} if owner else {}), "sha256": digest, "size_bytes": len(data), "content_type": checked.content_type,
                    "original_name": checked.original_name, "exif_location_removed": removed})
    return attachment


def _remove_partial(path: Path) -> None:
    """A file that could not be written whole leaves nothing behind."""
    try:
        path.unlink(missing_ok=True)
    except OSError:
        current_app.logger.error("could not remove the partly written upload %s", path)


def discard(attachment: Attachment | None) -> None:
    """Remove a stored file whose record was not saved."""
    if attachment is None:
        return
    try:
        (upload_folder() / attachment.stored_name).unlink(missing_ok=True)
    except OSError:
        pass


def get_attachment(user, attachment_id: int) -> Attachment:
    """The attachment if ``user`` may see the firearm or seizure it belongs to; ``NotFound`` otherwise."""
    from tracer.core.errors import NotFound
    from tracer.firearms.services import get_firearm
    from tracer.seizures.services import get_seizure

    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound(_("Not found."))
    if attachment.firearm_id is not None:
        get_firearm(user, attachment.firearm_id)
    elif attachment.seizure_id is not None:
        get_seizure(user, attachment.seizure_id)
    else:
        for column, case_in_scope in _OWNERS.items():
            if getattr(attachment, column) is not None:
                case_in_scope(user, getattr(attachment, column))
                return attachment
        raise NotFound(_("Not found."))
    return attachment


def case_of(attachment: Attachment, user=None) -> int | None:
    """The case of the record that owns ``attachment`` (``user``, who may see it, reads
    the records of other rooms through their scope)."""
    from tracer.firearms.models import Firearm
    from tracer.seizures.models import Seizure

    if attachment.firearm_id is None and attachment.seizure_id is None:
        for column, case_in_scope in _OWNERS.items():
            if getattr(attachment, column) is not None and user is not None:
                return case_in_scope(user, getattr(attachment, column))
        return None

    owner = (db.session.get(Firearm, attachment.firearm_id) if attachment.firearm_id is not None
             else db.session.get(Seizure, attachment.seizure_id))
    return getattr(owner, "case_id", None)


def thumbnail(attachment: Attachment, size: int = 480) -> bytes | None:
    """A small JPEG of a photo, without any metadata, for pages that list photos.
    Made once and kept beside the file (``….small.jpg``)."""
    if not attachment.content_type.startswith("image/"):
        return None
    source = stored_path(attachment)
    small = source.with_name(source.stem + ".small.jpg")
    if small.is_file():
        return small.read_bytes()
    try:
        data = images.thumbnail(str(source), size)
    except Exception:  # a missing, unreadable or oversized file is simply not shown
        return None
    partial = small.with_name(f"{small.name}.{secrets.token_hex(4)}.part")
    try:
        partial.write_bytes(data)
        os.replace(partial, small)  # another process may be writing the same copy: the last one wins, whole
    except OSError:  # a full disk: the copy is served without being kept
        _remove_partial(partial)
    return data
