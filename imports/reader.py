"""Reading an uploaded list row by row, with the limits that keep a hostile file harmless.

- at most MAX_FILE_BYTES on disk and MAX_ROWS data rows, MAX_COLUMNS columns;
- CSV: UTF-8 (with or without BOM) or Windows-1252, ';' or ',' (or tab) found from the heading line;
- XLSX: openpyxl in read-only mode (streams the sheet); before openpyxl sees it the zip is checked:
  no macros (vbaProject.bin), no external links, no more than MAX_UNPACKED_BYTES unpacked
  (a zip bomb), and defusedxml (installed, used by openpyxl) refuses entity tricks such as
  billion laughs.
Lines whose first cell starts with '#' are comments (the CSV template explains its columns that way).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 100
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
# One more than the longest text a row may hold (a description, 4,000): a longer cell is cut here but still one
# character too long, so the row is refused with the form's message instead of being stored cut short.
MAX_CELL_CHARS = 4_001


class ImportFileError(Exception):
    """The file is refused; the message is for the user (Swedish)."""


class MappingError(ImportFileError):
    """The column mapping given is unusable; the message is for the user (Swedish)."""


@dataclass
class Sheet:
    file_format: str  # "CSV" | "XLSX"
    headings: list[str]
    rows: Iterator[tuple[int, list[str]]]  # (row number in the file, 1-based; cells as text)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()[:MAX_CELL_CHARS]


def _is_comment(cells: list[str]) -> bool:
    return bool(cells) and cells[0].lstrip().startswith("#")


def _is_empty(cells: list[str]) -> bool:
    return not any(c.strip() for c in cells)


def detect_format(name: str, head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return "XLSX"
    if name.lower().endswith((".xlsx", ".xlsm", ".xls")):
        raise ImportFileError(_("Filen är inte en giltig XLSX-fil."))
    if b"\x00" in head:
        raise ImportFileError(_("Filen är varken CSV eller XLSX."))
    return "CSV"


def check_size(size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise ImportFileError(_("Filen är för stor: högst 10 MB."))
    if size == 0:
        raise ImportFileError(_("Filen är tom."))


def open_sheet(fileobj, name: str) -> Sheet:
    """The headings and an iterator over the data rows. `fileobj` is a binary file that stays open while iterating."""
    fileobj.seek(0, io.SEEK_END)
    check_size(fileobj.tell())
    fileobj.seek(0)
    head = fileobj.read(8)
    fileobj.seek(0)
    if detect_format(name, head) == "XLSX":
        return _open_xlsx(fileobj)
    return _open_csv(fileobj)


# --- CSV ---------------------------------------------------------------------------


def _csv_encoding(fileobj) -> str:
    """UTF-8 if the whole file decodes as UTF-8, else Windows-1252 (what Excel writes on Swedish Windows)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    fileobj.seek(0)
    try:
        while chunk := fileobj.read(64 * 1024):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        encoding = "utf-8-sig"
    except UnicodeDecodeError:
        encoding = "cp1252"
    fileobj.seek(0)
    return encoding


def _open_csv(fileobj) -> Sheet:
    encoding = _csv_encoding(fileobj)
    text = io.TextIOWrapper(fileobj, encoding=encoding, errors="replace", newline="")
    lines, heading_line = _lines_to_heading(text)
    if not heading_line:
        text.detach()
        raise ImportFileError(_("Filen saknar en rad med kolumnrubriker."))
    counts = {d: heading_line.count(d) for d in (";", ",", "\t")}
    delimiter = max(counts, key=counts.get) if max(counts.values()) else ";"
    csv.field_size_limit(MAX_CELL_CHARS * 4)

    def all_lines():
        yield from lines
        yield from text

    reader = csv.reader(all_lines(), delimiter=delimiter)
    headings = _csv_headings(reader, text)
    return Sheet("CSV", headings, _limited(_csv_rows(reader, len(headings), text)))


def _lines_to_heading(text) -> tuple[list[str], str]:
    """The lines read up to the heading line (after any comment lines), and that line ("" if none in the first 200)."""
    lines = []
    for line in text:
        lines.append(line)
        if line.strip() and not line.lstrip().startswith("#"):
            return lines, line
        if len(lines) > 200:
            break
    return lines, ""


