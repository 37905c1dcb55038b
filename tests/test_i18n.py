"""The English translation: the catalogue is complete, compiled and current, and the
language switcher (and only the switcher, never the browser) turns the UI English.

locale/en/LC_MESSAGES/django.po is the only source of the English text (read here with polib).
Refresh it with `make messages`, write the English msgstr of new entries in the .po, and
`make messages` again; locale/README.md says how."""

import ast
import gettext
import os
import re
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.translation.template import templatize

BASE_DIR = Path(settings.BASE_DIR)
LC_MESSAGES = BASE_DIR / "locale" / "en" / "LC_MESSAGES"
PO_FILE = LC_MESSAGES / "django.po"
MO_FILE = LC_MESSAGES / "django.mo"
FIX = (
    "Run `make messages`, write the English msgstr of the new entries directly in "
    "locale/en/LC_MESSAGES/django.po (remove any `#, fuzzy` flag after checking the guess), "
    "then `make messages` again (see locale/README.md)."
)

# What must survive in the translation: Python %-format and brace placeholders, and HTML tags.
_PLACEHOLDER = re.compile(
    r"%\([^)]+\)[#0\- +]*\d*(?:\.\d+)?[sdifr]"  # %(name)s
    r"|%[#0\- +]*\d*(?:\.\d+)?[sdifr]"  # %s, %d
    r"|\{[A-Za-z_][A-Za-z0-9_]*\}"  # {name}
    r"|</?[a-zA-Z][^>]*>"  # HTML tags
)


def placeholders(text: str) -> list[str]:
    """Placeholders and tags, sorted, for comparing msgid and msgstr."""
    return sorted(_PLACEHOLDER.findall(text))


def key(entry: polib.POEntry) -> str:
    """The key gettext uses in a .mo file (context, EOT, msgid)."""
    return entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"


def pairs(entry: polib.POEntry) -> list[tuple[str, str]]:
    """(source, translation) for each form of the entry."""
    if entry.msgid_plural:
        return [(entry.msgid, entry.msgstr_plural.get(0, "")), (entry.msgid_plural, entry.msgstr_plural.get(1, ""))]
    return [(entry.msgid, entry.msgstr)]


@pytest.fixture(scope="module")
def catalogue():
    return polib.pofile(str(PO_FILE))


@pytest.fixture(scope="module")
def entries(catalogue):
    # polib keeps the header apart (catalogue.metadata) and obsolete (#~) entries are flagged.
    return [e for e in catalogue if not e.obsolete]


# --- the catalogue ---------------------------------------------------------------


def test_po_has_entries_and_an_english_header(catalogue):
    assert catalogue.metadata.get("Language") == "en"
    assert catalogue.metadata.get("Plural-Forms") == "nplurals=2; plural=(n != 1);"
    assert catalogue.metadata.get("Content-Type") == "text/plain; charset=UTF-8"
    assert not catalogue.metadata_is_fuzzy, "a fuzzy header is ignored by msgfmt, and with it the charset"


def test_po_header_keeps_the_glossary_for_translators(catalogue):
    """The terms list lives in the header comment, where Poedit shows it; a merge must not drop it."""
    assert "Terms (keep them consistent)" in catalogue.header, "restore the header comment (see locale/README.md)"
    assert "handläggare = case worker" in catalogue.header
    assert "scripts/translate_en.py" not in catalogue.header


def test_every_entry_is_translated_and_none_is_fuzzy(entries):
    assert len(entries) > 500  # polib read the real catalogue, not an empty one
    untranslated = [key(e) for e in entries if not all(target for _, target in pairs(e))]
    fuzzy = [key(e) for e in entries if e.fuzzy]
    assert not untranslated, f"{len(untranslated)} untranslated entries, e.g. {untranslated[:5]}. {FIX}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy entries, e.g. {fuzzy[:5]}. {FIX}"


def test_no_entry_is_duplicated(entries):
    keys = [key(e) for e in entries]
    duplicated = sorted({k for k in keys if keys.count(k) > 1})
    assert not duplicated, f"entries appear twice in django.po (a bad merge?): {duplicated[:5]}. {FIX}"


def test_translations_keep_placeholders_and_tags(entries):
    wrong = []
    for e in entries:
        wrong += [(source, target) for source, target in pairs(e) if placeholders(source) != placeholders(target)]
    assert not wrong, f"placeholders or HTML tags differ: {wrong[:5]}"


def test_translations_keep_a_trailing_newline(entries):
    """msgfmt --check refuses a catalogue where msgid and msgstr differ in a trailing newline."""
    wrong = [key(e) for e in entries for source, target in pairs(e) if target and source.endswith("\n") != target.endswith("\n")]
    assert not wrong, f"trailing newline differs between msgid and msgstr: {wrong[:5]}"


