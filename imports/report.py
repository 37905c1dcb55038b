"""Files the import gives back: the per-row report (CSV/XLSX) and the template (XLSX/CSV).

A spreadsheet runs a cell that begins with = + - @ (or a tab/CR) as a formula: every value
that came from a file is neutralised with a leading apostrophe (OWASP "CSV injection")."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _

from cases.rules.identity import mask_personal_identity_number

from .columns import BY_KEY, COLUMNS
from .models import ImportRow, NoticeImport, RowOutcome

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
PIN_KEYS = ("tenant_pin", "co_tenant_pin")


def neutralise(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _masked(key: str, value: str) -> str:
    if key not in PIN_KEYS or not value:
        return value
    digits = "".join(ch for ch in value if ch.isdigit())
    # A personnummer is masked in every list (OSL); a malformed one is shown as given so the user can find it.
    return mask_personal_identity_number(digits) if len(digits) == 12 else value


def outcome_text(row: ImportRow) -> str:
    return str(RowOutcome(row.outcome).label)


def errors_text(row: ImportRow) -> str:
    parts = []
    for key, messages in (row.errors or {}).items():
        label = str(BY_KEY[key].heading) if key in BY_KEY else key
        parts.extend(f"{label}: {m}" for m in messages)
    return "; ".join(parts)


def report_table(notice_import: NoticeImport):
    """Heading row, then one row per data row: number, outcome, case, errors, note, then the mapped values."""
    keys = [c.key for c in COLUMNS if c.key in set(notice_import.mapping.values())]
    yield [_("Rad"), _("Utfall"), _("Ärende"), _("Fel"), _("Anmärkning"), *[str(BY_KEY[k].heading) for k in keys]]
    for row in notice_import.rows.order_by("row_number").iterator(chunk_size=1000):
        values = row.values or {}
        yield [str(row.row_number), outcome_text(row), row.case_number, errors_text(row), row.note,
               *[_masked(k, values.get(k, "")) for k in keys]]


def report_csv(notice_import: NoticeImport) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    for cells in report_table(notice_import):
        writer.writerow([neutralise(c) for c in cells])
    # Excel on Swedish Windows opens UTF-8 with a BOM correctly.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx(sheets: list[tuple[str, object]]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for cells in rows:
            sheet.append([neutralise(c) for c in cells])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def report_xlsx(notice_import: NoticeImport) -> bytes:
    return _xlsx([(_("Rapport"), report_table(notice_import))])


def _template_rows():
    yield [str(c.heading) for c in COLUMNS]
    yield [c.example for c in COLUMNS]


def _meaning_rows():
    yield [_("Kolumn"), _("Betydelse"), _("Krävs")]
    for c in COLUMNS:
        yield [str(c.heading), str(c.meaning), _("ja") if c.required else ""]


def template_xlsx() -> bytes:
    return _xlsx([(_("Underrättelser"), _template_rows()), (_("Kolumner"), _meaning_rows())])


def template_csv() -> bytes:
    """Lines starting with # explain the columns; the import skips them."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    out.write("# " + _("Mall för import av underrättelser. Rader som börjar med # läses inte.") + "\n")
    required_text = _("krävs")
    for c in COLUMNS:
        required = f" ({required_text})" if c.required else ""
        out.write(f"# {c.heading}{required}: {c.meaning}\n".replace("\n", " ").rstrip() + "\n")
    for cells in _template_rows():
        writer.writerow(cells)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
