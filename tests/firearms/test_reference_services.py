"""Administrators' changes to the reference lists: validated, audited, never a duplicate key."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tracer.audit.models import AuditEvent
from tracer.core.errors import ValidationFailed
from tracer.extensions import db
from tracer.firearms.reference import (
    add_caliber_alias, add_manufacturer_alias, create_caliber, create_manufacturer, resolve_caliber,
    resolve_manufacturer,
)


def events(action: str) -> list[AuditEvent]:
    db.session.commit()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_create_a_manufacturer_with_country_and_aliases(ctx):
    maker = create_manufacturer({"name": "Armas Hermanos Núñez", "country_code": "México",
                                 "aliases": "Hnos. Nuñez\nArmas Nunez\n\nHNOS NUNEZ"})
    assert maker.country_code == "MX"
    assert [a.alias for a in maker.aliases] == ["Armas Hermanos Núñez", "Hnos. Nuñez", "Armas Nunez"]
    assert resolve_manufacturer("ARMAS HERMANOS NUNEZ") is maker
    assert resolve_manufacturer("hnos nunez") is maker
    [event] = events("manufacturer.create")
    assert event.object_type == "manufacturer" and event.object_id == str(maker.id)
    assert event.details["new"]["country_code"] == "MX"


def test_a_name_already_known_is_a_field_error_naming_the_holder(reference_data):
    with pytest.raises(ValidationFailed) as refused:
        create_manufacturer({"name": "SMITH AND WESSON"})
    assert list(refused.value.fields) == ["name"]
    assert "Smith & Wesson" in refused.value.fields["name"][0]


def test_an_alias_already_used_is_a_field_error_on_aliases(reference_data):
    with pytest.raises(ValidationFailed) as refused:
        create_manufacturer({"name": "Armería Nueva", "aliases": ["Nueva", "H&K"]})
    assert list(refused.value.fields) == ["aliases"]
    assert "Heckler & Koch" in refused.value.fields["aliases"][0]
    assert resolve_manufacturer("Armería Nueva") is None, "nothing written"


@pytest.mark.parametrize("values, field", [
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"name": "--"}, "name"),
    ({"name": "x" * 121}, "name"),
    ({"name": "Fab\u200brica"}, "name"),
    ({"name": "Fábrica Buena", "country_code": "Narnia"}, "country_code"),
    ({"name": "Fábrica Buena", "aliases": "bien\nm\u202eal"}, "aliases"),
])
def test_bad_manufacturer_values(ctx, values, field):
    with pytest.raises(ValidationFailed) as refused:
        create_manufacturer(values)
    assert field in refused.value.fields
    assert events("manufacturer.create") == []


def test_add_an_alias_to_a_manufacturer(reference_data):
    colt = resolve_manufacturer("Colt")
    added = add_manufacturer_alias(colt, "  Colt Firearms Hartford ")
    assert added.alias == "Colt Firearms Hartford" and added.key == "coltfirearmshartford"
    assert resolve_manufacturer("colt firearms, hartford") is colt
    [event] = events("manufacturer.alias_add")
    assert event.object_id == str(colt.id) and event.details == {"new": {"alias": "Colt Firearms Hartford"}}


def test_an_alias_naming_another_maker_or_already_known_is_refused(reference_data):
    colt = resolve_manufacturer("Colt")
    with pytest.raises(ValidationFailed) as refused:
        add_manufacturer_alias(colt, "S & W")
    assert "Smith & Wesson" in refused.value.fields["alias"][0]
    with pytest.raises(ValidationFailed) as refused:
        add_manufacturer_alias(colt, "COLT")
    assert list(refused.value.fields) == ["alias"]
    with pytest.raises(ValidationFailed):
        add_manufacturer_alias(colt, "")
    assert events("manufacturer.alias_add") == []


def test_create_a_caliber(ctx):
    caliber = create_caliber({"name": "6.5 PRC", "firearm_types": ["rifle", "pistol", "rifle"],
                              "aliases": "6.5mm PRC\n6.5 Precision Rifle Cartridge"})
    assert caliber.firearm_types == ["pistol", "rifle"]  # in the usual order, once
    assert resolve_caliber("6,5 prc") is caliber
    [event] = events("caliber.create")
    assert event.details["new"]["firearm_types"] == ["pistol", "rifle"]


@pytest.mark.parametrize("values, field", [
    ({"name": "", "firearm_types": ["rifle"]}, "name"),
    ({"name": "x" * 61, "firearm_types": ["rifle"]}, "name"),
    ({"name": "6.5 PRC", "firearm_types": []}, "firearm_types"),
    ({"name": "6.5 PRC", "firearm_types": ["cannon"]}, "firearm_types"),
    ({"name": "6.5 PRC", "firearm_types": ["receiver_frame"]}, "firearm_types"),
    ({"name": "9 mm", "firearm_types": ["pistol"]}, "name"),
    ({"name": "6.5 PRC", "firearm_types": ["rifle"], "aliases": "9x19"}, "aliases"),
])
def test_bad_caliber_values(reference_data, values, field):
    with pytest.raises(ValidationFailed) as refused:
        create_caliber(values)
    assert field in refused.value.fields


def test_add_an_alias_to_a_caliber(reference_data):
    super_ = resolve_caliber(".38 Super")
    add_caliber_alias(super_, "38 Super Automático")
    assert resolve_caliber("38 SUPER AUTOMATICO") is super_
    with pytest.raises(ValidationFailed) as refused:
        add_caliber_alias(super_, ".380")
    assert ".380 ACP" in refused.value.fields["alias"][0]
    with pytest.raises(ValidationFailed):
        add_caliber_alias(super_, "x" * 61)
    assert len(events("caliber.alias_add")) == 1
