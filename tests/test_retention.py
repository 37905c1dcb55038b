"""Retention (gallring, issue 15 §6) over a generated twelve-year history, with the clock set by the test:
exactly the due cases deleted, research-day cases kept, statistics for past years unchanged, audit rows severed
(not deleted), scans and letters gone from storage, and a second run deletes nothing more."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import (
    AuditAction,
    AuditEvent,
    Case,
    CaseStatus,
    DeletedCase,
    Deviation,
    Household,
    Notice,
    Outcome,
    Person,
    SentLetter,
    Task,
    TaskStatus,
)
from cases.rules import retention as rules
from cases.services.retention import retention_run
from tests.factories import household_data, notice_data, pin_for, register

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 15)  # the clock of the test: due are cases whose last entry is in 2020 or earlier
ZONE = timezone.get_current_timezone()


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=ZONE)


def backdate(case: Case, *, opened: dt.date, closed: dt.date | None) -> None:
    """Put the case's own timestamps where the history says (the services stamp them with the real clock)."""
    Case.objects.filter(pk=case.pk).update(opened_at=at(opened), closed_at=at(closed) if closed else None)
    Notice.objects.filter(case=case).update(registered_at=at(opened))
    Task.objects.filter(case=case).exclude(status=TaskStatus.OPEN).update(created_at=at(opened), completed_at=at(closed or opened))
    Task.objects.filter(case=case, status=TaskStatus.OPEN).update(created_at=at(opened))
    Deviation.objects.filter(case=case).update(occurred_on=opened)


def history_case(organisation, user, *, year: int, birth: str, serial: int, children=(), close=True) -> Case:
    received = dt.date(year, 3, 10)
    case = register(organisation, user, serial=serial, tenant_birth=birth, surname=f"Hist{serial}", street=f"Gatan {serial}",
                    children=children, notice=notice_data(received=received.isoformat(), served=received.isoformat()),
                    today=received).case
    if close:
        services.case_close(case=case, user=user, outcome=Outcome.PREVENTED_AGREEMENT)
    backdate(case, opened=received, closed=dt.date(year, 6, 1) if close else None)
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def history(organisation, personas, settings, tmp_path):
    """Twelve years (2014–2025), two closed cases a year: a tenant born on the 3rd, and one born on the 15th
    (research day). Plus a repeat household with an old closed case and an open one, a scan and a frozen letter."""
    settings.MEDIA_ROOT = str(tmp_path)
    user = personas["hyresradgivare"]
    cases = {}
    serial = 810
    for year in range(2014, 2026):
        cases[(year, "plain")] = history_case(organisation, user, year=year, birth="19800303", serial=serial,
                                              children=("2012-04-07",))
        cases[(year, "research")] = history_case(organisation, user, year=year, birth="19800315", serial=serial + 1)
        serial += 2
    old = history_case(organisation, user, year=2015, birth="19790909", serial=899)
    notice = old.notices.first()
    notice.attachment.save("scan.pdf", ContentFile(b"%PDF-1.4 scan"), save=True)
    task = old.tasks.exclude(status=TaskStatus.OPEN).first()
    letter = SentLetter.objects.create(task=task, case=old, file=ContentFile(b"%PDF-1.4 letter", name="brev.pdf"),
                                       sha256="0" * 64, sent_on=dt.date(2015, 3, 12))
    # The same household comes back in 2025: its old case goes, the household and the new case stay.
    again = services.notice_register(
        organisation=organisation, user=user, notice=notice_data(received="2025-02-01", served="2025-02-01"),
        household=household_data(tenant_birth="19790909", serial=899, surname="Hist899", street="Gatan 899"),
        today=dt.date(2025, 2, 1),
    ).case
    assert again.household_id == old.household_id and again.pk != old.pk
    backdate(again, opened=dt.date(2025, 2, 1), closed=None)
    # Reads of the old case in the audit log, and one row older than the audit log's own retention period.
    services_user = personas["hyresradgivare"]
    from cases.audit import audit_log

    audit_log(user=services_user, action=AuditAction.CASE_VIEW, case=old)
    AuditEvent.objects.create(organisation=organisation, user=services_user, action=AuditAction.SEARCH, at=at(dt.date(2015, 1, 5)))
    return {"cases": cases, "old": old, "again": again, "scan": notice.attachment.name, "letter": letter.file.name,
            "storage": notice.attachment.storage}


