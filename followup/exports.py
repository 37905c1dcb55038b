"""CSV and XLSX of the statistics tables. Every text cell is neutralised against formula injection
(a spreadsheet would run "=…", "+…", "-…", "@…" as a formula); numbers stay numbers."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from .tables import Table

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(value):
    """A text cell that a spreadsheet would read as a formula gets a leading apostrophe (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def shown(value, *, threshold: int, suppressed: bool):
    if value is None:
        return f"<{threshold}" if suppressed else ""
    return value


def header_rows(*, period: str, scope: str, suppressed: bool, threshold: int) -> list[list]:
    rows = [[_("Statistik, avhysningsförebyggande arbete")], [_("Period"), period], [_("Omfattning"), scope]]
    if suppressed:
        rows.append([_("För publicering"), _("Antal under %(n)d visas som <%(n)d.") % {"n": threshold}])
    rows.append([])
    rows.append([_("Tabell"), _("Kod"), _("Benämning"), _("Värde")])
    return rows


def data_rows(tables: list[Table], *, threshold: int, suppressed: bool) -> list[list]:
    return [[t.title, r.code, r.label, shown(r.value, threshold=threshold, suppressed=suppressed)] for t in tables for r in t.rows]


def to_csv(tables, **meta) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    for row in header_rows(**meta) + data_rows(tables, threshold=meta["threshold"], suppressed=meta["suppressed"]):
        writer.writerow([neutralise(v) for v in row])
    # A byte order mark makes Excel read the file as UTF-8 (å, ä, ö).
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(tables, **meta) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Statistik")[:31]
    header = header_rows(**meta)
    for row in header + data_rows(tables, threshold=meta["threshold"], suppressed=meta["suppressed"]):
        sheet.append([neutralise(v) for v in row])
    for cell in sheet[len(header)]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 36
    sheet.column_dimensions["B"].width = 30
    sheet.column_dimensions["C"].width = 50
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
