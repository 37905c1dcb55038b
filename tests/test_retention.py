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
from tests.factories import household_data, notice_data, register

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