@pytest.fixture
def aggregates_caught_up(organisation):
    """As in production, the nightly aggregation has run up to yesterday: retention's call to it (cases.hooks)
    then rewrites only the last few days instead of writing twelve years (the slow test does that)."""
    from followup.models import AggregatedDay

    AggregatedDay.objects.create(organisation=organisation, day=TODAY - dt.timedelta(days=1), computed_at=timezone.now())


ADDITIVE = ("notices", "outcomes", "evictions", "debt_bands", "landlord_kinds", "deviations")


def statistics_by_year(user) -> dict[int, dict]:
    client = Client()
    client.force_login(user)
    figures = {}
    for year in range(2014, 2026):
        response = client.get(reverse("api-statistics"), {"from": f"{year}-01-01", "to": f"{year}-12-31"})
        assert response.status_code == 200, response.content
        figures[year] = {key: response.json()[key] for key in ADDITIVE if key in response.json()}
    return figures


def test_rules_deletion_year_and_research_days():
    assert rules.deletion_year(dt.date(2020, 12, 31), 5) == 2026
    assert rules.deletion_year(dt.date(2021, 1, 1), 5) == 2027
    assert rules.is_due(dt.date(2020, 3, 10), dt.date(2026, 1, 1), 5)
    assert not rules.is_due(dt.date(2020, 3, 10), dt.date(2025, 12, 31), 5)
    assert rules.add_years(dt.date(2016, 2, 29), 5) == dt.date(2021, 2, 28)
    assert rules.kept_for_research([dt.date(1980, 1, 3), dt.date(2001, 5, 25)], (5, 15, 25))
    assert not rules.kept_for_research([dt.date(1980, 1, 3), None], (5, 15, 25))
    assert not rules.kept_for_research([dt.date(1980, 1, 5)], ())


@pytest.mark.slow  # twelve years of daily statistics aggregates are written before the deletion
def test_twelve_years_exactly_the_due_cases_deleted_statistics_unchanged(history, personas, organisation,
                                                                         django_capture_on_commit_callbacks):
    before = statistics_by_year(personas["styrgrupp"])
    assert before[2016]["notices"]["total"] == 2  # the generated history is there

    dry = retention_run(today=TODAY)
    plain_due = {c.pk for (year, kind), c in history["cases"].items() if kind == "plain" and year <= 2020}
    assert dry.due == len(plain_due) + 1  # + the repeat household's old case
    assert dry.kept_for_research == 7  # the research-day tenants of 2014–2020
    assert Case.objects.count() == 12 * 2 + 2  # a dry run deletes nothing

    with django_capture_on_commit_callbacks(execute=True):  # the files go after each batch's commit
        result = retention_run(today=TODAY, execute=True, batch_size=3)
    assert result.deleted_cases == 8
    remaining = set(Case.objects.values_list("pk", flat=True))
    assert not remaining & (plain_due | {history["old"].pk})
    kept = {c.pk for (year, kind), c in history["cases"].items() if kind == "research" or year >= 2021}
    assert kept | {history["again"].pk} == remaining

    # Households with no case left went with their persons; the repeat household stays with its new case.
    assert result.deleted_households == 7
    assert Household.objects.filter(pk=history["old"].household_id).exists()
    assert not Person.objects.filter(household__cases__isnull=True).exists()

    # The deletion record: number, dates, counts, no personal data.
    record = DeletedCase.objects.get(case_number=history["old"].number)
    assert record.opened_on == dt.date(2015, 3, 10) and record.closed_on == dt.date(2015, 6, 1)
    assert record.last_entry_on == dt.date(2015, 6, 1)
    assert record.counts["documents"] == 2 and record.counts["notices"] == 1 and record.counts["persons"] == 0

    # The audit rows of the deleted case are severed, not deleted; the very old row is past the log's own period.
    severed = AuditEvent.objects.filter(case__isnull=True, case_number=history["old"].number)
    assert severed.filter(action=AuditAction.CASE_VIEW).exists()
    assert severed.filter(action=AuditAction.NOTICE_REGISTER).exists()
    assert not AuditEvent.objects.filter(at__lt=at(dt.date(2016, 6, 15), 0)).exists()
    assert result.deleted_audit_events == 1

    # Scans and frozen letters are gone from storage.
    assert not history["storage"].exists(history["scan"])
    assert not history["storage"].exists(history["letter"])

    # The steering group's figures for every past year are unchanged (they come from the aggregates).
    assert statistics_by_year(personas["styrgrupp"]) == before

    # Twice: nothing more.
    again = retention_run(today=TODAY, execute=True)
    assert (again.due, again.deleted_cases, again.deleted_households) == (0, 0, 0)
    assert Case.objects.count() == len(remaining)


