"""Serial numbers: the normalised form of SPEC §4, and what is refused rather than changed."""
from __future__ import annotations

import pytest
from flask_babel import force_locale

from tracer.core.errors import DomainError
from tracer.firearms.serials import LOOKALIKE_GROUPS, SerialRejected, ValidSerial, normalize_serial, serial_problem


@pytest.mark.parametrize("written, normalised", [
    ("ABC123", "ABC123"),
    ("abc123", "ABC123"),
    ("o", "0"),
    ("O", "0"),
    ("BOK-0O1", "B0K001"),
    ("12-34 56.78/90", "1234567890"),
    ("  DE 1234  ", "DE1234"),
    ("SN: 369-J257 (#2)", "SN369J2572"),
    ("A_B,C;D", "ABCD"),
    ("123–456", "123456"),  # an en dash pasted from a word processor
    ("１２３", "123"),  # full-width digits become ASCII
    ("ＡＢＣ１２３", "ABC123"),  # full-width letters too
    ("12\u00a034", "1234"),  # a no-break space is a space
    ("x" * 64, "X" * 64),
])
def test_normalised_form(app, written, normalised):
    with app.app_context():
        assert normalize_serial(written) == normalised


@pytest.mark.parametrize("written, named", [
    ("AB\u200b123", "U+200B"),  # zero-width space
    ("\u200dAB123", "U+200D"),  # zero-width joiner
    ("\ufeffAB123", "U+FEFF"),  # byte-order mark
    ("AB\u202e321", "U+202E"),  # right-to-left override
    ("AB\u2066123\u2069", "U+2066"),  # left-to-right isolate
    ("AB\x00123", "U+0000"),
    ("AB\t123", "U+0009"),
    ("AB\n123", "U+000A"),
])
def test_invisible_and_control_characters_are_refused(app, written, named):
    with app.app_context():
        with pytest.raises(SerialRejected) as refused:
            normalize_serial(written)
    assert named in refused.value.message


@pytest.mark.parametrize("written", [
    "\u0410B123",  # Cyrillic capital A
    "AB\u0421123",  # Cyrillic capital ES, like a Latin C
    "\u039f123",  # Greek capital omicron, like O
    "\u0430\u0432\u0441",  # Cyrillic small a, ve, es
])
def test_letters_outside_the_latin_alphabet_are_refused(app, written):
    with app.app_context(), force_locale("en"):
        with pytest.raises(SerialRejected) as refused:
            normalize_serial(written)
    assert "Latin alphabet" in refused.value.message


@pytest.mark.parametrize("written", ["AB😀123", "AB\u2764\ufe0f1", "AB€123", "AB@123", "AB*123", "AB?123",
                                     "ÁB123", "AB\u0301123", "\u0663\u0664"])
def test_anything_but_letters_digits_and_separators_is_refused(app, written):
    with app.app_context():
        with pytest.raises(SerialRejected):
            normalize_serial(written)


def test_a_ten_thousand_character_serial_is_refused_quickly(app):
    with app.app_context(), force_locale("en"):
        with pytest.raises(SerialRejected) as refused:
            normalize_serial("1" * 10_000)
    assert "too long" in refused.value.message


@pytest.mark.parametrize("written", ["", "   ", "--//..", "#"])
def test_nothing_left_is_refused(app, written):
    with app.app_context():
        with pytest.raises(SerialRejected):
            normalize_serial(written)


def test_more_than_64_characters_after_normalising_is_refused(app):
    with app.app_context():
        assert normalize_serial("-".join(["12345678"] * 8)) == "12345678" * 8  # 71 written, 64 kept
        with pytest.raises(SerialRejected):
            normalize_serial("1" * 65)


def test_rejection_is_a_domain_error_naming_the_field_in_the_users_language(app):
    with app.app_context(), force_locale("es"):
        with pytest.raises(SerialRejected) as refused:
            normalize_serial("\u0410B123")
    assert isinstance(refused.value, DomainError)
    assert refused.value.status == 422
    assert refused.value.fields == {"serial_number": [refused.value.message]}
    assert "número de serie" in refused.value.message
    assert "U+0410" in refused.value.message


def test_serial_problem_and_the_form_validator(app):
    with app.app_context():
        assert serial_problem("AB-123") is None
        assert serial_problem("AB\u200b123")

        class Field:
            data = "AB\u202e123"

        from wtforms.validators import ValidationError

        with pytest.raises(ValidationError):
            ValidSerial()(None, Field)
        Field.data = "AB 123"
        ValidSerial()(None, Field)


def test_lookalike_groups_are_the_specified_ones():
    assert [set(group) for group in LOOKALIKE_GROUPS] == [
        set("0ODQ"), set("1IL7"), set("2Z"), set("5S"), set("6G"), set("8B"), set("UV")]
    seen = [char for group in LOOKALIKE_GROUPS for char in group]
    assert len(seen) == len(set(seen)), "a character belongs to one group only"
