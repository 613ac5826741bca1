"""``flask reports verify FILE.pdf``: a printed report matches a stored version, or why not."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader, PdfWriter

from tests import factories
from tracer.extensions import db


@pytest.fixture
def printed(report_case, login_as, tmp_path):
    """A report downloaded as PDF, saved as a file."""
    response = login_as("supervisor").get(f"/cases/{report_case.case.id}/report.pdf")
    assert response.status_code == 200
    path = tmp_path / "informe.pdf"
    path.write_bytes(response.data)
    return path


def _verify(app, path, lang="es"):
    return app.test_cli_runner().invoke(args=["reports", "verify", str(path), "--lang", lang])


def _rewrite(path, target, **metadata):
    writer = PdfWriter(clone_from=PdfReader(path))
    writer.add_metadata(metadata)
    with open(target, "wb") as out:
        writer.write(out)
    return target


def test_a_printed_report_matches_its_stored_version(app, printed, report_case):
    result = _verify(app, printed)
    assert result.exit_code == 0, result.output + result.stderr
    assert result.stdout.startswith("Coincide: versión 1 (borrador)")
    assert report_case.case.reference in result.stdout


def test_the_answer_in_english(app, printed):
    result = _verify(app, printed, "en")
    assert result.exit_code == 0 and result.stdout.startswith("Matches: version 1 (draft)")


def test_an_altered_hash_is_refused(app, printed, tmp_path):
    altered = _rewrite(printed, tmp_path / "alterado.pdf", **{"/TracerReportSHA256": "0" * 64})
    result = _verify(app, altered)
    assert result.exit_code == 1 and "El hash no coincide" in result.stderr


def test_a_stored_hash_that_differs_is_refused(app, printed, report_case, tmp_path):
    # A file whose footer and metadata agree with each other but not with the stored version.
    other = factories.case("FGR")
    db.session.commit()
    text_hash = PdfReader(printed).metadata["/TracerReportSHA256"]
    moved = _rewrite(printed, tmp_path / "movido.pdf", **{"/TracerCaseReference": other.reference})
    from tracer.reports.services import store_version
    from tracer.reports.context import canonical_content

    stored = store_version(None, other, "draft", canonical_content(other))
    db.session.commit()
    assert stored.number == 1 and stored.sha256 != text_hash
    result = _verify(app, moved)
    assert result.exit_code == 1 and "El hash no coincide" in result.stderr and stored.sha256 in result.stderr


def test_a_file_edited_after_export_is_refused(app, printed, tmp_path):
    # Footer and metadata kept, version and hash right: only the file's own bytes tell.
    edited = _rewrite(printed, tmp_path / "editado.pdf", **{"/Title": "Informe corregido a mano"})
    result = _verify(app, edited)
    assert result.exit_code == 1 and "fue alterado después de exportarlo" in result.stderr


@pytest.mark.parametrize("number", ["99", "99999999999999999999"])
def test_an_unknown_version_is_refused(app, printed, tmp_path, number):
    unknown = _rewrite(printed, tmp_path / "desconocida.pdf", **{"/TracerReportVersion": number})
    result = _verify(app, unknown)
    assert result.exit_code == 1 and "Versión desconocida" in result.stderr


def test_a_pdf_that_is_not_a_report(app, tmp_path):
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    path = tmp_path / "otro.pdf"
    with open(path, "wb") as out:
        writer.write(out)
    result = _verify(app, path)
    assert result.exit_code == 1 and "No es un informe de caso de Tracer" in result.stderr


def test_a_file_that_is_not_a_pdf(app, tmp_path):
    path = tmp_path / "notas.pdf"
    path.write_text("esto no es un PDF", encoding="utf-8")
    result = _verify(app, path)
    assert result.exit_code == 1 and "No es un archivo PDF" in result.stderr


def test_an_unreadable_pdf(app, printed, tmp_path):
    path = tmp_path / "roto.pdf"
    path.write_bytes(printed.read_bytes()[:40])
    result = _verify(app, path)
    assert result.exit_code == 1 and ("Archivo ilegible" in result.stderr or "No es un informe" in result.stderr)


def test_a_missing_file(app, tmp_path):
    result = _verify(app, tmp_path / "no-existe.pdf")
    assert result.exit_code == 1 and "Archivo ilegible" in result.stderr
