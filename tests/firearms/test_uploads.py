"""Photos and documents: checked by content, bounded, stored under server names, hashed, served safely."""
from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from tests import factories
from tests.seizures.helpers import field_error, gps_of, jpeg, new_case, text
from tracer.audit.models import AuditEvent
from tracer.extensions import db
from tracer.firearms.models import Attachment

SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
       b'<script>alert(document.cookie)</script></svg>')
HTML = b"<!doctype html><html><body><script>fetch('/api/v1/me')</script></body></html>"


@pytest.fixture
def uploads(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    return tmp_path / "uploads"


@pytest.fixture
def scene(login_as, uploads):
    officer = login_as("officer", "FGE-SON", locale="en")
    seizure = factories.seizure(new_case(officer.user), officer.user)
    db.session.commit()
    return officer, seizure, seizure.firearms[0]


def send(officer, firearm, data: bytes, name: str, **fields):
    return officer.post(f"/firearms/{firearm.id}/photos", {"photo": (io.BytesIO(data), name), **fields},
                        token_from=f"/firearms/{firearm.id}", content_type="multipart/form-data")


def stored(uploads: Path) -> list[Path]:
    return [p for p in uploads.rglob("*") if p.is_file()] if uploads.exists() else []


def attachments() -> int:
    return db.session.scalar(select(func.count()).select_from(Attachment))


def test_a_photo_is_stored_under_a_server_name_and_hashed(scene, uploads):
    officer, _seizure, firearm = scene
    data = jpeg()
    response = send(officer, firearm, data, "IMG_0001.JPG")
    assert response.status_code == 302
    attachment = db.session.scalar(select(Attachment))
    files = stored(uploads)
    assert len(files) == 1 and files[0].read_bytes() == data
    assert attachment.sha256 == hashlib.sha256(files[0].read_bytes()).hexdigest()
    assert "IMG_0001" not in attachment.stored_name and attachment.original_name == "IMG_0001.JPG"
    assert attachment.content_type == "image/jpeg" and attachment.size_bytes == len(data)
    page = text(officer.get(response.headers["Location"]))
    assert f"SHA-256: {attachment.sha256}" in page  # the confirmation
    assert f'src="/attachments/{attachment.id}/thumbnail"' in page
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "attachment.upload"))
    assert event.details["sha256"] == attachment.sha256 and event.case_id == firearm.case_id


@pytest.mark.parametrize("data, name", [
    (HTML, "foto.jpg"),
    (SVG, "escudo.svg"),
    (SVG, "escudo.png"),
    (b"GIF89a" + b"\x00" * 40, "anim.gif"),
    (b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 20, "broken.jpg"),
    (b"%PDF-1.4 a document", "acta.jpg"),  # PDFs are documents, not photos
    (b"", "empty.jpg"),
])
def test_files_that_are_not_photos_are_refused(scene, uploads, data, name):
    officer, _seizure, firearm = scene
    response = send(officer, firearm, data, name)
    assert response.status_code == 400
    assert field_error(text(response), "photo")
    assert attachments() == 0 and stored(uploads) == []


def test_a_file_over_the_configured_limit_is_refused_with_a_message(scene, uploads, app, monkeypatch):
    officer, _seizure, firearm = scene
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 2048)
    response = send(officer, firearm, jpeg(size=(600, 400)) + b"\x00" * 4096, "big.jpg")
    assert response.status_code == 400
    assert "The file is too large: at most 2 KB per file." in field_error(text(response), "photo")
    assert attachments() == 0 and stored(uploads) == []


def test_a_body_over_the_request_limit_gets_a_clear_message(scene, uploads, app, monkeypatch):
    officer, _seizure, firearm = scene
    page = f"/firearms/{firearm.id}"
    token = officer.client.get(page).get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1]
    token = token.split('"')[0]
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    response = officer.client.post(f"{page}/photos", data={"csrf_token": token,
                                                           "photo": (io.BytesIO(b"\xff" * 10_000), "huge.jpg")},
                                   content_type="multipart/form-data")
    assert response.status_code == 303 and response.headers["Location"].endswith(page)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 16 * 1024 * 1024)
    assert "The file is too large" in text(officer.get(page))
    assert attachments() == 0


def test_a_path_in_the_file_name_has_no_effect(scene, uploads, tmp_path):
    officer, _seizure, firearm = scene
    response = send(officer, firearm, jpeg(), "../../etc/passwd.jpg")
    assert response.status_code == 302
    attachment = db.session.scalar(select(Attachment))
    assert attachment.original_name == "passwd.jpg"
    files = stored(uploads)
    assert len(files) == 1 and uploads in files[0].parents and files[0].name != "passwd.jpg"
    assert not (tmp_path / "etc").exists()
    send(officer, firearm, jpeg(), "..\\..\\windows\\\u202eexe.jpg")
    names = set(db.session.scalars(select(Attachment.original_name)))
    assert all("/" not in name and "\\" not in name and "\u202e" not in name for name in names)
    assert all(not name.startswith(".") for name in names)


