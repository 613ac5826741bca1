"""Reading the pages, cookies and codes of the sign-in tests."""
from __future__ import annotations

import html
import re
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pyotp

COOKIE = "tracer_session"


def location(response) -> str:
    return response.headers.get("Location", "")


def path_of(response) -> str:
    return urlsplit(location(response)).path


def query_of(response) -> dict[str, list[str]]:
    return parse_qs(urlsplit(location(response)).query)


def is_on_site(url: str) -> bool:
    parts = urlsplit(url)
    return (not parts.scheme and not parts.netloc and url.startswith("/") and not url.startswith("//")
            and "\\" not in url)


def page(response) -> str:
    return response.get_data(as_text=True)


def _tag(text: str, field_id: str) -> str | None:
    match = re.search(rf'<(?:input|select|textarea)\b[^>]*\bid="{re.escape(field_id)}"[^>]*>', text)
    return match.group(0) if match else None


def has_field_error(text: str, field_id: str) -> bool:
    """The field is marked invalid and has its error paragraph."""
    tag = _tag(text, field_id)
    return bool(tag) and 'aria-invalid="true"' in tag and f'id="{field_id}-error"' in text


def field_error_text(text: str, field_id: str) -> str:
    match = re.search(rf'<p class="field__error" id="{re.escape(field_id)}-error">(.*?)</p>', text, re.S)
    return html.unescape(match.group(1)).strip() if match else ""


def error_fields(text: str) -> set[str]:
    return set(re.findall(r'<p class="field__error" id="([^"]+)-error">', text))


def field_value(text: str, field_id: str) -> str | None:
    tag = _tag(text, field_id)
    if tag is None:
        return None
    match = re.search(r'\bvalue="([^"]*)"', tag)
    return html.unescape(match.group(1)) if match else None


def selected_value(text: str, field_id: str) -> str | None:
    match = re.search(rf'<select\b[^>]*\bid="{re.escape(field_id)}"[^>]*>(.*?)</select>', text, re.S)
    if not match:
        return None
    option = re.search(r'<option\b[^>]*\bselected[^>]*\bvalue="([^"]*)"|<option\b[^>]*\bvalue="([^"]*)"[^>]*\bselected',
                       match.group(1))
    return html.unescape(option.group(1) or option.group(2)) if option else None


def flash_error(text: str) -> str:
    match = re.search(r'<p class="flash flash--error" role="alert">(.*?)</p>', text, re.S)
    return html.unescape(match.group(1)).strip() if match else ""


def by_testid(text: str, name: str) -> str:
    match = re.search(rf'data-testid="{re.escape(name)}"[^>]*>(.*?)</', text, re.S)
    return html.unescape(match.group(1)).strip() if match else ""


def recovery_codes(text: str) -> list[str]:
    block = re.search(r'data-testid="recovery-codes">(.*?)</ul>', text, re.S)
    return re.findall(r"<code>([^<]+)</code>", block.group(1)) if block else []


def session_value(browser, key: str):
    with browser.client.session_transaction() as session:
        return session.get(key)


def cookie_value(browser) -> str:
    cookie = browser.client.get_cookie(COOKIE)
    assert cookie is not None, "no session cookie"
    return cookie.value


def use_english(browser) -> None:
    assert browser.post("/language", {"lang": "en"}).status_code == 302


def totp_code(secret: str, offset_steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * offset_steps)


def wrong_code(secret: str) -> str:
    """Six digits that no step near now produces."""
    near = {totp_code(secret, k) for k in range(-3, 4)}
    return next(c for c in ("000000", "111111", "123456", "654321", "999999", "246802", "135791") if c not in near)


def recent(moment: datetime | None, seconds: int = 120) -> bool:
    return moment is not None and abs(datetime.now(timezone.utc) - moment) < timedelta(seconds=seconds)
