"""Both catalogs are complete, match the code, keep their placeholders and are used.

The message ids in the code are English; ``make messages`` extracts them and
merges them into tracer/translations/{es,en}. Every entry of both catalogs must
be translated (the English one repeats the id), nothing may be fuzzy or
obsolete, and the ids of the catalogs must be exactly those used in the code.
"""
from __future__ import annotations

import os
import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tests.conftest import csrf_token

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "tracer" / "translations"
LANGUAGES = ("es", "en")
PLURAL_FORMS = "nplurals=2; plural=(n != 1);"

# The keywords of `make messages` (pybabel extract -k _l -k lazy_gettext).
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
# babel.cfg names the extractors by their short names; Jinja's is resolved explicitly.
EXTRACTORS = {"jinja2": "jinja2.ext:babel_extract"}

# printf-style conversions as Python's % operator reads them: %(name)s, %d, %.2f …
PLACEHOLDER = re.compile(r"%(?:\((?P<name>[^)]*)\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<type>[diouxXeEfFgGcrsa%])")


def po_path(lang: str) -> Path:
    return TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"


def load(lang: str):
    with po_path(lang).open("rb") as f:
        return read_po(f, locale=lang)


def key(message) -> tuple[str | None, str]:
    """A message's identity in a catalog: its context and its (singular) id."""
    msgid = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
    return message.context, msgid


def forms(value) -> tuple[str, ...]:
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return (value,)


def placeholders(text: str | None) -> Counter:
    """The conversions of a string: named ones by name and type, positional ones by type."""
    found = Counter()
    for match in PLACEHOLDER.finditer(text or ""):
        if match["type"] == "%":
            continue
        found[(match["name"], match["type"])] += 1
    return found


def named(text: str | None) -> set[tuple[str, str]]:
    return {p for p in placeholders(text) if p[0] is not None}


