"""Builders of landlords' lists for the import tests and the benchmark (test personnummer only)."""

from __future__ import annotations

import csv
import datetime as dt
import io

from tests.factories import pin_for

HEADINGS = ["Referens", "Namn", "Personnummer", "Adress", "Lgh nr", "Postnummer", "Ort", "Telefon", "Skuld",
            "Återvinningsbelopp", "Handlingens datum", "Delgivningsdatum", "Uppsägningsdatum", "Hyresvärd", "Organisationsnummer",
            "Medhyresgäst", "Medhyresgästens personnummer", "Typ", "Inkom"]
COL = {name: i for i, name in enumerate(HEADINGS)}
LANDLORD = ("AB Familjebostäder", "556035-8672")


def good_row(i: int, *, today: dt.date, pin: str | None = None, reference: str | None = None, name: str | None = None) -> list[str]:
    """A valid rent-arrears row; `i` makes the personnummer, reference and address unique."""
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=(i * 7) % 18000)
    document = today - dt.timedelta(days=3)
    return [
        reference or f"REF-{i:05d}", name or f"Test Person{i}", pin or pin_for(birth.strftime("%Y%m%d"), 800 + i % 200),
        f"Testgatan {i}", f"{1000 + i % 9000:04d}", "120 40", "Årsta", "070-1234567", "12 345,50", "12345,50",
        document.isoformat(), (today - dt.timedelta(days=2)).isoformat(), document.isoformat(), *LANDLORD, "", "", "", "",
    ]


def changed(row: list[str], **cells) -> list[str]:
    """A copy of the row with some cells replaced, by heading (spaces as underscores): changed(r, Lgh_nr="12")."""
    row = list(row)
    for name, value in cells.items():
        row[COL[name.replace("_", " ")]] = value
    return row


def csv_bytes(rows: list[list[str]], *, headings=HEADINGS, delimiter=";", encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(headings)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list], *, headings=HEADINGS) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Lista")
    sheet.append(headings)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