def test_plural_entries_have_both_forms(entries):
    plurals = [e for e in entries if e.msgid_plural]
    assert plurals
    for e in plurals:
        assert sorted(e.msgstr_plural) == [0, 1], key(e)
        assert all(e.msgstr_plural.values()), key(e)


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext (msgfmt) is not installed")
def test_msgfmt_accepts_the_catalogue():
    """GNU gettext's own checks (format strings in python-format entries, header, newlines)."""
    result = subprocess.run(["msgfmt", "--check", "-o", os.devnull, str(PO_FILE)], capture_output=True, text=True)
    assert result.returncode == 0, f"msgfmt --check failed:\n{result.stderr}"


def test_polib_reads_multiline_escaped_and_plural_strings(tmp_path):
    """The reading the checks above rely on: continued lines joined, escapes undone, flags and plurals kept."""
    source = (
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        '#, fuzzy, python-format\nmsgid ""\n"Hej \\"%(name)s\\"\\n"\n"rad två"\nmsgstr "x"\n\n'
        'msgid "ett %(n)s barn"\nmsgid_plural "%(n)s barn"\nmsgstr[0] ""\nmsgstr[1] ""\n\n'
        'msgctxt "kolumn"\nmsgid "Barn"\nmsgstr "Children"\n\n'
        '#~ msgid "gammal"\n#~ msgstr "old"\n'
    )
    path = tmp_path / "t.po"
    path.write_text(source, encoding="utf-8")
    catalogue = polib.pofile(str(path))
    first, second, third, old = list(catalogue)
    assert catalogue.metadata == {"Language": "en"}
    assert first.fuzzy and "python-format" in first.flags
    assert first.msgid == 'Hej "%(name)s"\nrad två'
    assert second.msgid_plural == "%(n)s barn" and not all(t for _, t in pairs(second))
    assert key(third) == "kolumn\x04Barn"
    assert old.obsolete and key(old) == "gammal"
    assert placeholders('Hej <a href="%(url)s">%(name)s</a> {n}') == ["%(name)s", "</a>", '<a href="%(url)s">', "{n}"]
    # Saving and reading again gives the same entries.
    catalogue.save(str(path))

    def fields(items):
        return [(e.msgctxt, e.msgid, e.msgid_plural, e.msgstr, e.msgstr_plural, e.flags, e.obsolete) for e in items]

    assert fields(polib.pofile(str(path))) == fields([first, second, third, old])


# --- the compiled catalogue ---------------------------------------------------------


def test_mo_matches_po(entries):
    """Every translation in the .po is in the .mo, word for word: the .mo was compiled after the last edit."""
    assert MO_FILE.exists(), f"{MO_FILE} is missing. {FIX}"
    with MO_FILE.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    stale = []
    for e in entries:
        if e.msgid_plural and e.msgctxt is not None:
            got = (compiled.npgettext(e.msgctxt, e.msgid, e.msgid_plural, 1), compiled.npgettext(e.msgctxt, e.msgid, e.msgid_plural, 2))
            expected = (e.msgstr_plural[0], e.msgstr_plural[1])
        elif e.msgid_plural:
            got = (compiled.ngettext(e.msgid, e.msgid_plural, 1), compiled.ngettext(e.msgid, e.msgid_plural, 2))
            expected = (e.msgstr_plural[0], e.msgstr_plural[1])
        elif e.msgctxt is not None:
            got, expected = compiled.pgettext(e.msgctxt, e.msgid), e.msgstr
        else:
            got, expected = compiled.gettext(e.msgid), e.msgstr
        if got != expected:
            stale.append(key(e))
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


def _source_key(context, msgid):
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
        yield _source_key(args[ctx_pos].value if ctx_pos is not None else None, args[msg_pos].value)


def _template_msgids(path: Path):
    code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    for match in _TEMPLATIZED.finditer(code):
        name = match.group(1)
        strings = [ast.literal_eval(s.lstrip("u")) for s in re.findall(_STRING, match.group(2))]
        if name.startswith(("pgettext", "npgettext")):
            yield _source_key(strings[0], strings[1])
        else:
            yield _source_key(None, strings[0])


def test_every_marked_string_in_the_source_is_in_the_catalogue(entries):
    in_catalogue = {key(e) for e in entries}
    missing = {}
    for path in _source_files():
        extract = _python_msgids if path.suffix == ".py" else _template_msgids
        for marked in extract(path):
            if marked and marked not in in_catalogue:
                missing.setdefault(marked, str(path.relative_to(BASE_DIR)))
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
