"""Issue 12 items 4 and 5 in the services: undiscussed items are carried over, section 2 holds what needs
the forum, the agendas follow the cases (cases.hooks), a cancellation is undone the same day."""

import dataclasses
import datetime as dt

import pytest
from django.utils import timezone

from bosam import selectors, services
from bosam.models import AgendaSection, MeetingStatus
from cases import services as case_services
from cases.models import Case, PlanConfiguration, TaskKind, TaskStatus
from cases.rules import routing
from tests.factories import household_data, notice_data, register
from tests.test_bosam_scenario import D, build_scenario


@pytest.fixture
def scenario(organisation, personas):
    return build_scenario(organisation, personas)


def _numbers(content, code):
    return [i["number"] for s in content["sections"] if s["code"] == code for i in s["items"]]


def test_locking_carries_the_undiscussed_items_over_instead_of_marking_them_handled(scenario):
    c, first, meeting = scenario.cases, scenario.first, scenario.meeting
    # At 11-17 D got an activity (discussed); E was never opened.
    assert first.items.get(case=c["D"]).discussed is True
    item_e = first.items.get(case=c["E"])
    assert item_e.discussed is False and item_e.carried_to_id == meeting.pk
    carried = meeting.items.get(case=c["E"])
    assert carried.added_by_chair and carried.section == AgendaSection.AT_RISK
    # The reason is the application's sentence, worded when shown (issue 12, item 6).
    assert (carried.added_sentence, carried.added_params, carried.added_reason) == ("not_discussed", {"date": "2026-11-17"}, "")
    assert carried.shown_added_reason == "Inte behandlat på BOSAM 2026-11-17."
    # R4 is done only for the discussed case.
    assert not c["D"].tasks.filter(kind=TaskKind.BOSAM_REVIEW, status=TaskStatus.OPEN).exists()
    assert c["E"].tasks.filter(kind=TaskKind.BOSAM_REVIEW, status=TaskStatus.OPEN).exists()
    # The minutes say so.
    entry = next(i for s in selectors.agenda_content(first)["sections"] for i in s["items"] if i["number"] == c["E"].number)
    assert (entry["discussed"], entry["carried_to"]) == (False, "2026-12-01")


def test_an_item_the_chair_does_not_carry_over_was_discussed(organisation, personas):
    scenario = build_scenario(organisation, personas, close_first=False)
    first, c = scenario.first, scenario.cases
    assert [i.case_id for i in services.undiscussed_items(first)] == [c["E"].pk]
    services.meeting_close(meeting=first, user=personas["ordforande"], carry_over_item_ids=[],
                           minutes_keeper="Kim Protokoll", minutes_checker="Jo Justerare")
    first.refresh_from_db()
    assert first.items.get(case=c["E"]).discussed is True and first.items.get(case=c["E"]).carried_to is None
    assert not scenario.meeting.items.filter(case=c["E"], added_by_chair=True).exists()
    assert (first.minutes_keeper, first.minutes_checker) == ("Kim Protokoll", "Jo Justerare")
    assert first.minutes["justering"] == {"keeper": "Kim Protokoll", "checker": "Jo Justerare"}


def test_marking_an_item_discussed_and_undoing_it(scenario, personas):
    item = scenario.meeting.items.get(case=scenario.cases["B"])
    services.item_discussed_set(item=item, user=personas["ordforande"], discussed=True)
    assert scenario.meeting.items.get(pk=item.pk).discussed
    services.item_discussed_set(item=item, user=personas["ordforande"], discussed=False)
    assert item.pk in {i.pk for i in services.undiscussed_items(scenario.meeting)}


def test_section_two_lists_only_what_needs_the_forum_and_counts_the_rest(organisation, personas):
    scenario = build_scenario(organisation, personas)
    meeting, c = scenario.meeting, scenario.cases
    content = selectors.agenda_content(meeting)
    # D is urgent, E carried over; nothing else is listed.
    assert sorted(_numbers(content, AgendaSection.AT_RISK)) == sorted([c["D"].number, c["E"].number])
    # A warning about disturbances: no deadline, not at Kronofogden. New at 12-01 (section 1) …
    warned = register(organisation, personas["hyresradgivare"], household=household_data(serial=832, surname="Stilla", street="Tyst 1"),
                      notice=notice_data("DISTURBANCE_WARNING", received="2026-11-25", served=None, debt=None)).case
    services.agenda_prepare(meeting=meeting, today=D("2026-11-27"))
    assert warned.number in _numbers(selectors.agenda_content(meeting), AgendaSection.NEW_NOTICES)
    # … at 12-15 no longer new, and not needing the forum: only counted.
    later = meeting.series.meetings.get(date=D("2026-12-15"))
    services.agenda_prepare(meeting=later, today=D("2026-12-11"))
    later.refresh_from_db()
    at_risk = _numbers(selectors.agenda_content(later), AgendaSection.AT_RISK)
    assert warned.number not in at_risk and c["C"].number in at_risk  # C: Kronofogden's eviction date
    assert later.other_open_count == 1
    assert selectors.agenda_content(later)["other_open_count"] == later.other_open_count


