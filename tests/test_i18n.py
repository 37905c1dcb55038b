"""The English translation: the catalogue is complete, compiled and current, and the
language switcher (and only the switcher, never the browser) turns the UI English.

Refresh the catalogue with `make messages` and `.venv/bin/python scripts/translate_en.py --compile`."""

import ast
import gettext
import os
import re
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.translation.template import templatize

BASE_DIR = Path(settings.BASE_DIR)
LC_MESSAGES = BASE_DIR / "locale" / "en" / "LC_MESSAGES"
PO_FILE = LC_MESSAGES / "django.po"
MO_FILE = LC_MESSAGES / "django.mo"
FIX = (
    "Run `make messages`, add the missing translations to scripts/translate_en.py, "
    "then `.venv/bin/python scripts/translate_en.py --compile`."
)

sys.path.insert(0, str(BASE_DIR / "scripts"))
import po  # noqa: E402  (scripts/po.py)


@pytest.fixture(scope="module")
def entries():
    return [e for e in po.parse(PO_FILE) if not e.is_header and not any(c.startswith("#~") for c in e.comments)]


# --- the catalogue ---------------------------------------------------------------


def test_po_has_entries_and_an_english_header():
    header = next(e for e in po.parse(PO_FILE) if e.is_header)
    assert "Language: en\n" in header.msgstr
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header.msgstr
    assert not header.fuzzy, "a fuzzy header is ignored by msgfmt, and with it the charset"


def test_every_entry_is_translated_and_none_is_fuzzy(entries):
    assert len(entries) > 500  # the parser read the real catalogue, not an empty one
    untranslated = [e.key for e in entries if not e.translated]
    fuzzy = [e.key for e in entries if e.fuzzy]
    assert not untranslated, f"{len(untranslated)} untranslated entries, e.g. {untranslated[:5]}. {FIX}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy entries, e.g. {fuzzy[:5]}. {FIX}"


def test_translations_keep_placeholders_and_tags(entries):
    wrong = []
    for e in entries:
        if e.msgid_plural is not None:
            pairs = [(e.msgid, e.msgstr_plural.get(0, "")), (e.msgid_plural, e.msgstr_plural.get(1, ""))]
        else:
            pairs = [(e.msgid, e.msgstr)]
        wrong += [(source, target) for source, target in pairs if po.placeholders(source) != po.placeholders(target)]
    assert not wrong, f"placeholders or HTML tags differ: {wrong[:5]}"


def test_plural_entries_have_both_forms(entries):
    plurals = [e for e in entries if e.msgid_plural is not None]
    assert plurals
    for e in plurals:
        assert sorted(e.msgstr_plural) == [0, 1], e.key
        assert all(e.msgstr_plural.values()), e.key


def test_parser_reads_multiline_and_escaped_strings(tmp_path):
    source = (
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        '#, fuzzy, python-format\nmsgid ""\n"Hej \\"%(name)s\\"\\n"\n"rad två"\nmsgstr "x"\n\n'
        'msgid "ett %(n)s barn"\nmsgid_plural "%(n)s barn"\nmsgstr[0] ""\nmsgstr[1] ""\n'
    )
    path = tmp_path / "t.po"
    path.write_text(source, encoding="utf-8")
    header, first, second = po.parse(path)
    assert header.is_header and first.fuzzy and "python-format" in first.flags
    assert first.msgid == 'Hej "%(name)s"\nrad två'
    assert second.msgid_plural == "%(n)s barn" and not second.translated
    # Rendering and reading again gives the same entries.
    path.write_text(po.render([header, first, second]), encoding="utf-8")
    def fields(items):
        return [(e.msgid, e.msgid_plural, e.msgstr, e.msgstr_plural, e.flags) for e in items]

    assert fields(po.parse(path)) == fields([header, first, second])


# --- the compiled catalogue ---------------------------------------------------------


def test_mo_matches_po(entries):
    """Every translation in the .po is in the .mo, word for word: the .mo was compiled after the last edit."""
    assert MO_FILE.exists(), f"{MO_FILE} is missing. {FIX}"
    with MO_FILE.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    stale = []
    for e in entries:
        if e.msgid_plural is not None:
            got = (compiled.ngettext(e.msgid, e.msgid_plural, 1), compiled.ngettext(e.msgid, e.msgid_plural, 2))
            expected = (e.msgstr_plural[0], e.msgstr_plural[1])
        elif e.msgctxt is not None:
            got, expected = compiled.pgettext(e.msgctxt, e.msgid), e.msgstr
        else:
            got, expected = compiled.gettext(e.msgid), e.msgstr
        if got != expected:
            stale.append(e.key)
    assert not stale, f"{len(stale)} entries differ between django.po and django.mo, e.g. {stale[:5]}. {FIX}"


# --- the catalogue is current: every marked string in the source is in it ------------------

