"""The password policy (12 to 256 characters, not common, not the username)
and argon2id hashing."""
from __future__ import annotations

import pytest

from config import Config
from tests.auth.helpers import field_error_text, has_field_error, page, path_of
from tracer.auth import passwords
from tracer.auth.models import User

GOOD = "mango tren volcán azul 1987"


def change(browser, new, confirm=None, current=None):
    return browser.post("/auth/password", {"current_password": current or browser.user.password,
                                           "new_password": new, "confirm": new if confirm is None else confirm})


@pytest.fixture
def english(sign_in):
    return sign_in(locale="en")


def test_password_change_page_is_offered(english):
    response = english.get("/auth/password")
    assert response.status_code == 200
    for field in ("current_password", "new_password", "confirm"):
        assert f'id="{field}"' in page(response)


@pytest.mark.parametrize("new, message", [
    ("short phrase", None),  # 12 characters: the shortest allowed
    ("elevenchars", "Use at least 12 characters."),
    ("x" * 8 + " y", "Use at least 12 characters."),
])
def test_minimum_length(english, fetch, new, message):
    before = fetch(User, english.user.id).password_hash
    response = change(english, new)
    if message is None:
        assert response.status_code == 302
        assert fetch(User, english.user.id).password_hash != before
    else:
        assert response.status_code == 400
        assert has_field_error(page(response), "new_password")
        assert message in field_error_text(page(response), "new_password")
        assert fetch(User, english.user.id).password_hash == before


def test_over_256_characters_is_refused(english, fetch):
    before = fetch(User, english.user.id).password_hash
    too_long = ("kayak river stone " * 15)[:257]
    response = change(english, too_long)
    assert response.status_code == 400
    assert has_field_error(page(response), "new_password")
    assert fetch(User, english.user.id).password_hash == before


def test_256_characters_is_accepted(english):
    longest = ("kayak river stone " * 15)[:256]
    assert len(longest) == 256
    assert change(english, longest).status_code == 302


def test_common_password_is_refused(english, fetch):
    assert "password1234" in passwords.common_passwords()
    before = fetch(User, english.user.id).password_hash
    for common in ("password1234", "PASSWORD1234", "aaaaaaaaaaaaaaaa", "fiscalia2024", "Tracer-Rastreo1", "contraseña123",
                   "tracer123456", "Tracer-qwerty123"):
        response = change(english, common)
        assert response.status_code == 400, common
        assert has_field_error(page(response), "new_password")
        assert "too common" in field_error_text(page(response), "new_password")
    assert fetch(User, english.user.id).password_hash == before


def test_password_containing_the_username_is_refused(english):
    name = english.user.username
    response = change(english, f"my name is {name.upper()} and i trace")
    assert response.status_code == 400
    assert has_field_error(page(response), "new_password")
    assert "username" in field_error_text(page(response), "new_password")


def test_good_passphrase_is_accepted_and_hashed_with_argon2id(english, fetch, events):
    before = fetch(User, english.user.id)
    response = change(english, GOOD)
    assert response.status_code == 302
    assert path_of(response) == "/auth/profile"
    after = fetch(User, english.user.id)
    assert after.password_hash.startswith("$argon2id$")
    assert GOOD not in after.password_hash
    assert passwords.verify_password(after.password_hash, GOOD)
    assert after.password_changed_at > before.password_changed_at
    [event] = events("user.password_change")
    assert event.details == {"by_admin": False}
    assert GOOD not in str(event.details)


def test_wrong_current_password_is_refused(english, fetch):
    before = fetch(User, english.user.id).password_hash
    response = change(english, GOOD, current="not my password at all")
    assert response.status_code == 400
    assert has_field_error(page(response), "current_password")
    assert not has_field_error(page(response), "new_password")
    assert fetch(User, english.user.id).password_hash == before


def test_confirmation_must_match(english):
    response = change(english, GOOD, confirm=GOOD + "!")
    assert response.status_code == 400
    assert has_field_error(page(response), "confirm")


def test_new_password_must_differ_from_the_current(english):
    response = change(english, english.user.password)
    assert response.status_code == 400
    assert has_field_error(page(response), "new_password")


def test_typed_passwords_are_not_sent_back(english):
    response = change(english, "elevenchars", current="my current secret value")
    assert "elevenchars" not in page(response)
    assert "my current secret value" not in page(response)


def test_users_are_stored_with_argon2id_hashes(make_user, fetch):
    user = make_user()
    stored = fetch(User, user.id).password_hash
    assert stored.startswith("$argon2id$v=19$")
    assert user.password not in stored


def test_production_hashing_uses_rfc_9106_parameters():
    # Outside an application context the production profile applies.
    assert Config.ARGON2_PROFILE == "RFC_9106_LOW_MEMORY"
    hashed = passwords.hash_password("a passphrase to hash once")
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_policy_applies_to_the_admin_user_form(sign_in, agency_id):
    admin = sign_in("admin", locale="en")
    response = admin.post("/admin/users/new", {"username": "new.officer", "full_name": "Nuevo Agente",
                                               "role": "officer", "agency_id": agency_id("FGR"), "locale": "es",
                                               "password": "new.officer 2024 passphrase"})
    assert response.status_code == 400
    assert has_field_error(page(response), "password")
    assert "username" in field_error_text(page(response), "password")
