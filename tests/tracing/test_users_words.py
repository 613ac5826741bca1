"""The words users use at work (the glossary), and nothing left in Spanish on English pages."""
from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale

from tests.tracing.helpers import ready_firearm
from tracer.cases.forms import priority_labels
from tracer.core.translation import gettext as _
from tracer.tracing.forms import BacklogFilterForm
from tracer.tracing.labels import TRACE_PRIORITY_LABELS
from tracer.tracing.readiness import trace_readiness

SPANISH = Path(__file__).resolve().parents[2] / "tracer" / "translations" / "es" / "LC_MESSAGES" / "messages.po"


@pytest.fixture
def spanish(app):
    with app.test_request_context(), force_locale("es"):
        yield


def test_the_glossarys_words_in_spanish(spanish):
    assert _("Possible same firearms") == "Posibles coincidencias de arma"
    assert _("Possible same firearm") == "Posible coincidencia de arma"
    assert _("Seizure state") == "Entidad federativa del aseguramiento"
    assert _("US state abbreviation (TX) or name (Texas).").startswith("Abreviatura del estado (EE. UU.)")


def test_no_calque_or_postal_code_is_left_in_the_spanish_catalog():
    with SPANISH.open("rb") as handle:
        catalog = read_po(handle)
    words = " ".join(str(message.string) for message in catalog if message.id).lower()
    for calque in ("mismas armas", "posible misma arma", "código postal", "estado del aseguramiento", "no listas",
                   "ordinaria"):
        assert calque not in words, calque


def test_readiness_reads_the_same_in_the_filter_and_on_the_firearm(spanish):
    form = BacklogFilterForm()
    labels = [str(choice.label) for choice in form.readiness.choices if choice.value]
    assert labels == ["Listo para rastreo", "No listo para rastreo"]
    assert _("Ready for a trace") == "Listo para rastreo" and _("Not ready for a trace") == "No listo para rastreo"


def test_one_priority_scale(spanish):
    case_scale = set(priority_labels().values())
    assert case_scale == {"Baja", "Normal", "Alta", "Urgente"}
    assert {str(label) for label in TRACE_PRIORITY_LABELS.values()} <= case_scale


def test_an_obliterated_serials_reason_in_english_has_no_spanish(app, reference_data):
    firearm = ready_firearm(serial_status="obliterated", serial_number="")
    with app.test_request_context(), force_locale("en"):
        english = trace_readiness(firearm).reasons["serial_number"]
    with app.test_request_context(), force_locale("es"):
        spanish = trace_readiness(firearm).reasons["serial_number"]
    assert "chemical restoration" in english and "revenido" not in english
    assert "revenido químico" in spanish