@pytest.fixture(scope="module")
def code_messages() -> dict[tuple[str | None, str], list[str]]:
    """Every message id used in the code, extracted as `make messages` does, with where it is used."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    method_map = [(pattern, EXTRACTORS.get(method, method)) for pattern, method in method_map]
    found: dict[tuple[str | None, str], list[str]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS,
        # Babel skips folders starting with "_" by default; templates/_macros holds shared text.
        directory_filter=lambda path: not os.path.basename(path).startswith("."),
    ):
        msgid = message[0] if isinstance(message, (list, tuple)) else message
        if msgid:
            found.setdefault((context, msgid), []).append(f"{filename}:{lineno}")
    assert found, "no messages extracted: check babel.cfg"
    return found


@pytest.fixture(scope="module", params=LANGUAGES)
def catalog(request):
    return load(request.param)


def test_catalogs_declare_two_plural_forms(catalog):
    assert catalog.plural_forms == PLURAL_FORMS, f"{catalog.locale}: Plural-Forms is {catalog.plural_forms!r}"


def test_every_entry_is_translated_and_none_is_fuzzy(catalog):
    problems = []
    for message in catalog:
        if not message.id:
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        strings = forms(message.string)
        if isinstance(message.id, (list, tuple)) and len(strings) != catalog.num_plurals:
            problems.append(f"{len(strings)} plural forms instead of {catalog.num_plurals}: {message.id!r}")
        if not all(s and s.strip() for s in strings):
            problems.append(f"untranslated: {message.id!r}")
    assert not problems, f"{catalog.locale} catalog:\n" + "\n".join(problems)


def test_no_obsolete_entries(catalog):
    assert not catalog.obsolete, f"{catalog.locale}: remove the obsolete (#~) entries: {list(catalog.obsolete)}"


def test_english_catalog_repeats_the_ids():
    catalog = load("en")
    differ = [
        message.id
        for message in catalog
        if message.id and forms(message.string)[:2] != forms(message.id)[:2]
    ]
    assert not differ, f"en entries whose msgstr is not the msgid: {differ}"


def test_every_message_of_the_code_is_in_the_catalog(catalog, code_messages):
    ids = {key(message) for message in catalog if message.id}
    missing = [f"{msgid!r} ({', '.join(where[:2])})" for (ctx, msgid), where in code_messages.items()
               if (ctx, msgid) not in ids]
    assert not missing, (f"{catalog.locale}: not in the catalog (run `make messages` and translate):\n"
                         + "\n".join(sorted(missing)))


def test_catalog_has_no_ids_the_code_no_longer_uses(catalog, code_messages):
    stale = sorted(msgid for ctx, msgid in (key(m) for m in catalog if m.id) if (ctx, msgid) not in code_messages)
    assert not stale, f"{catalog.locale}: no longer in the code (run `make messages`): {stale}"


def test_spanish_keeps_the_placeholders_of_the_ids():
    problems = []
    for message in load("es"):
        if not message.id:
            continue
        ids = forms(message.id)
        strings = forms(message.string)
        if len(ids) == 1:
            if placeholders(strings[0]) != placeholders(ids[0]):
                problems.append(f"{ids[0]!r} -> {strings[0]!r}")
            continue
        # Plural forms: the plural form keeps every placeholder; the singular
        # form may leave out the count but adds nothing.
        expected = named(ids[0]) | named(ids[1])
        for index, string in enumerate(strings):
            got = named(string)
            if not got <= expected or (index > 0 and got != named(ids[1])):
                problems.append(f"{ids!r} [{index}] -> {string!r}")
    assert not problems, "placeholders differ between msgid and msgstr:\n" + "\n".join(problems)


def test_placeholder_pattern():
    assert placeholders("%(n)d of %(name)s, 100%%, %s") == Counter({("n", "d"): 1, ("name", "s"): 1, (None, "s"): 1})


def translations(catalog) -> dict[tuple[str | None, str], tuple[str, ...]]:
    """What a catalog translates: each entry's key and its translated forms (the header aside)."""
    found = {}
    for m in catalog:
        if m.id and not m.fuzzy and any(forms(m.string)):
            context, msgid = key(m)
            # read_mo leaves contexts as bytes
            found[(context.decode() if isinstance(context, bytes) else context, msgid)] = forms(m.string)
    return found


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_shipped_compiled_catalog_holds_exactly_its_po(lang):
    """The .mo files are part of the release (a production start serves them as they are):
    each must hold the translations of its .po, no more and no fewer. After editing a
    .po, `make translations` rebuilds them."""
    mo = po_path(lang).with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run make translations"
    with mo.open("rb") as f:
        compiled = read_mo(f)
    assert translations(compiled) == translations(load(lang)), f"{mo} differs from its .po: run make translations"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_compiled_catalogs_are_committed(lang):
    mo = po_path(lang).with_suffix(".mo")
    try:
        listed = subprocess.run(["git", "ls-files", "--error-unmatch", str(mo.relative_to(ROOT))], cwd=ROOT,
                                capture_output=True, text=True, timeout=30)
    except FileNotFoundError:
        pytest.skip("git is not installed")
    if "not a git repository" in listed.stderr:
        pytest.skip("not a git checkout")
    assert listed.returncode == 0, f"{mo} is not in the repository: production would serve English"


def test_sign_in_page_is_in_spanish_by_default_and_english_on_request(client):
    page = client.get("/auth/notice")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<html lang="es">' in html
    assert "Aviso de uso del sistema" in html
    assert "He leído y acepto" in html
    assert "I have read and accept" not in html

    token = csrf_token(client, "/auth/notice")
    switched = client.post("/language", data={"csrf_token": token, "lang": "en", "next": "/auth/notice"})
    assert switched.status_code == 302

    html = client.get("/auth/notice").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Use-of-system notice" in html
    assert "I have read and accept" in html
    assert "He leído y acepto" not in html


def test_wtforms_own_messages_follow_each_readers_language_from_one_reading_per_language(login_as, monkeypatch):
    from tracer.core import i18n

    monkeypatch.setattr(i18n, "_WTFORMS_CATALOGS", {})
    read = []
    load = i18n.Translations.load
    monkeypatch.setattr(i18n.Translations, "load", lambda *args, **kwargs: (
        read.append(args) if kwargs.get("domain") == "wtforms" else None) or load(*args, **kwargs))
    spanish, english = login_as("analyst", "FGR"), login_as("analyst", "FGR", locale="en")
    for _ in range(2):
        answer = spanish.get("/cases?created_from=ayer").get_data(as_text=True)
        assert "No es una fecha válida." in answer and "Not a valid date value." not in answer
        assert "Not a valid date value." in english.get("/cases?created_from=yesterday").get_data(as_text=True)
    assert len(read) == 2  # once for each language, however many requests
