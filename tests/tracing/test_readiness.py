"""Trace readiness: what blocks a trace request, what only warns, and the SQL that agrees."""
from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from tests.tracing.helpers import ready_firearm
from tracer.extensions import db
from tracer.firearms.models import Firearm
from tracer.tracing.readiness import missing_clause, ready_clause, trace_readiness


@pytest.fixture
def english(app, reference_data):
    with app.test_request_context(), force_locale("en"):
        yield


def _set(firearm, **fields):
    """Values the forms refuse but older or imported records may hold."""
    for name, value in fields.items():
        setattr(firearm, name, value)
    db.session.flush()
    return firearm


def test_a_complete_firearm_is_ready_with_nothing_to_check(english):
    readiness = trace_readiness(ready_firearm())
    assert readiness.ready and readiness.missing == [] and readiness.suspect == []
    assert readiness.as_json() == {"ready": True, "missing": [], "suspect": []}
    assert {check.state for check in readiness.checks} == {"present"}


@pytest.mark.parametrize("fields, missing, words", [
    ({"manufacturer": ""}, "manufacturer", "manufacturer (make) is missing"),
    ({"model": ""}, "model", "model is missing"),
    ({"caliber": ""}, "caliber", "caliber is missing"),
    ({"country_of_manufacture": ""}, "country_of_manufacture", "country of manufacture is missing"),
    ({"importer": ""}, "importer", "made outside the United States is traced through its importer"),
    ({"serial_status": "obliterated", "serial_number": ""}, "serial_number", "restored by the lab"),
    ({"serial_status": "none", "serial_number": ""}, "serial_number", "nothing to trace"),
])
def test_each_missing_identifier_blocks_with_its_reason(english, fields, missing, words):
    readiness = trace_readiness(ready_firearm(**fields))
    assert not readiness.ready
    assert readiness.missing == [missing]
    assert words in readiness.reasons[missing]
    assert readiness.missing_messages() == {missing: [readiness.reasons[missing]]}
    check = next(c for c in readiness.checks if c.field == missing)
    assert check.state == "missing" and check.reasons == [readiness.reasons[missing]]


def test_a_serial_missing_under_an_intact_or_restored_status_blocks(english):
    intact = _set(ready_firearm(), serial_number=None, serial_normalized=None)
    assert trace_readiness(intact).reasons == {"serial_number": "The serial number is missing."}
    restored = _set(ready_firearm(), serial_status="restored", restored_serial=None,
                    restored_serial_normalized=None)
    assert "restored serial number is missing" in trace_readiness(restored).reasons["serial_number"]
    blank_model = _set(ready_firearm(), model="   ")
    assert trace_readiness(blank_model).missing == ["model"]


def test_a_restored_serial_makes_an_obliterated_firearm_traceable(english):
    firearm = ready_firearm(serial_status="restored", serial_number="", restored_serial="BXK 124")
    readiness = trace_readiness(firearm)
    assert readiness.ready
    serial = next(c for c in readiness.checks if c.field == "serial_number")
    assert serial.value == "BXK 124" and serial.anchor == "restored_serial"


def test_a_firearm_made_in_the_us_needs_no_importer(english):
    readiness = trace_readiness(ready_firearm(country_of_manufacture="US", importer="", manufacturer="Colt",
                                              serial_number="FA12345", model="1911"))
    assert readiness.ready and "importer" not in readiness.missing
    importer = next(c for c in readiness.checks if c.field == "importer")
    assert importer.state == "not_needed" and "made in the United States" in importer.reasons[0]


def test_without_a_country_the_country_is_what_is_missing(english):
    readiness = trace_readiness(ready_firearm(country_of_manufacture="", importer=""))
    assert readiness.missing == ["country_of_manufacture"]


def test_several_missing_identifiers_are_listed_in_form_order(english):
    readiness = trace_readiness(ready_firearm(importer="", model="", manufacturer=""))
    assert readiness.missing == ["manufacturer", "model", "importer"]