def test_a_case_not_discussed_for_n_meetings_comes_back(organisation, personas):
    scenario = build_scenario(organisation, personas)
    c, meeting = scenario.cases, scenario.meeting
    later = meeting.series.meetings.get(date=D("2026-12-15"))
    config = dataclasses.replace(routing.PlanConfig(), bosam_review_after_meetings=1)
    PlanConfiguration.objects.filter(organisation=organisation).update(is_active=False)
    PlanConfiguration.objects.create(organisation=organisation, version="test-n1", settings=config.to_dict())
    warned = register(organisation, personas["hyresradgivare"], household=household_data(serial=833, surname="Stilla", street="Tyst 1"),
                      notice=notice_data("DISTURBANCE_WARNING", received="2026-11-05", served=None, debt=None)).case
    Case.objects.filter(pk=warned.pk).update(opened_at=timezone.make_aware(dt.datetime(2026, 11, 5, 10)))
    # Opened before 11-17, never discussed: with N = 1 and 11-17 held, it is due at 12-01 …
    services.agenda_prepare(meeting=meeting, today=D("2026-11-27"))
    assert warned.number in _numbers(selectors.agenda_content(meeting), AgendaSection.AT_RISK)
    # … discussed there (the chair unticks the carry-over): not due again at 12-15 with N = 1 …
    services.meeting_close(meeting=meeting, user=personas["ordforande"], carry_over_item_ids=[])
    services.agenda_prepare(meeting=later, today=D("2026-12-11"))
    assert warned.number not in _numbers(selectors.agenda_content(later), AgendaSection.AT_RISK)
    # … with N = 2 and only one held since its opening? 11-17 and 12-01 are held; discussed at 12-01: not due.
    assert c["D"].number in _numbers(selectors.agenda_content(later), AgendaSection.AT_RISK)  # urgent all along


def test_the_agenda_follows_a_case_closed_or_a_new_notice(scenario, personas, organisation):
    c, meeting = scenario.cases, scenario.meeting
    today = D("2026-11-27")
    case_services.case_close(case=c["A"], user=personas["hyresradgivare"], outcome="PREVENTED_PAID")
    assert services.agenda_refresh_for_case(c["A"].pk, today=today) == 1
    assert not meeting.items.filter(case=c["A"]).exists()
    assert services.agenda_refresh_for_case(c["A"].pk, today=today) == 0  # twice: nothing more
    new = register(organisation, personas["hyresradgivare"], household=household_data(serial=831, surname="Nyberg", street="Nyvägen 1"),
                   notice=notice_data(received="2026-11-26", served="2026-11-25")).case
    assert services.agenda_refresh_for_case(new.pk, today=today) == 1
    assert meeting.items.get(case=new).section == AgendaSection.NEW_NOTICES


def test_the_hook_is_wired_after_the_commit(celery_worker_inline, organisation, personas, django_capture_on_commit_callbacks):
    scenario = build_scenario(organisation, personas)
    meeting, c = scenario.meeting, scenario.cases
    today = timezone.localdate()
    # Move the meeting ahead of the real today, so that the hook (which uses today) acts on it.
    meeting.date = today + dt.timedelta(days=7)
    meeting.save(update_fields=["date"])
    assert meeting.items.filter(case=c["B"]).exists()
    with django_capture_on_commit_callbacks(execute=True):
        case_services.case_close(case=c["B"], user=personas["hyresradgivare"], outcome="PREVENTED_PAID")
    assert not meeting.items.filter(case=c["B"]).exists()


def test_a_closed_case_leaves_the_prepared_agenda_in_the_worker_not_in_the_request(organisation, personas,
                                                                                 django_capture_on_commit_callbacks):
    """Issue 16: the request that closes the case only queues the refresh (50 statements in an intake otherwise)."""
    from celery.signals import before_task_publish

    from bosam.tasks import refresh_agendas_for_cases_task

    scenario = build_scenario(organisation, personas)
    meeting, c = scenario.meeting, scenario.cases
    meeting.date = timezone.localdate() + dt.timedelta(days=7)
    meeting.save(update_fields=["date"])
    published = []

    def record(sender=None, body=None, **kwargs):
        published.append((sender, list(body[0])))

    before_task_publish.connect(record)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            case_services.case_close(case=c["B"], user=personas["hyresradgivare"], outcome="PREVENTED_PAID")
    finally:
        before_task_publish.disconnect(record)
    assert meeting.items.filter(case=c["B"]).exists()  # the request left the agenda as it was
    assert published == [("bosam.tasks.refresh_agendas_for_cases_task", [[c["B"].pk]])]
    assert refresh_agendas_for_cases_task.apply(args=published[0][1]).get() == 1  # what the worker runs
    assert not meeting.items.filter(case=c["B"]).exists()
    assert refresh_agendas_for_cases_task.apply(args=published[0][1]).get() == 0  # run twice: nothing more


