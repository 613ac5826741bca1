"""The table of the identifiers a trace needs: every identifier with its state in the reader's
language, what was typed shown as text, and a link to fix it for those who may."""
from __future__ import annotations

import re

from flask import render_template_string
from flask_babel import force_locale

from tracer.tracing.readiness import IdentifierCheck, Readiness

CHECKS = [IdentifierCheck("serial_number", "Serial", "AB<12>&3", "suspect", ["Looks like <b>O</b>", "Short"],
                          "serial_number"),
          IdentifierCheck("manufacturer", "Maker", "", "missing", ["The maker is missing"], "manufacturer"),
          IdentifierCheck("model", "Model", "G17", "present", [], "model"),
          IdentifierCheck("importer", "Importer", "", "depends", ["Depends"], "importer"),
          IdentifierCheck("caliber", "Caliber", "9mm", "not_needed", [], "caliber")]


def _table(app, may_fix: bool, language: str = "en") -> str:
    with app.test_request_context("/"), force_locale(language):
        return render_template_string("{{ readiness_table(r, may_fix) }}",
                                      r=Readiness(7, False, ["manufacturer"], [], {}, CHECKS), may_fix=may_fix)


def _rows(table: str) -> dict[str, str]:
    return dict(re.findall(r'<tr data-identifier="(\w+)" data-state="\w+">(.*?)</tr>', table, re.S))


def test_each_identifier_with_its_state_value_and_reasons(app):
    rows = _rows(_table(app, may_fix=True))
    assert list(rows) == ["serial_number", "manufacturer", "model", "importer", "caliber"]
    assert '<span class="serial">AB&lt;12&gt;&amp;3</span>' in rows["serial_number"]  # typed text, not markup
    assert "Looks like &lt;b&gt;O&lt;/b&gt;<br>Short" in rows["serial_number"]
    assert 'badge--warn">Check<' in rows["serial_number"] and 'badge--failure">Missing<' in rows["manufacturer"]
    assert 'badge--success">Present<' in rows["model"] and 'badge--muted">Not needed<' in rows["caliber"]
    assert 'badge--muted">Depends on the country<' in rows["importer"]
    assert '<td data-label="Value">—</td>' in rows["manufacturer"]


def test_only_missing_and_suspect_identifiers_link_to_their_field(app):
    table = _table(app, may_fix=True)
    assert re.findall(r'href="([^"]+)">Fix</a>', table) == ["/firearms/7/edit#serial_number",
                                                            "/firearms/7/edit#manufacturer"]
    assert "Fix</a>" not in _table(app, may_fix=False)


def test_the_words_are_in_the_readers_language(app):
    table = _table(app, may_fix=True, language="es")
    assert 'badge--failure">Falta<' in table and 'data-label="Valor"' in table
    assert "Identifiers a trace needs" not in table and 'data-label="Value"' not in table
