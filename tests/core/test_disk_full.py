"""A full disk while an upload is stored: the user is told plainly in their language, the
form comes back as it was sent, and no row, audit event or file (whole or half written) is
left behind. The disk is filled for real where SQLite allows it (an import's scratch
database stops growing) and otherwise by a write that stops halfway with ENOSPC."""
from __future__ import annotations

import errno
import glob
import io
import os
import re
import tempfile

import pytest
from flask import Request
from sqlalchemy import func, select

from tests import factories
from tests.seizures.helpers import field_value, new_case, text
from tests.seizures.import_helpers import row
from tests.seizures.sample_csv import csv_bytes
from tests.tracing.result_helpers import RETAIL, csv_bytes as result_csv
from tracer.audit.models import AuditEvent
from tracer.cases.models import Case
from tracer.core import scratch
from tracer.extensions import db
from tracer.firearms import files
from tracer.firearms.models import Attachment, CustodyEvent, Firearm
from tracer.seizures.models import Seizure

FULL = "El almacenamiento del servidor está lleno"
SCRATCH_FULL = "El disco del servidor está lleno"


@pytest.fixture
def uploads(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    return tmp_path / "uploads"


@pytest.fixture
def full_disk(monkeypatch):
    """The upload store's files take half of what is written, then the disk is full."""

    class HalfWritten:
        def __init__(self, handle):
            self.handle = handle

        def write(self, data):
            self.handle.write(data[: len(data) // 2])
            self.handle.flush()
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

    monkeypatch.setattr(files, "open", lambda path, mode: HalfWritten(open(path, mode)), raising=False)


def stored(folder) -> list[str]:
    return sorted(str(path) for path in folder.rglob("*") if path.is_file()) if folder.exists() else []


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def uploads_audited() -> int:
    return count(AuditEvent, AuditEvent.action == "attachment.upload")


@pytest.fixture
def officer(login_as, uploads):
    officer = login_as("officer", "FGE-SON")
    seizure = factories.seizure(new_case(officer.user), officer.user)
    db.session.commit()
    return officer, seizure.firearms[0]


def test_a_photo_on_a_full_disk_is_refused_plainly_and_leaves_nothing(officer, uploads, full_disk):
    browser, firearm = officer
    page = browser.post(f"/firearms/{firearm.id}/photos", {"photo": (io.BytesIO(factories.png_bytes()), "foto.png")},
                        token_from=f"/firearms/{firearm.id}", content_type="multipart/form-data")
    assert page.status_code == 400
    assert FULL in text(page)
    assert count(Attachment) == 0 and uploads_audited() == 0
    assert stored(uploads) == []


def test_a_custody_entry_with_its_document_keeps_the_form_and_writes_nothing(officer, uploads, full_disk):
    browser, firearm = officer
    before = count(CustodyEvent, CustodyEvent.firearm_id == firearm.id)
    entry = {"event": "transferred", "occurred_at": "2025-03-15T09:00", "handed_over_by_name": "Ramón Esquer",
             "handed_over_by_institution": "FGE Sonora", "received_by_name": "Lucía Moreno",
             "received_by_institution": "Servicios Periciales", "seal_number": "S-77",
             "document": (io.BytesIO(b"%PDF-1.4\n%acta\n%%EOF\n"), "acta.pdf")}
    page = browser.post(f"/firearms/{firearm.id}/custody", entry, token_from=f"/firearms/{firearm.id}",
                        content_type="multipart/form-data")
    assert page.status_code == 400
    body = page.get_data(as_text=True)
    assert FULL in text(page)
    assert field_value(body, "received_by_name") == "Lucía Moreno" and field_value(body, "seal_number") == "S-77"
    assert count(CustodyEvent, CustodyEvent.firearm_id == firearm.id) == before
    assert count(Attachment) == 0 and uploads_audited() == 0 and stored(uploads) == []


def test_a_case_document_on_a_full_disk_is_refused_plainly(officer, uploads, full_disk):
    browser, firearm = officer
    path = f"/cases/{firearm.case_id}"
    page = browser.post(f"{path}/documents", {"document": (io.BytesIO(b"%PDF-1.4\n%oficio\n"), "oficio.pdf")},
                        token_from=path, content_type="multipart/form-data")
    assert page.status_code == 400 and FULL in text(page)
    assert count(Attachment) == 0 and uploads_audited() == 0 and stored(uploads) == []


def test_a_ballistic_item_photo_on_a_full_disk_is_refused_plainly(login_as, uploads, full_disk):
    examiner = login_as("analyst", "FGE-SON")
    item = factories.ballistic_item(factories.scene(factories.case("FGE-SON", examiner.user)))
    db.session.commit()
    path = f"/ballistics/items/{item.id}"
    page = examiner.post(f"{path}/photos", {"photo": (io.BytesIO(factories.png_bytes()), "casquillo.png")},
                         token_from=path, content_type="multipart/form-data")
    assert page.status_code == 400 and FULL in text(page)
    assert count(Attachment) == 0 and uploads_audited() == 0 and stored(uploads) == []


def test_an_upload_the_server_cannot_even_receive_gets_a_plain_page(officer, monkeypatch):
    """The request's own body spooled to a full temporary disk, before any view runs."""
    browser, firearm = officer

    def no_room(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Request, "_get_file_stream", no_room)
    page = browser.post(f"/firearms/{firearm.id}/photos", {"photo": (io.BytesIO(factories.png_bytes()), "foto.png")},
                        token_from=f"/firearms/{firearm.id}", content_type="multipart/form-data")
    assert page.status_code == 507
    assert FULL in text(page) and "lang=\"es\"" in page.get_data(as_text=True)
    assert count(Attachment) == 0


def test_a_thumbnail_is_served_without_being_kept_when_the_disk_is_full(officer, uploads, monkeypatch):
    browser, firearm = officer
    photo = factories.photo(firearm, browser.user)
    db.session.commit()
    kept = stored(uploads)

    def half_then_full(self, data):
        with open(self, "wb") as handle:
            handle.write(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(type(uploads), "write_bytes", half_then_full)
    answer = browser.get(f"/attachments/{photo.id}/thumbnail")
    assert answer.status_code == 200 and answer.data.startswith(b"\xff\xd8")
    assert stored(uploads) == kept  # neither the small copy nor a half of it


# --- the imports' scratch database fills its disk ------------------------------------------------


@pytest.fixture
def cramped_scratch(monkeypatch):
    """Every import's scratch database may grow by two pages only: SQLite then answers
    SQLITE_FULL ("database or disk is full"), as on a full disk."""
    real = scratch.ScratchDatabase.__init__

    def cramped(self):
        real(self)
        pages = self.db.execute("PRAGMA page_count").fetchone()[0]
        self.db.execute(f"PRAGMA max_page_count = {pages + 2}")

    monkeypatch.setattr(scratch.ScratchDatabase, "__init__", cramped)


def scratch_files() -> list[str]:
    return sorted(glob.glob(os.path.join(tempfile.gettempdir(), "tracer-import-*")))


def test_a_seizure_import_stops_plainly_and_writes_nothing(login_as, reference_data, cramped_scratch):
    officer = login_as("officer", "FGR")
    left_before = scratch_files()
    content = csv_bytes([row(f"E{n}", f"S-{n // 3}") for n in range(300)])
    page = officer.post("/seizures/import", {"file": (io.BytesIO(content), "armas.csv"), "partial": "y"},
                        token_from="/seizures/import", content_type="multipart/form-data")
    assert page.status_code == 422
    assert SCRATCH_FULL in text(page)
    partial_box = re.search(r'<input[^>]*name="partial"[^>]*>', page.get_data(as_text=True)).group(0)
    assert "checked" in partial_box  # the form comes back as it was sent
    assert count(Seizure) == count(Firearm) == count(Case) == 0
    assert scratch_files() == left_before
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "import.seizures"))
    assert event.outcome == "failure"


def test_a_trace_results_import_stops_plainly(login_as, cramped_scratch):
    liaison = login_as("liaison", "ATF-MX")
    left_before = scratch_files()
    content = result_csv([{"trace_number": f"T-2025-{n:06d}", **RETAIL} for n in range(300)])
    page = liaison.post("/trace-requests/results/import", {"file": (io.BytesIO(content), "resultados.csv")},
                        token_from="/trace-requests/results/import", content_type="multipart/form-data")
    assert page.status_code == 422 and SCRATCH_FULL in text(page)
    assert scratch_files() == left_before


def test_an_ibis_import_stops_plainly(login_as, cramped_scratch):
    examiner = login_as("analyst", "FGR")
    left_before = scratch_files()
    lines = "ibis_ref_a,ibis_ref_b,rank,score,notes\n" + "".join(
        f"SON-{n},JAL-{n},1,150.5,correlación {n}\n" for n in range(300))
    page = examiner.post("/ballistics/ibis-leads/import", {"file": (io.BytesIO(lines.encode()), "ibis.csv")},
                         token_from="/ballistics/ibis-leads/import", content_type="multipart/form-data")
    assert page.status_code == 422 and SCRATCH_FULL in text(page)
    assert scratch_files() == left_before


def test_an_import_whose_scratch_file_cannot_be_made_stops_plainly(login_as, reference_data, monkeypatch):
    officer = login_as("officer", "FGR")

    def no_room(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(scratch.tempfile, "mkstemp", no_room)
    page = officer.post("/seizures/import", {"file": (io.BytesIO(csv_bytes([row("E1")])), "armas.csv")},
                        token_from="/seizures/import", content_type="multipart/form-data")
    assert page.status_code == 422 and SCRATCH_FULL in text(page)
    assert count(Seizure) == 0