def test_an_import_refreshes_a_prepared_agenda_once_not_once_per_case(celery_worker_inline, organisation, personas,
                                                                     django_capture_on_commit_callbacks):
    """Issue 14, Scale: the cases of an import's commit reach the agendas ahead in one refresh after the commit (one
    per case made a 5,000-row import refresh the agenda 5,000 times)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bosam.models import Meeting
    from imports.models import ImportStatus
    from tests.import_files import csv_bytes, good_row
    from tests.test_imports import commit, preview

    meeting = build_scenario(organisation, personas).meeting
    today = timezone.localdate()
    meeting.date = today + dt.timedelta(days=7)  # ahead of the real today, which the hook uses
    meeting.save(update_fields=["date"])
    # The scenario's items as the agenda holds them on the real today (on some days the scenario's facts differ from
    # what the selection wants, and the first commit's refresh would also bring those items up to date).
    for planned in Meeting.objects.filter(organisation=organisation, status=MeetingStatus.PLANNED, date__gte=today,
                                          agenda_prepared_at__isnull=False):
        services.agenda_prepare(meeting=planned, today=today)
    ahead = Meeting.objects.filter(organisation=organisation, status=MeetingStatus.PLANNED, date__gte=today,
                                   agenda_prepared_at__isnull=False).count()
    assert ahead >= 1
    advisor = personas["hyresradgivare"]

    def after_the_commit(first: int, rows: int) -> list[str]:
        notice_import = preview(advisor, csv_bytes([good_row(first + i, today=today) for i in range(rows)]))
        with CaptureQueriesContext(connection) as queries:
            result = commit(advisor, notice_import, rows="ALL", capture=django_capture_on_commit_callbacks)
        assert result.status == ImportStatus.DONE and result.created_cases == rows
        sql = [q["sql"] for q in queries.captured_queries]
        done = next(i for i, q in enumerate(sql) if q.startswith('UPDATE "imports_noticeimport"') and "'DONE'" in q)
        return sql[done + 1:]

    small, large = after_the_commit(0, 2), after_the_commit(100, 8)
    # The same statements after a commit of 2 rows and of 8: the agendas are compared and refreshed once.
    assert len(small) == len(large), (len(small), len(large))
    assert sum(q.startswith('INSERT INTO "bosam_agendaitem"') for q in large) == ahead
    imported = set(Case.objects.filter(notices__received_date=today).values_list("pk", flat=True))
    assert len(imported) == 10 and imported <= set(meeting.items.values_list("case_id", flat=True))


def test_a_cancellation_is_undone_the_same_day_only(scenario, personas):
    chair = personas["ordforande"]
    meeting = scenario.meeting.series.meetings.get(date=D("2026-12-15"))
    services.meeting_cancel(meeting=meeting, user=chair, reason="Krock med julfest")
    meeting.refresh_from_db()
    assert services.can_reinstate(meeting, today=timezone.localdate())
    services.meeting_reinstate(meeting=meeting, user=chair)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED and meeting.cancel_reason == ""
    services.meeting_cancel(meeting=meeting, user=chair, reason="Igen")
    meeting.refresh_from_db()
    meeting.cancelled_at -= dt.timedelta(days=1)
    meeting.save(update_fields=["cancelled_at"])
    with pytest.raises(services.MeetingLocked):
        services.meeting_reinstate(meeting=meeting, user=chair)


def test_without_a_next_meeting_the_minutes_say_not_discussed(organisation, personas):
    from bosam import pdf
    from bosam.models import Meeting, MeetingDocument
    from tests.test_bosam_pdf import text_of

    scenario = build_scenario(organisation, personas, close_first=False)
    first, c = scenario.first, scenario.cases
    Meeting.objects.filter(series=first.series, date__gt=first.date).update(status=MeetingStatus.CANCELLED)
    services.meeting_close(meeting=first, user=personas["ordforande"])
    item = first.items.get(case=c["E"])
    assert (item.discussed, item.carried_to) == (False, None)
    first.refresh_from_db()
    text, _pages = text_of(pdf.document_pdf(first, MeetingDocument.Kind.MINUTES))
    assert "Ej behandlad." in text


def test_minutes_of_a_meeting_nobody_started_name_no_opening_time(scenario, personas):
    """Locking the minutes of a meeting with nothing recorded at it must not claim it opened at the time of locking."""
    later = scenario.meeting.series.meetings.get(date=D("2026-12-15"))
    assert later.status == MeetingStatus.PLANNED and later.started_at is None
    services.meeting_close(meeting=later, user=personas["ordforande"], carry_over_item_ids=[])
    later.refresh_from_db()
    assert later.minutes["formal"]["opened_at"] == ""
    assert later.started_at is not None  # the lock itself is still dated


def test_minutes_name_the_time_the_meeting_started(scenario, personas):
    meeting = scenario.meeting
    services.meeting_start(meeting=meeting, user=personas["ordforande"])
    meeting.refresh_from_db()
    started = timezone.localtime(meeting.started_at).strftime("%H:%M")
    services.meeting_close(meeting=meeting, user=personas["ordforande"])
    meeting.refresh_from_db()
    assert meeting.minutes["formal"]["opened_at"] == started