# The keywords makemessages gives xgettext (plus xgettext's own Python ones), with the positions of
# context, singular and plural.
_KEYWORDS = {
    "_": (None, 0, None), "gettext": (None, 0, None), "gettext_lazy": (None, 0, None), "gettext_noop": (None, 0, None),
    "ngettext": (None, 0, 1), "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None), "pgettext_lazy": (0, 1, None), "npgettext": (0, 1, 2), "npgettext_lazy": (0, 1, 2),
}
_IGNORED = {".venv", "var", "node_modules", os.path.join("static", "vendor")}
# templatize() turns {% translate %} and friends into gettext(u'...') calls and leaves _("...") in
# tag and filter arguments as written.
_STRING = r"u?'(?:[^'\\]|\\.)*'" + r'|u?"(?:[^"\\]|\\.)*"'
_TEMPLATIZED = re.compile(rf"(?<![\w.])(n?p?gettext|_)\(((?:(?:{_STRING})(?:, )?)+)")


def _source_files():
    for dirpath, dirnames, filenames in os.walk(BASE_DIR):
        rel = os.path.relpath(dirpath, BASE_DIR)
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and os.path.normpath(os.path.join(rel, d)) not in _IGNORED]
        for name in filenames:
            if name.endswith((".py", ".html", ".txt")) and not name.startswith("."):
                yield Path(dirpath) / name


def _key(context, msgid):
    return msgid if context is None else f"{context}\x04{msgid}"


def _python_msgids(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr if isinstance(node.func, ast.Attribute) else None
        if name not in _KEYWORDS:
            continue
        ctx_pos, msg_pos, _ = _KEYWORDS[name]
        args = node.args
        if len(args) <= msg_pos or not all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args[: msg_pos + 1]):
            continue  # a variable, an f-string: xgettext skips it as well
        yield _key(args[ctx_pos].value if ctx_pos is not None else None, args[msg_pos].value)


def _template_msgids(path: Path):
    code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    for match in _TEMPLATIZED.finditer(code):
        name = match.group(1)
        strings = [ast.literal_eval(s.lstrip("u")) for s in re.findall(_STRING, match.group(2))]
        if name.startswith(("pgettext", "npgettext")):
            yield _key(strings[0], strings[1])
        else:
            yield _key(None, strings[0])


def test_every_marked_string_in_the_source_is_in_the_catalogue(entries):
    in_catalogue = {e.key for e in entries}
    missing = {}
    for path in _source_files():
        extract = _python_msgids if path.suffix == ".py" else _template_msgids
        for key in extract(path):
            if key and key not in in_catalogue:
                missing.setdefault(key, str(path.relative_to(BASE_DIR)))
    assert not missing, f"{len(missing)} marked strings are not in django.po, e.g. {list(missing.items())[:5]}. {FIX}"


# --- the language switch ----------------------------------------------------------------


def _lang(html: str) -> str:
    match = re.search(r'<html lang="([^"]+)"', html)
    assert match, "the page has no <html lang>"
    return match.group(1)


@pytest.mark.django_db
def test_login_page_is_swedish_by_default(client):
    html = client.get("/konto/logga-in/").content.decode()
    assert _lang(html) == "sv"
    assert "Logga in" in html and "Log in" not in html


@pytest.mark.django_db
def test_browser_language_is_ignored(client):
    html = client.get("/konto/logga-in/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()
    assert _lang(html) == "sv"
    assert "Logga in" in html


@pytest.mark.django_db
def test_language_cookie_turns_the_login_page_english(client):
    assert settings.LANGUAGE_COOKIE_NAME == "django_language"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/konto/logga-in/").content.decode()
    assert _lang(html) == "en"
    assert "Log in" in html and "Logga in" not in html
    assert "Skip to content" in html and "Change language" in html


@pytest.mark.django_db
def test_language_switcher_sets_the_cookie_and_back_again(client):
    client.get("/konto/logga-in/")  # gives the client its CSRF cookie, like a browser
    response = client.post(reverse("set_language"), {"language": "en", "next": "/konto/logga-in/"})
    assert response.status_code == 302 and response["Location"] == "/konto/logga-in/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = client.get("/konto/logga-in/").content.decode()
    assert _lang(html) == "en" and "Log in" in html

    client.post(reverse("set_language"), {"language": "sv", "next": "/konto/logga-in/"})
    html = client.get("/konto/logga-in/").content.decode()
    assert _lang(html) == "sv" and "Logga in" in html


@pytest.mark.django_db
def test_language_switcher_refuses_an_unknown_language(client):
    # Django's set_language stores any language it ships a catalogue for (German included), but the
    # middleware only accepts settings.LANGUAGES, so the page stays Swedish.
    client.post(reverse("set_language"), {"language": "de", "next": "/konto/logga-in/"})
    html = client.get("/konto/logga-in/").content.decode()
    assert _lang(html) == "sv" and "Logga in" in html


@pytest.mark.django_db
def test_signed_in_workspace_is_english_with_the_cookie(client, personas):
    client.force_login(personas["barn"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("cases:my_cases")).content.decode()
    assert _lang(html) == "en"
    assert "My cases" in html and "Log out" in html
    assert "Mina ärenden" not in html and "Logga ut" not in html


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "expected"), [("sv", "Kontrollsiffran stämmer inte."), ("en", "The check digit does not match.")])
def test_identity_number_error_follows_the_language(client, personas, language, expected):
    """The search's error comes from cases/identity.py (Django-free, Swedish); the template translates it."""
    client.force_login(personas["hyresradgivare"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.post(reverse("cases:intake_search"), {"q": "19860314-9802"}).content.decode()  # POSTed: no personnummer in URLs
    assert expected in html