def _csv_headings(reader, text) -> list[str]:
    """The first row that is neither comment nor empty, as headings; a file without one, or too wide, is refused."""
    headings: list[str] = []
    cells: list[str] = []
    try:
        for cells in reader:
            if _is_comment(cells) or _is_empty(cells):
                continue
            headings = [c.strip() for c in cells[:MAX_COLUMNS]]
            break
    except csv.Error as exc:
        raise ImportFileError(_("Filen kunde inte läsas som CSV: %(error)s") % {"error": exc}) from exc
    if not any(headings):
        text.detach()
        raise ImportFileError(_("Filen saknar en rad med kolumnrubriker."))
    if len(cells) > MAX_COLUMNS:
        text.detach()
        raise ImportFileError(_("Filen har för många kolumner: högst %(max)d.") % {"max": MAX_COLUMNS})
    return headings


def _csv_rows(reader, width: int, text) -> Iterator[tuple[int, list[str]]]:
    try:
        for cells in reader:
            if _is_comment(cells) or _is_empty(cells):
                continue
            yield reader.line_num, [c.strip()[:MAX_CELL_CHARS] for c in cells[:width]]
    except csv.Error as exc:
        raise ImportFileError(_("Filen kunde inte läsas som CSV (rad %(line)d): %(error)s") % {
            "line": reader.line_num, "error": exc}) from exc
    finally:
        # Hand the binary file back open: the wrapper would close it when collected.
        text.detach()


# --- XLSX --------------------------------------------------------------------------


def check_xlsx_container(fileobj) -> None:
    """Refuse what openpyxl should never open: macros, external links, zip bombs."""
    try:
        with zipfile.ZipFile(fileobj) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportFileError(_("Filen är inte en giltig XLSX-fil.")) from exc
    finally:
        fileobj.seek(0)
    names = [info.filename.lower() for info in infos]
    if any(n.endswith("vbaproject.bin") or (n.endswith(".bin") and "vba" in n) for n in names):
        raise ImportFileError(_("Filen innehåller makron och tas inte emot. Spara den som en vanlig .xlsx utan makron."))
    if any(n.startswith("xl/externallinks/") for n in names):
        raise ImportFileError(_("Filen innehåller externa länkar och tas inte emot. Ta bort länkarna och spara om filen."))
    if "xl/workbook.xml" not in names:
        raise ImportFileError(_("Filen är inte en giltig XLSX-fil."))
    if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
        raise ImportFileError(_("Filen är för stor uppackad: den kan inte vara en vanlig lista."))


def _open_xlsx(fileobj) -> Sheet:
    check_xlsx_container(fileobj)
    import openpyxl  # only here: CSV imports never need it

    try:
        workbook = openpyxl.load_workbook(fileobj, read_only=True, data_only=True, keep_links=False, keep_vba=False)
        sheet = workbook.worksheets[0]
        rows_iter = sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True)
    except ImportFileError:
        raise
    except Exception as exc:  # any parse failure (defusedxml's refusals among them) is a refused file
        raise ImportFileError(_("Filen är inte en giltig XLSX-fil.")) from exc

    cells_iter = _xlsx_cells(workbook, rows_iter)
    headings = _xlsx_headings(cells_iter)

    def rows():
        for number, cells in cells_iter:
            if _is_comment(cells) or _is_empty(cells):
                continue
            yield number, cells[: len(headings)]

    return Sheet("XLSX", headings, _limited(rows()))


def _xlsx_cells(workbook, rows_iter) -> Iterator[tuple[int, list[str]]]:
    """The sheet's rows as numbered lists of cell texts; the workbook is closed when they are read."""
    try:
        for number, values in enumerate(rows_iter, start=1):
            yield number, [_cell_text(v) for v in values]
    except ImportFileError:
        raise
    except Exception as exc:
        raise ImportFileError(_("Filen är inte en giltig XLSX-fil.")) from exc
    finally:
        workbook.close()


def _xlsx_headings(cells_iter: Iterator[tuple[int, list[str]]]) -> list[str]:
    """The first row that is neither comment nor empty, without empty cells at its end; none, or too wide, is refused."""
    headings: list[str] = []
    for _number, cells in cells_iter:
        if _is_comment(cells) or _is_empty(cells):
            continue
        if len([c for c in cells if c]) > MAX_COLUMNS:
            raise ImportFileError(_("Filen har för många kolumner: högst %(max)d.") % {"max": MAX_COLUMNS})
        headings = cells
        break
    while headings and not headings[-1]:
        headings.pop()
    if not headings:
        raise ImportFileError(_("Filen saknar en rad med kolumnrubriker."))
    return headings


def _limited(rows: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    for count, row in enumerate(rows, start=1):
        if count > MAX_ROWS:
            raise ImportFileError(_("Filen har fler än %(max)d rader. Dela upp den i flera filer.") % {"max": MAX_ROWS})
        yield row