@pytest.mark.parametrize("fields, field, words", [
    ({"manufacturer": "Armas Patito"}, "manufacturer", "“Armas Patito” is not in the reference list of manufacturers"),
    ({"caliber": "13.7 Zork"}, "caliber", "“13.7 Zork” is not in the reference list of calibers"),
    ({"serial_number": "BXK12345"}, "serial_number", "does not have the shape of Glock serial numbers"),
    ({"serial_status": "altered"}, "serial_number", "marked as altered"),
    ({"firearm_type": "other"}, "firearm_type", "closest type"),
])
def test_each_suspect_identifier_warns_without_blocking(english, fields, field, words):
    readiness = trace_readiness(ready_firearm(**fields))
    assert readiness.ready, readiness.missing
    assert [item.field for item in readiness.suspect] == [field]
    assert words in readiness.suspect[0].reason
    assert readiness.as_json()["suspect"] == [{"field": field, "reason": readiness.suspect[0].reason}]
    assert words in readiness.notes()
    assert next(c for c in readiness.checks if c.field == field).state == "suspect"


def test_a_caliber_that_does_not_fit_the_type_is_suspect(english):
    # The form refuses this pair; a record imported before the rule still holds it.
    firearm = _set(ready_firearm(firearm_type="rifle", model="AR-15", caliber="5.56x45mm"),
                   firearm_type="revolver")
    readiness = trace_readiness(firearm)
    assert readiness.ready
    assert [(s.field, "not a caliber for this type of firearm (revolver)" in s.reason)
            for s in readiness.suspect] == [("caliber", True)]


def test_each_item_links_to_the_field_that_fixes_it(english):
    firearm = ready_firearm(importer="", serial_status="obliterated", serial_number="")
    readiness = trace_readiness(firearm)
    assert readiness.fix_url("importer") == f"/firearms/{firearm.id}/edit#importer"
    assert readiness.fix_url("serial_number") == f"/firearms/{firearm.id}/edit#restored_serial"


def test_reasons_follow_the_users_language(app, reference_data):
    firearm = ready_firearm(importer="")
    with app.test_request_context(), force_locale("es"):
        spanish = trace_readiness(firearm).reasons["importer"]
    with app.test_request_context(), force_locale("en"):
        english = trace_readiness(firearm).reasons["importer"]
    assert english.startswith("The importer is missing")
    assert spanish.startswith("Falta el importador")


def test_the_sql_rule_and_the_python_rule_agree(english):
    firearms = [
        ready_firearm(),
        ready_firearm(importer=""),
        ready_firearm(country_of_manufacture="US", importer=""),
        ready_firearm(country_of_manufacture="", importer=""),
        ready_firearm(manufacturer=""),
        ready_firearm(manufacturer="Armas Patito"),
        ready_firearm(model=""),
        ready_firearm(caliber=""),
        ready_firearm(caliber="13.7 Zork"),
        ready_firearm(serial_status="obliterated", serial_number=""),
        ready_firearm(serial_status="none", serial_number=""),
        ready_firearm(serial_status="restored", serial_number="", restored_serial="BXK999"),
        ready_firearm(serial_status="altered"),
        ready_firearm(firearm_type="other"),
        _set(ready_firearm(), serial_number=None, serial_normalized=None),
        _set(ready_firearm(), serial_number="", serial_normalized=""),
        _set(ready_firearm(), serial_status="restored", restored_serial=None, restored_serial_normalized=None),
        _set(ready_firearm(), serial_status="obliterated", restored_serial="BXK1", restored_serial_normalized="BXK1"),
        _set(ready_firearm(), model="  ", importer=" "),
        _set(ready_firearm(), manufacturer_id=None, manufacturer_text="  "),
    ]
    ids = [f.id for f in firearms]
    in_sql = set(db.session.scalars(select(Firearm.id).where(Firearm.id.in_(ids), ready_clause())))
    in_python = {f.id for f in firearms if trace_readiness(f).ready}
    assert in_sql == in_python
    assert 0 < len(in_python) < len(ids)
    for field in ("manufacturer", "model", "caliber", "serial_number", "country_of_manufacture", "importer"):
        sql = set(db.session.scalars(select(Firearm.id).where(Firearm.id.in_(ids), missing_clause(field))))
        assert sql == {f.id for f in firearms if field in trace_readiness(f).missing}, field


def test_an_empty_importer_waits_for_the_country_instead_of_reading_present(english):
    firearm = _set(ready_firearm(), importer=None, country_code=None)
    checks = {check.field: check for check in trace_readiness(firearm).checks}
    assert checks["importer"].state == "depends"
    assert "record the country first" in checks["importer"].reasons[0]
    assert checks["country_of_manufacture"].state == "missing"
    _set(firearm, country_code="US")
    assert {c.field: c.state for c in trace_readiness(firearm).checks}["importer"] == "not_needed"
    _set(firearm, country_code="AT")
    assert {c.field: c.state for c in trace_readiness(firearm).checks}["importer"] == "missing"