def test_a_case_with_a_recent_entry_or_open_is_kept(organisation, personas, aggregates_caught_up):
    user = personas["hyresradgivare"]
    recent = history_case(organisation, user, year=2019, birth="19800303", serial=840)
    services.contact_register(case=recent, user=user, date=dt.date(2022, 1, 10), channel="PHONE", established=True)
    Case.objects.filter(pk=recent.pk).update(closed_at=at(dt.date(2019, 6, 1)))
    still_open = history_case(organisation, user, year=2014, birth="19800303", serial=842, close=False)
    result = retention_run(today=TODAY, execute=True)
    assert result.deleted_cases == 0
    assert Case.objects.filter(pk__in=[recent.pk, still_open.pk]).count() == 2


def test_the_research_days_are_a_setting(organisation, personas, settings):
    settings.RETENTION_RESEARCH_DAYS = (5,)
    user = personas["hyresradgivare"]
    case = history_case(organisation, user, year=2014, birth="19800303", serial=844)
    Person.objects.filter(household=case.household).update(birth_date=dt.date(1980, 3, 5))
    assert retention_run(today=TODAY).kept_for_research == 1
    settings.RETENTION_RESEARCH_DAYS = ()
    assert retention_run(today=TODAY).due == 1


def test_the_command_is_a_dry_run_unless_told(organisation, personas, aggregates_caught_up):
    history_case(organisation, personas["hyresradgivare"], year=2014, birth="19800303", serial=846)
    out = io.StringIO()
    call_command("run_retention", "--date", TODAY.isoformat(), stdout=out)
    assert "Provkörning" in out.getvalue() and "1 ärenden att gallra" in out.getvalue()
    assert Case.objects.count() == 1
    out = io.StringIO()
    call_command("run_retention", "--date", TODAY.isoformat(), "--execute", stdout=out)
    assert Case.objects.count() == 0 and "Raderat: 1 ärenden" in out.getvalue()
    assert DeletedCase.objects.count() == 1


def test_the_nightly_task_deletes_only_with_the_setting(organisation, personas, aggregates_caught_up, settings):
    from cases.tasks import run_retention_task

    history_case(organisation, personas["hyresradgivare"], year=2014, birth="19800303", serial=848)
    settings.RETENTION_EXECUTE = False
    assert run_retention_task(TODAY.isoformat())["deleted"] == 0 and Case.objects.count() == 1
    settings.RETENTION_EXECUTE = True
    assert run_retention_task(TODAY.isoformat())["deleted"] == 1
    assert run_retention_task(TODAY.isoformat())["deleted"] == 0


