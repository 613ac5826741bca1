"""The printed request follows Form 3312.1 (English) and 3312.1(S) (Spanish); the CSV carries the same fields."""
from __future__ import annotations

import csv
import io

import pytest

from tests import factories
from tests.seizures.helpers import text
from tests.tracing.helpers import ready_firearm
from tracer.extensions import db
from tracer.tracing.requests import request_trace

SECTIONS = {
    "en": ("1. Requesting agency", "2. Requester", "3. Request", "4. Firearm description", "5. Recovery information",
           "6. Possessor and associates", "None recorded."),
    "es": ("1. Institución solicitante", "2. Solicitante", "3. Solicitud", "4. Descripción del arma",
           "5. Datos de la recuperación", "6. Poseedor y acompañantes", "Sin registro."),
}


@pytest.fixture
def urgent(login_as, reference_data):
    factories.agency("ATF-MX")
    analyst = login_as("analyst", "FGE-SON", locale="en")
    analyst.user.agency.ori_number = "MX0260100"
    trace = request_trace(analyst.user, ready_firearm(factories.case("FGE-SON", carpeta_number="CI-SON-77")),
                          priority="urgent", details={
                              "urgent_justification": "Plazo constitucional de 48 horas.", "requester_badge": "A-77",
                              "requester_phone": "662 123 4567", "ncic_code": "5202", "project_code": "OP-NORTE",
                              "trace_reason": "recovered_in_crime"})
    db.session.commit()
    return analyst, trace


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_printed_request_has_the_sections_and_the_ori(urgent, language):
    analyst, trace = urgent
    body = text(analyst.get(f"/trace-requests/{trace.id}/print?lang={language}"))
    assert f'<html lang="{language}">' in body
    for section in SECTIONS[language]:
        assert section in body, section
    for shown in ("MX0260100", "CI-SON-77", "A-77", "+52 662 123 4567", "Plazo constitucional de 48 horas.",
                  "OP-NORTE", "Sonora"):
        assert shown in body, shown
    assert ("5202 · Carrying prohibited weapon" if language == "en" else "5202 · Portación de arma prohibida") in body
    assert ("Recovered in a crime" if language == "en" else "Recuperada en la comisión de un delito") in body


def test_the_csv_carries_the_same_fields(urgent):
    analyst, trace = urgent
    raw = analyst.get("/trace-requests/export.csv").get_data().decode("utf-8-sig")
    [header, row] = list(csv.reader(io.StringIO(raw)))
    values = dict(zip(header, row))  # a cell starting with + is neutralised as a spreadsheet formula would be
    for column, value in {"ORI": "MX0260100", "Agency case number": "CI-SON-77", "Badge or employee number": "A-77",
                          "Requester's telephone": "'+52 662 123 4567", "NCIC crime code":
                          "5202 · Carrying prohibited weapon", "Project code": "OP-NORTE",
                          "Why it is urgent": "Plazo constitucional de 48 horas.",
                          "Reason for the trace": "Recovered in a crime", "Recovery date": "2025-03-14"}.items():
        assert values[column] == value, column
    assert "Sonora" in values["Recovery address"]
