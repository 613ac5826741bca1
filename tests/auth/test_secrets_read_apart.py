"""An account's secrets (the password's hash, the TOTP secrets and counter) are read by the sign-in
and second-factor steps alone (tests/auth/test_login.py, test_mfa.py): the user every page and API
call loads comes without them."""
from __future__ import annotations

from tests.core.test_page_statements import statements_for

SECRET_COLUMNS = ("password_hash", "totp_secret", "totp_pending_secret", "totp_pending_at", "totp_last_counter")


def test_a_page_loads_its_user_without_the_secrets(login_as):
    analyst = login_as("analyst", "FGR")
    sent = statements_for(analyst, "/cases")
    assert sent and any("FROM users" in statement for statement in sent)
    for statement in sent:
        for column in SECRET_COLUMNS:
            assert f"users.{column}" not in statement, statement