def test_the_photo_location_is_kept_unless_removal_is_asked(scene, uploads):
    officer, _seizure, firearm = scene
    original = jpeg(gps=True)
    send(officer, firearm, original, "kept.jpg")
    send(officer, firearm, original, "stripped.jpg", remove_location="y")
    kept, stripped = db.session.scalars(select(Attachment).order_by(Attachment.id)).all()
    assert kept.exif_location_removed is False and stripped.exif_location_removed is True
    kept_bytes = officer.get(f"/attachments/{kept.id}").data
    stripped_bytes = officer.get(f"/attachments/{stripped.id}").data
    assert kept_bytes == original and gps_of(kept_bytes)[1] == "N"
    assert gps_of(stripped_bytes) == {}
    assert stripped.sha256 == hashlib.sha256(stripped_bytes).hexdigest() != kept.sha256
    with Image.open(io.BytesIO(stripped_bytes)) as image:
        assert image.getexif()[0x010F] == "Tracer test camera"  # the rest of the EXIF data stays


def test_downloads_are_served_safely_and_audited(scene, uploads):
    officer, _seizure, firearm = scene
    send(officer, firearm, factories.png_bytes(), "foto.png")
    photo = db.session.scalar(select(Attachment))
    response = officer.get(f"/attachments/{photo.id}")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.headers["Content-Disposition"] == f'inline; filename="tracer-{photo.id}.png"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert hashlib.sha256(response.data).hexdigest() == photo.sha256
    thumb = officer.get(f"/attachments/{photo.id}/thumbnail")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    downloads = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "attachment.download")).all()
    assert len(downloads) == 1 and downloads[0].details["sha256"] == photo.sha256


def test_a_pdf_is_always_downloaded_never_shown(scene, uploads):
    officer, _seizure, firearm = scene
    pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
    response = officer.post(f"/firearms/{firearm.id}/custody", {
        "event": "stored", "occurred_at": "2025-03-15T10:00", "document": (io.BytesIO(pdf), "acta.pdf")},
        token_from=f"/firearms/{firearm.id}", content_type="multipart/form-data")
    assert response.status_code == 302
    document = db.session.scalar(select(Attachment))
    served = officer.get(f"/attachments/{document.id}")
    assert served.mimetype == "application/pdf" and served.data == pdf
    assert served.headers["Content-Disposition"] == f'attachment; filename="tracer-{document.id}.pdf"'
    assert officer.get(f"/attachments/{document.id}/thumbnail").status_code == 404


def test_a_seizure_photo(scene, uploads):
    officer, seizure, _firearm = scene
    response = officer.post(f"/seizures/{seizure.id}/photos", {"photo": (io.BytesIO(jpeg()), "lugar.jpg")},
                            token_from=f"/seizures/{seizure.id}", content_type="multipart/form-data")
    assert response.status_code == 302
    photo = db.session.scalar(select(Attachment))
    assert photo.seizure_id == seizure.id and photo.firearm_id is None
    assert f"/attachments/{photo.id}/thumbnail" in text(officer.get(f"/seizures/{seizure.id}"))
    assert officer.get(f"/attachments/{photo.id}").status_code == 200


def test_a_missing_file_and_a_missing_token(scene, uploads):
    officer, _seizure, firearm = scene
    response = officer.post(f"/firearms/{firearm.id}/photos", {}, token_from=f"/firearms/{firearm.id}")
    assert response.status_code == 400 and "Choose a file." in field_error(text(response), "photo")
    forged = officer.client.post(f"/firearms/{firearm.id}/photos",
                                 data={"photo": (io.BytesIO(jpeg()), "x.jpg")}, content_type="multipart/form-data")
    assert forged.status_code == 400 and attachments() == 0


def test_files_of_other_states_are_not_found(scene, uploads, login_as):
    officer, _seizure, firearm = scene
    send(officer, firearm, jpeg(), "x.jpg")
    photo = db.session.scalar(select(Attachment))
    jalisco = login_as("officer", "FGE-JAL")
    assert jalisco.get(f"/attachments/{photo.id}").status_code == 404
    assert jalisco.get(f"/attachments/{photo.id}/thumbnail").status_code == 404
    assert login_as("analyst", "FGR").get(f"/attachments/{photo.id}").status_code == 200
    assert officer.get("/attachments/999999").status_code == 404


@pytest.mark.parametrize("given, shown", [
    ("..\\..\\windows\\\u202eexe.jpg", "exe.jpg"),
    ("../../etc/passwd.jpg", "passwd.jpg"),
    ("foto\x00.jpg", "foto.jpg"),
    ("   ", "file"),
    ("a" * 500 + ".jpg", ("a" * 500 + ".jpg")[-200:]),
])
def test_the_original_name_is_only_display_text(given, shown):
    from tracer.firearms.files import display_name

    assert display_name(given) == shown


def test_webp_photos_are_accepted(scene, uploads):
    officer, _seizure, firearm = scene
    out = io.BytesIO()
    Image.new("RGB", (20, 20), "green").save(out, format="WEBP")
    assert send(officer, firearm, out.getvalue(), "foto.webp").status_code == 302
    assert db.session.scalar(select(Attachment)).content_type == "image/webp"


def test_the_small_copy_is_made_once_without_metadata(scene, uploads):
    officer, _seizure, firearm = scene
    send(officer, firearm, jpeg(gps=True, size=(1600, 1200)), "grande.jpg")
    photo = db.session.scalar(select(Attachment))
    first = officer.get(f"/attachments/{photo.id}/thumbnail").data
    assert len([p for p in stored(uploads) if p.name.endswith(".small.jpg")]) == 1
    assert officer.get(f"/attachments/{photo.id}/thumbnail").data == first
    with Image.open(io.BytesIO(first)) as image:
        assert max(image.size) == 480 and not image.getexif()
