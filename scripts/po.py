"""A small reader and writer for gettext .po files (polib is not a dependency).

Enough for Django's catalogues: comments, flags, msgctxt, msgid, msgid_plural,
msgstr and msgstr[n], each possibly spread over several quoted lines. Obsolete
entries (#~) are kept as raw comment lines. Used by scripts/translate_en.py and
tests/test_i18n.py."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')
_PLACEHOLDER = re.compile(
    r"%\([^)]+\)[#0\- +]*\d*(?:\.\d+)?[sdifr]"  # %(name)s
    r"|%[#0\- +]*\d*(?:\.\d+)?[sdifr]"  # %s, %d
    r"|\{[A-Za-z_][A-Za-z0-9_]*\}"  # {name}
    r"|</?[a-zA-Z][^>]*>"  # HTML tags
)
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}


def unquote(text: str) -> str:
    """'"a\\nb"' -> 'a<newline>b'."""
    body = text.strip()
    if not (body.startswith('"') and body.endswith('"')):
        raise ValueError(f"not a quoted .po string: {text!r}")
    body = body[1:-1]
    out = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            out.append(_ESCAPES.get(body[i + 1], "\\" + body[i + 1]))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


@dataclass
class Entry:
    comments: list[str] = field(default_factory=list)  # raw lines starting with '#', flags excluded
    flags: list[str] = field(default_factory=list)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: str = ""
    msgstr_plural: dict[int, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """The key gettext uses in a .mo file (context, EOT, msgid)."""
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def translated(self) -> bool:
        if self.msgid_plural is not None:
            return bool(self.msgstr_plural) and all(self.msgstr_plural.values())
        return bool(self.msgstr)


def _wrap(keyword: str, text: str, width: int = 79) -> list[str]:
    """Lay a string out the way msgmerge does: one line if it fits, else "" then pieces."""
    single = f"{keyword} {quote(text)}"
    if "\n" not in text[:-1] and len(single) <= width:
        return [single]
    lines = [f'{keyword} ""']
    for chunk in re.split(r"(?<=\n)", text):
        if not chunk:
            continue
        # Break at spaces so each quoted line stays within width.
        words = re.split(r"(?<= )", chunk)
        current = ""
        for word in words:
            if current and len(quote(current + word)) > width:
                lines.append(quote(current))
                current = word
            else:
                current += word
        if current:
            lines.append(quote(current))
    return lines


def parse(path: Path | str) -> list[Entry]:
    entries: list[Entry] = []
    entry = Entry()
    started = False
    last: tuple[str, int | None] | None = None  # which field a continuation line extends

    def flush() -> None:
        nonlocal entry, started, last
        if started:
            entries.append(entry)
        entry, started, last = Entry(), False, None

    for lineno, raw in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        line = raw.rstrip("\n")
        if not line.strip():
            flush()
            continue
        if line.startswith("#,"):
            if last is not None:  # a comment after strings starts a new entry
                flush()
            entry.flags.extend(f.strip() for f in line[2:].split(",") if f.strip())
            started = True
            continue
        if line.startswith("#"):
            if last is not None:
                flush()
            entry.comments.append(line)
            started = True
            continue
        if line.startswith('"'):
            if last is None:
                raise ValueError(f"{path}:{lineno}: string continuation without a keyword")
            _extend(entry, last, unquote(line))
            continue
        match = _KEYWORD.match(line)
        if not match:
            raise ValueError(f"{path}:{lineno}: cannot parse {line!r}")
        keyword, index, value = match.group(1), match.group(2), unquote(match.group(3))
        if keyword in ("msgctxt", "msgid") and last is not None and last[0].startswith("msgstr"):
            flush()  # entries not separated by a blank line
        started = True
        if keyword == "msgctxt":
            entry.msgctxt = value
            last = ("msgctxt", None)
        elif keyword == "msgid":
            entry.msgid = value
            last = ("msgid", None)
        elif keyword == "msgid_plural":
            entry.msgid_plural = value
            last = ("msgid_plural", None)
        elif index is not None:
            entry.msgstr_plural[int(index)] = value
            last = ("msgstr_plural", int(index))
        else:
            entry.msgstr = value
            last = ("msgstr", None)
    flush()
    return entries


def _extend(entry: Entry, last: tuple[str, int | None], text: str) -> None:
    name, index = last
    if name == "msgstr_plural":
        entry.msgstr_plural[index] += text
    elif name == "msgctxt":
        entry.msgctxt = (entry.msgctxt or "") + text
    elif name == "msgid_plural":
        entry.msgid_plural = (entry.msgid_plural or "") + text
    else:
        setattr(entry, name, getattr(entry, name) + text)


def render(entries: list[Entry]) -> str:
    blocks = []
    for entry in entries:
        lines: list[str] = []
        comments = list(entry.comments)
        obsolete = [c for c in comments if c.startswith("#~")]
        comments = [c for c in comments if not c.startswith("#~")]
        # Flags go after translator/extracted/reference comments and before "#|" previous-msgid lines.
        previous = [c for c in comments if c.startswith("#|")]
        lines.extend(c for c in comments if not c.startswith("#|"))
        if entry.flags:
            lines.append("#, " + ", ".join(entry.flags))
        lines.extend(previous)
        if entry.msgid or entry.msgctxt is not None or entry.msgstr or entry.msgid_plural is not None or not obsolete:
            if entry.msgctxt is not None:
                lines.extend(_wrap("msgctxt", entry.msgctxt))
            lines.extend(_wrap("msgid", entry.msgid))
            if entry.msgid_plural is not None:
                lines.extend(_wrap("msgid_plural", entry.msgid_plural))
                for index in sorted(entry.msgstr_plural):
                    lines.extend(_wrap(f"msgstr[{index}]", entry.msgstr_plural[index]))
            else:
                lines.extend(_wrap("msgstr", entry.msgstr))
        lines.extend(obsolete)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def placeholders(text: str) -> list[str]:
    """Python %-format and brace placeholders plus HTML tags, sorted, for comparing msgid and msgstr."""
    return sorted(_PLACEHOLDER.findall(text))