def test_audit_log_stays_append_only_apart_from_retention(organisation, personas):
    case = history_case(organisation, personas["hyresradgivare"], year=2014, birth="19800303", serial=850)
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(case=case).update(case=None)
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(case=case).delete()
    event = AuditEvent.objects.filter(case=case).first()
    event.detail = "ändrad"
    with pytest.raises(PermissionError):
        event.save()
    assert case.status == CaseStatus.CLOSED


def test_the_system_administrator_sees_counts_by_year_and_unit_and_no_names(client, organisation, personas):
    old = history_case(organisation, personas["hyresradgivare"], year=2014, birth="19800303", serial=852)
    client.force_login(personas["admin"])
    html = client.get(reverse("cases:retention")).content.decode()
    assert "1 ärende att gallra" in html and "2014" in html and old.lead_unit.name in html
    assert old.number not in html and "Hist852" not in html
    assert "Bara provkörning varje natt" in html
    client.force_login(personas["chef"])
    assert client.get(reverse("cases:retention")).status_code == 403


# --- What other parts kept of a deleted case (issue 15 §6, docs/retention.md) ---------------------------------


def _import_rows(user, rows: list[list[str]], *, day: dt.date, name: str):
    """An import of `rows` registered as on `day` (the worker's step run inline), then dated that day."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from imports import services as import_services
    from imports.models import NoticeImport
    from tests.import_files import csv_bytes

    upload = SimpleUploadedFile(name, csv_bytes(rows), content_type="text/csv")
    notice_import = import_services.import_upload(organisation=user.organisation, user=user, upload=upload)
    import_services.import_preview(notice_import=notice_import, mapping=notice_import.mapping, user=user, today=day)
    import_services.import_commit_start(notice_import=notice_import, user=user, rows="VALID")
    import_services.import_commit(import_id=notice_import.pk, user=user, today=day)
    NoticeImport.objects.filter(pk=notice_import.pk).update(created_at=at(day), finished_at=at(day, 11))
    return NoticeImport.objects.get(pk=notice_import.pk)


def _closed_as_of(case: Case, year: int, user) -> Case:
    services.case_close(case=case, user=user, outcome=Outcome.PREVENTED_AGREEMENT)
    backdate(case, opened=dt.date(year, 3, 10), closed=dt.date(year, 6, 1))
    return Case.objects.get(pk=case.pk)


def _meeting(organisation, series, day: dt.date, cases: list[Case]):
    from bosam.models import AgendaItem, AgendaSection, Meeting

    meeting = Meeting.objects.create(organisation=organisation, series=series, scheduled_date=day, date=day,
                                     time=dt.time(9), place="Sal Årsta")
    for position, case in enumerate(cases, start=1):
        AgendaItem.objects.create(meeting=meeting, case=case, section=AgendaSection.NEW_NOTICES, position=position,
                                  notice_type="RENT_ARREARS_TERMINATION", children_count=case.children_count)
    return meeting


def _text_fields(model):
    from django.db import models as m

    return [f.name for f in model._meta.concrete_fields if isinstance(f, (m.CharField, m.TextField, m.JSONField))]


def rows_holding(needle: str) -> list[str]:
    """Every row of every table whose text (char, text and JSON columns) holds `needle`, as 'model pk field'."""
    from django.apps import apps
    from django.db.models import Q

    found = []
    for model in apps.get_models():
        for name in _text_fields(model):
            for pk in model._default_manager.filter(Q(**{f"{name}__icontains": needle})).values_list("pk", flat=True):
                found.append(f"{model._meta.label} {pk} {name}")
    return found


def files_holding(root, needle: str) -> list[str]:
    from pathlib import Path

    return [str(p) for p in Path(root).rglob("*") if p.is_file() and needle.encode() in p.read_bytes()]


def pdf_text(pdf: bytes, tmp_path) -> str:
    import subprocess

    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout


@pytest.fixture
def kept_elsewhere(history, organisation, personas, settings, tmp_path):
    """On top of the twelve years: what imports, BOSAM and the deviations register kept of the cases.

    - an import in 2015 of one new tenant (deleted later) and an error row; another of a tenant deleted later and
      one kept for research (born on the 15th); an abandoned preview from January 2026 (past IMPORT_RETENTION_DAYS)
      and a recent one (kept);
    - two closed BOSAM meetings in 2015: the first with the 2015 plain case (deleted; a note and an activity that
      name the tenant) and the research case (kept); the second lists the activity under follow-up; PDFs stored;
    - a manual deviation (free text naming the tenant, handled with a comment) and an automatic one on the 2016
      plain case (deleted)."""
    from bosam import pdf as bosam_pdf
    from bosam import services as bosam_services
    from bosam.models import MeetingDocument, MeetingSeries
    from cases.models import DeviationKind
    from followup import services as followup_services
    from imports.models import ImportStatus, NoticeImport
    from tests.import_files import changed, good_row

    settings.IMPORT_RETENTION_DAYS = 90
    user, chair = personas["hyresradgivare"], personas["ordforande"]
    day = dt.date(2015, 3, 12)
    lone_pin, gone_pin, kept_pin = pin_for("19700707", 870), pin_for("19700708", 872), pin_for("19700715", 873)
    lone = _import_rows(user, [good_row(870, today=day, pin=lone_pin, name="Imp Lonesson"),
                               changed(good_row(871, today=day, name="Imp Felsson"), Personnummer="19700707-0000")],
                        day=day, name="lista-2015.csv")
    mixed = _import_rows(user, [good_row(872, today=day, pin=gone_pin, name="Imp Gonesson"),
                                good_row(873, today=day, pin=kept_pin, name="Imp Keptsson")], day=day, name="lista-b.csv")
    cases = {row.row_number: row.case for row in mixed.rows.select_related("case")}
    lone_case = _closed_as_of(lone.rows.get(row_number=2).case, 2015, user)  # row 1 is the headings
    gone_case, kept_case = _closed_as_of(cases[2], 2015, user), _closed_as_of(cases[3], 2015, user)
    abandoned = NoticeImport.objects.create(organisation=organisation, created_by=user, file_name="gammal.csv", file_sha256="1" * 64,
                                            file_format="CSV", status=ImportStatus.PREVIEW, row_count=1,
                                            created_at=at(dt.date(2026, 1, 2)), file=ContentFile(b"x;Imp Abandonsson", name="a.csv"))
    recent = NoticeImport.objects.create(organisation=organisation, created_by=user, file_name="ny.csv", file_sha256="2" * 64,
                                         file_format="CSV", status=ImportStatus.PREVIEW, row_count=1,
                                         created_at=at(TODAY - dt.timedelta(days=10)), file=ContentFile(b"x;y", name="r.csv"))

    plain, research = history["cases"][(2015, "plain")], history["cases"][(2015, "research")]
    series = MeetingSeries.objects.create(organisation=organisation, name="BOSAM", weekday=1, time=dt.time(9), place="Sal Årsta",
                                          start_date=dt.date(2015, 3, 3))
    series.departments.set(organisation.departments.all())
    first = _meeting(organisation, series, dt.date(2015, 3, 17), [plain, research])
    item = first.items.get(case=plain)
    bosam_services.item_note_save(item=item, user=chair, note="Hist812 har ringt om skulden")
    bosam_services.activity_create(item=item, user=chair, what="Hembesök hos Hist812 på Gatan 812",
                                   unit=organisation.units.get(code="EKONOMISKT_BISTAND"), due_date=dt.date(2015, 5, 31))
    bosam_services.meeting_close(meeting=first, user=chair)
    second = _meeting(organisation, series, dt.date(2015, 3, 31), [research])
    bosam_services.meeting_close(meeting=second, user=chair)
    for meeting in (first, second):
        bosam_pdf.document_pdf(meeting, MeetingDocument.Kind.MINUTES)
    backdate(plain, opened=dt.date(2015, 3, 10), closed=dt.date(2015, 6, 1))  # the meeting's tasks were done "now"
    backdate(research, opened=dt.date(2015, 3, 10), closed=dt.date(2015, 6, 1))

    case_2016 = history["cases"][(2016, "plain")]
    manual = followup_services.deviation_register(organisation=organisation, user=user, case=case_2016,
                                                  description="Hist814 fick inget brev", occurred_on=dt.date(2016, 3, 20))
    followup_services.deviation_handle(deviation=manual, user=personas["chef"], status="HANDLED", comment="Talade med Hist814")
    services.deviation_raise_once(organisation=organisation, kind=DeviationKind.TASK_OVERDUE, key="task-overdue-test-2016",
                                  case=case_2016, occurred_on=dt.date(2016, 3, 25),
                                  description="Kontakt med hyresgästen skulle vara klar 2016-03-24.")
    return {"lone": lone, "mixed": mixed, "abandoned": abandoned, "recent": recent, "lone_case": lone_case,
            "gone_case": gone_case, "kept_case": kept_case, "pins": (lone_pin, gone_pin, kept_pin),
            "first": first, "second": second, "plain": plain, "research": research, "case_2016": case_2016,
            "manual": manual}


def test_nothing_of_a_deleted_case_stays_in_imports_minutes_pdfs_or_the_register(
        kept_elsewhere, history, personas, organisation, aggregates_caught_up, settings, tmp_path,
        django_capture_on_commit_callbacks):
    from bosam import pdf as bosam_pdf
    from bosam.models import Meeting, MeetingDocument
    from imports.models import ImportRow, NoticeImport

    k = kept_elsewhere
    lone_pin, gone_pin, kept_pin = k["pins"]
    lone_file, mixed_file = k["lone"].file.name, k["mixed"].file.name
    storage = k["lone"].file.storage
    first_minutes = Meeting.objects.get(pk=k["first"].pk).minutes
    assert "Hist812" in str(first_minutes) and "Hist812" in str(Meeting.objects.get(pk=k["second"].pk).minutes)
    assert MeetingDocument.objects.filter(meeting__in=[k["first"], k["second"]]).count() == 2
    assert files_holding(settings.MEDIA_ROOT, lone_pin) and rows_holding(lone_pin)  # the data is there to be found

    with django_capture_on_commit_callbacks(execute=True):
        result = retention_run(today=TODAY, execute=True, batch_size=4)
    deleted_cases = [k["lone_case"], k["gone_case"], k["plain"], k["case_2016"]]
    assert not Case.objects.filter(pk__in=[c.pk for c in deleted_cases]).exists()
    assert Case.objects.filter(pk__in=[k["kept_case"].pk, k["research"].pk]).count() == 2

    # No row of any table and no stored file holds a deleted tenant's personnummer, name or street address.
    needles = [lone_pin, gone_pin, "Lonesson", "Felsson", "Gonesson", "Testgatan 870", "Testgatan 871", "Testgatan 872",
               "Abandonsson"]
    for year in range(2014, 2021):  # the plain cases deleted, whose households went with them (serials as in `history`)
        serial = 810 + 2 * (year - 2014)
        needles += [pin_for("19800303", serial), f"Hist{serial}", f"Gatan {serial}"]
    for needle in needles:
        assert rows_holding(needle) == [], needle
        assert files_holding(settings.MEDIA_ROOT, needle) == [], needle
    assert rows_holding(kept_pin) and rows_holding("Keptsson")  # the research case's row keeps its data

    # Imports: the lone import is purged (rows and file gone, audit facts kept); the mixed one lost the deleted
    # tenant's row cells and its file, and keeps the research case's row; the abandoned preview is swept.
    lone = NoticeImport.objects.get(pk=k["lone"].pk)
    assert lone.is_purged and not lone.file and not ImportRow.objects.filter(notice_import=lone).exists()
    assert lone.file_sha256 == k["lone"].file_sha256 and lone.row_count == 2 and lone.created_by_id == k["lone"].created_by_id
    assert lone.outcome_counts == {"NEW_HOUSEHOLD": 1, "JOINS_CASE": 0, "ALREADY_IMPORTED": 0, "ERROR": 1}
    assert "lista-2015" not in lone.file_name
    assert not storage.exists(lone_file) and not storage.exists(mixed_file)
    mixed = NoticeImport.objects.get(pk=k["mixed"].pk)
    assert not mixed.is_purged and not mixed.file
    # The deleted tenant's row lost its cells, and then (the import being older than IMPORT_RETENTION_DAYS) went
    # with the rows that have no case; the counts stay as they were.
    assert list(mixed.rows.values_list("row_number", flat=True)) == [3]
    assert mixed.outcome_counts["NEW_HOUSEHOLD"] == 2
    kept_row = mixed.rows.get(row_number=3)
    assert kept_row.values["tenant_pin"] and kept_row.case_id == k["kept_case"].pk
    assert NoticeImport.objects.get(pk=k["abandoned"].pk).is_purged
    assert not NoticeImport.objects.get(pk=k["recent"].pk).is_purged
    assert result.other["imports_purged"] == 2 and result.other["minutes_scrubbed"] == 2

    # BOSAM: the minutes list the number under gallrade ärenden, without its row, note or activity; the research
    # case's row stays; the stored PDFs are gone, and a new one holds nothing of the deleted case but its number.
    minutes = Meeting.objects.get(pk=k["first"].pk).minutes
    numbers = [e["number"] for s in minutes["sections"] for e in s["items"]]
    assert numbers == [k["research"].number] and minutes["deleted_cases"] == [k["plain"].number]
    assert minutes["children"]["numbers"] == [] and minutes["case_count"] == 2
    follow_up = Meeting.objects.get(pk=k["second"].pk).minutes
    assert follow_up["follow_up"] == [] and follow_up["deleted_cases"] == [k["plain"].number]
    assert not MeetingDocument.objects.filter(meeting__in=[k["first"], k["second"]]).exists()
    text = pdf_text(bosam_pdf.document_pdf(Meeting.objects.get(pk=k["first"].pk), MeetingDocument.Kind.MINUTES), tmp_path)
    assert "Gallrade ärenden" in text and k["plain"].number in text and k["research"].number in text
    assert "Hist812" not in text and "Hembesök" not in text

    # Deviations stay in the register, with the case number and unit, free text cleared, counted in the report.
    manual = Deviation.objects.get(pk=k["manual"].pk)
    automatic = Deviation.objects.get(dedupe_key="task-overdue-test-2016")
    for deviation in (manual, automatic):
        assert deviation.case_id is None and deviation.case_number == k["case_2016"].number
        assert deviation.case_unit_id == k["case_2016"].lead_unit_id
    assert manual.description == "" and manual.status_comment == "gallrat" and manual.events.get().comment == "gallrat"
    assert automatic.description == "Kontakt med hyresgästen skulle vara klar 2016-03-24."
    client = Client()
    client.force_login(personas["styrgrupp"])
    html = client.get(reverse("followup:register"), {"date_from": "2016-01-01", "date_to": "2016-12-31"}).content.decode()
    assert html.count(k["case_2016"].number) >= 2 and "gallrat" in html and k["case_2016"].lead_unit.name in html
    from followup.models import PeriodReport
    from followup.reports import report_content

    report = PeriodReport.objects.create(organisation=organisation, kind="YEAR", period_start=dt.date(2016, 1, 1),
                                         period_end=dt.date(2016, 12, 31))
    content = report_content(report)
    by_kind = {row["code"]: row for row in content["deviations"]["by_kind"]}
    assert by_kind["MANUAL"]["now"] == 1 and by_kind["MANUAL"]["cases"] == [k["case_2016"].number]
    assert {"label": k["case_2016"].lead_unit.name, "now": 2, "before": 0} in content["deviations"]["by_unit"]

    # Twice: nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        again = retention_run(today=TODAY, execute=True)
    assert (again.deleted_cases, again.other) == (0, {})
    assert Deviation.objects.filter(case_number=k["case_2016"].number).count() == 2
    assert Meeting.objects.get(pk=k["first"].pk).minutes == minutes


def test_the_rows_of_a_deleted_case_lose_their_cells_at_once_and_the_file_goes(
        organisation, personas, settings, tmp_path, django_capture_on_commit_callbacks):
    """A recent import (inside IMPORT_RETENTION_DAYS) that touched a case being deleted and one that stays."""
    from imports import retention as import_retention
    from imports.models import NoticeImport
    from tests.import_files import good_row

    settings.MEDIA_ROOT = str(tmp_path)
    user = personas["hyresradgivare"]
    day = timezone.localdate()
    gone_pin, kept_pin = pin_for("19700707", 874), pin_for("19700709", 875)
    notice_import = _import_rows(user, [good_row(874, today=day, pin=gone_pin, name="Imp Borta"),
                                        good_row(875, today=day, pin=kept_pin, name="Imp Kvar")], day=day, name="ny-lista.csv")
    gone_row, kept_row = notice_import.rows.get(row_number=2), notice_import.rows.get(row_number=3)
    stored, storage = notice_import.file.name, notice_import.file.storage
    with django_capture_on_commit_callbacks(execute=True):
        counts = import_retention.cases_deleting([gone_row.case])
    assert counts == {"import_rows_cleared": 1, "import_files_deleted": 1, "imports_purged": 0, "import_rows_deleted": 0}
    gone_row.refresh_from_db()
    kept_row.refresh_from_db()
    assert gone_row.values == {} and gone_row.key == "" and gone_row.notice_id is None and gone_row.case_number
    assert kept_row.values["tenant_pin"] == kept_pin and kept_row.case_id is not None
    assert not storage.exists(stored) and not files_holding(tmp_path, gone_pin)
    refreshed = NoticeImport.objects.get(pk=notice_import.pk)
    assert not refreshed.file and not refreshed.is_purged and refreshed.outcome_counts["NEW_HOUSEHOLD"] == 2
    # The sweep leaves a recent import alone: the kept tenant's row and the cleared row stay.
    assert import_retention.retention_sweep(day, True) == {}
    assert refreshed.rows.count() == 2


@pytest.mark.django_db
def test_a_routing_override_loses_its_reason_when_its_case_is_severed(organisation, personas):
    """The override's reason is a person's words stored inside the application's sentence (issue 12 §6): severing the
    deviation for retention clears it there too, and keeps the unit and the case number."""
    from cases.models import AssignmentRole, Deviation, DeviationKind
    from cases.services.retention import CLEARED_TEXT, sever_deviations

    case = register(organisation, personas["hyresradgivare"]).case
    unit = organisation.units.get(code="EKONOMISKT_BISTAND")
    services.assignment_change(case=case, user=personas["chef"], unit=unit, role=AssignmentRole.LEAD,
                               reason="Pappan Kalle Svensson har en skuld hos oss sedan tidigare")
    deviation = Deviation.objects.get(case=case, kind=DeviationKind.ROUTING_OVERRIDE)
    assert "Kalle Svensson" in deviation.params["reason"]
    assert sever_deviations(case) >= 1
    deviation.refresh_from_db()
    assert deviation.case_id is None and deviation.case_number == case.number
    assert deviation.params == {"unit": "EKONOMISKT_BISTAND", "reason": CLEARED_TEXT}
