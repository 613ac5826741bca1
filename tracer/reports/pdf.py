"""The printed case report: WeasyPrint draws the print template, pypdf writes the verification
keys into the document information, where ``reports verify`` reads them back."""
from __future__ import annotations

import io
import re

# Document information keys of a Tracer case report.
KEY_REFERENCE = "/TracerCaseReference"
KEY_VERSION = "/TracerReportVersion"
KEY_SHA256 = "/TracerReportSHA256"
PAPER_SIZES = ("letter", "a4")
# A file name from a case reference: letters, digits and hyphens only.
_UNSAFE = re.compile(r"[^A-Za-z0-9-]+")


def render_pdf(html: str, base_url: str, *, stylesheet, reference: str, version: int, sha256: str, title: str) -> bytes:
    """The PDF of the print page ``html``, with the case reference, version and hash in its metadata."""
    # Loaded on first use: they are heavy, and only exports need them.
    from pypdf import PdfReader, PdfWriter
    from weasyprint import CSS, HTML

    drawn = HTML(string=html, base_url=base_url, url_fetcher=_no_fetching).write_pdf(
        stylesheets=[CSS(filename=str(stylesheet))])
    reader = PdfReader(io.BytesIO(drawn))
    writer = PdfWriter(clone_from=reader)
    writer.add_metadata({"/Title": title, "/Producer": "Tracer", KEY_REFERENCE: reference,
                         KEY_VERSION: str(version), KEY_SHA256: sha256})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _no_fetching(url: str, *args, **kwargs):
    """The report holds everything it draws (its map is inline SVG): nothing is fetched."""
    raise ValueError(f"not fetched: {url}")


def file_name(reference: str, version: int) -> str:
    """``TR-2026-000123-v2.pdf``: nothing a browser or a file system could misread."""
    return f"{_UNSAFE.sub('', reference) or 'report'}-v{int(version)}.pdf"
