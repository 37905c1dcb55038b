"""Issue 12 items 3-4 in a real Chromium, without JavaScript doing the work: the case page's top part in one screen
(summary, my tasks, the newest timeline entry within 800 px at 1280 wide); "Klar" undone the same day, refused the
next; ending a unit's assignment asks first, both ways."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone

from cases import services
from cases.models import AssignmentRole, AuditAction, AuditEvent, Task, TaskKind, TaskStatus
from tests.e2e.helpers import log_in
from tests.factories import notice_data, register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "sv-SE"}



@pytest.fixture
def busy_case(organisation, personas, units):
    """A family case as the demo has them: the plan's tasks, two of the advisor's own, contacts, a second unit."""
    advisor = personas["hyresradgivare"]
    today = timezone.localdate()
    received = today - dt.timedelta(days=3)
    case = register(organisation, advisor, children=("2016-05-01", "2020-01-01"),
                    notice=notice_data(received=received.isoformat(), served=(received - dt.timedelta(days=1)).isoformat())).case
    for i in range(3):
        services.contact_register(case=case, user=advisor, date=today, channel="PHONE", established=False, note=f"Inget svar {i}.")
    for title in ("Ring hyresvärden", "Boka hembesök"):
        services.task_create(case=case, user=advisor, kind=TaskKind.MANUAL, unit=advisor.unit, due_date=today + dt.timedelta(days=2),
                             title=title, assignee=advisor)
    case.refresh_from_db()
    services.assignment_change(case=case, user=advisor, unit=units["MOTTAGNING_VUXNA"], role=AssignmentRole.ASSIGNED,
                               reason="Vuxen son i hushållet.")
    services.task_create(case=case, user=advisor, kind=TaskKind.MANUAL, unit=units["MOTTAGNING_VUXNA"], due_date=today,
                         title="Samtal med sonen")
    services.task_create(case=case, user=advisor, kind=TaskKind.MANUAL, unit=units["MOTTAGNING_VUXNA"], due_date=today,
                         title="Kontakta arbetsförmedlingen")
    return case


def _below(page, locator) -> float:
    box = locator.bounding_box()
    assert box is not None
    return box["y"] + box["height"]


def test_summary_my_tasks_and_the_newest_timeline_entry_are_in_the_first_screen(busy_case, live_server, page):
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server, "hyresradgivare")
    page.goto(f"{live_server.url}/arenden/{busy_case.pk}/")
    mine = page.get_by_test_id("tasks-mine")
    assert mine.is_visible()
    my_tasks = page.locator("#uppgifter .task-row").filter(has_text=re.compile("Ring hyresvärden|Boka hembesök"))
    assert my_tasks.count() == 2
    newest = page.locator("#tidslinje ol.timeline > li").first
    assert "Uppgift skapad: Kontakta arbetsförmedlingen" in newest.inner_text()
    for label, locator in (("summary header", page.locator("#sammanfattning")), ("my tasks", my_tasks.last),
                           ("newest timeline entry", newest)):
        assert _below(page, locator) <= 800, f"{label} ends below the first screen"
    # Each task is one row: its completion form stays closed until asked for.
    assert not page.locator("#uppgifter form textarea").first.is_visible()
    height = page.evaluate("document.documentElement.scrollHeight")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "case-page-one-screen.png"))
    assert height < 3000, height


def test_klar_is_undone_the_same_day_and_refused_the_next(busy_case, live_server, page):
    log_in(page, live_server, "hyresradgivare")
    page.goto(f"{live_server.url}/arenden/{busy_case.pk}/")
    task = Task.objects.get(case=busy_case, title="Ring hyresvärden")
    page.get_by_test_id(f"done-{task.pk}").click()  # one click, by keyboard as well: a plain form button
    page.wait_for_load_state()
    assert "Uppgiften är markerad som klar." in page.get_by_role("alert").first.inner_text()
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    done = page.get_by_test_id(f"done-today-{task.pk}")
    done.get_by_role("button", name=re.compile("Ångra")).click()
    page.wait_for_load_state()
    assert "Uppgiften är öppen igen." in page.get_by_role("alert").first.inner_text()
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN and task.undone_by.username == "hyresradgivare"
    assert "Klarmarkeringen ångrades" in page.locator("#tidslinje").inner_text()
    assert page.get_by_test_id(f"task-{task.pk}").is_visible()
    assert AuditEvent.objects.filter(action=AuditAction.TASK_UNDO, case=busy_case).count() == 1

    # Done again; the page still offers "Ångra", but the day has passed (the clock: the day it was marked).
    page.get_by_test_id(f"done-{task.pk}").click()
    page.wait_for_load_state()
    undo = page.get_by_test_id(f"done-today-{task.pk}").get_by_role("button", name=re.compile("Ångra"))
    assert undo.is_visible()
    Task.objects.filter(pk=task.pk).update(completed_at=timezone.now() - dt.timedelta(days=1))
    undo.click()
    page.wait_for_load_state()
    assert "kan bara ångras samma dag" in page.get_by_role("alert").first.inner_text()
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    assert AuditEvent.objects.filter(action=AuditAction.TASK_UNDO, case=busy_case).count() == 1
    assert page.get_by_test_id(f"done-today-{task.pk}").count() == 0  # and the page no longer offers it


def test_ending_an_assignment_asks_first_both_ways(busy_case, live_server, page):
    log_in(page, live_server, "hyresradgivare")
    page.goto(f"{live_server.url}/arenden/{busy_case.pk}/")
    assignment = busy_case.assignments.get(unit__code="MOTTAGNING_VUXNA", ended_at__isnull=True)
    row = page.get_by_test_id(f"assignment-{assignment.pk}")
    # Only the hand-made assignment can be ended: the lead and the plan's have no button.
    assert page.locator("#tilldelningar").get_by_role("button", name=re.compile("Avsluta")).count() == 1

    # No: the confirmation page lists what ends with it; "Avbryt" changes nothing.
    row.get_by_role("button", name=re.compile("Avsluta")).click()
    page.wait_for_load_state()
    assert "Avsluta tilldelningen för Mottagningsenheten vuxna?" in page.locator("h1").inner_text()
    listed = page.locator("#uppgifter-som-avbryts li").all_inner_texts()
    assert len(listed) == 2 and any("Samtal med sonen" in t for t in listed)
    page.screenshot(path=str(SCREENSHOTS / "assignment-end-confirm.png"), full_page=True)
    page.get_by_role("link", name="Avbryt, behåll tilldelningen").click()
    page.wait_for_load_state()
    assignment.refresh_from_db()
    assert assignment.ended_at is None
    assert Task.objects.filter(case=busy_case, unit__code="MOTTAGNING_VUXNA", status=TaskStatus.OPEN).count() == 2

    # Yes, without a reason: asked again. With one, and one task moved to the lead unit: ended.
    page.get_by_test_id(f"assignment-{assignment.pk}").get_by_role("button", name=re.compile("Avsluta")).click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Ja, avsluta tilldelningen").click()
    page.wait_for_load_state()
    assert page.locator(".is-invalid").count() == 1
    assignment.refresh_from_db()
    assert assignment.ended_at is None
    page.get_by_label(re.compile("Flytta till ansvarig enhet: Samtal med sonen")).check()
    page.get_by_label("Varför avslutas enhetens tilldelning?").fill("Sonen har flyttat.")
    page.get_by_role("button", name="Ja, avsluta tilldelningen").click()
    page.wait_for_url(re.compile(rf".*/arenden/{busy_case.pk}/#tilldelningar"))
    assert "Enhetens tilldelning är avslutad." in page.get_by_role("alert").first.inner_text()
    assignment.refresh_from_db()
    assert assignment.ended_at is not None and assignment.end_reason == "Sonen har flyttat."
    moved = Task.objects.get(case=busy_case, title="Samtal med sonen")
    cancelled = Task.objects.get(case=busy_case, title="Kontakta arbetsförmedlingen")
    assert moved.status == TaskStatus.OPEN and moved.unit.code == "HYRESRADGIVNING"
    assert cancelled.status == TaskStatus.CANCELLED
    assert "Mottagningsenheten vuxna lämnade rollen" in page.locator("#tidslinje").inner_text()
