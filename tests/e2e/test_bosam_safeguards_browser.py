"""Issue 12 item 4 in a real browser, both ways (cancel and confirm), without JavaScript doing the work:
closing a case lists its open tasks (each can be kept as follow-up); locking the minutes lists the items not
discussed and carries them over. axe (WCAG 2.1 AA) on both confirmation pages, in Swedish and English."""

import datetime as dt

import pytest
from django.utils import timezone

from bosam import services as bosam_services
from bosam.models import Meeting, MeetingStatus
from cases import services
from cases.models import Case, CaseStatus, Task, TaskStatus
from tests.e2e.test_accessibility import Auditor
from tests.factories import notice_data, register
from tests.test_bosam_scenario import make_series

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def family_case(organisation, personas):
    today = timezone.localdate()
    case = register(organisation, personas["hyresradgivare"], children=("2015-09-16",), serial=881, surname="Stängsson",
                    notice=notice_data(received=str(today - dt.timedelta(days=3)), served=str(today - dt.timedelta(days=4)))).case
    consult = services.consult_tenancy_advisor(case=case, user=personas["barn"], question="Går det att göra en avbetalningsplan?")
    return case, consult


def _ask_to_close(page, base, case):
    page.goto(f"{base}/arenden/{case.pk}/")
    page.locator("#atgarder-meny > summary").click()
    page.locator("#avsluta summary").click()
    page.locator("#id_close-outcome").select_option("PREVENTED_PAID")
    page.locator("#id_close-note").fill("Skulden är betald.")
    page.locator("#avsluta form button[type=submit]").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("view", ["sv", "en"])
def test_closing_a_case_asks_first_and_keeps_the_chosen_task(family_case, live_server, page, view):
    case, consult = family_case
    audit = Auditor(page, live_server, view)
    audit.login("barn")
    open_tasks = Task.objects.filter(case=case, status=TaskStatus.OPEN).count()
    assert open_tasks >= 2
    # Cancel: nothing changes.
    _ask_to_close(page, live_server.url, case)
    assert page.locator("#uppgifter-som-avbryts li").count() == open_tasks
    audit.check("Avsluta ärendet: bekräftelse")
    page.locator("main a.btn-outline-secondary").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/arenden/{case.pk}/")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN
    assert Task.objects.filter(case=case, status=TaskStatus.OPEN).count() == open_tasks
    # Confirm, keeping the consultation sent a minute ago.
    _ask_to_close(page, live_server.url, case)
    page.locator(f"#keep-{consult.pk}").check()
    page.locator("main form button.btn-danger").click()
    page.wait_for_load_state()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED
    assert Task.objects.get(pk=consult.pk).status == TaskStatus.OPEN
    assert Task.objects.filter(case=case, status=TaskStatus.OPEN).count() == 1
    audit.assert_clean()


@pytest.fixture
def meeting(organisation, personas):
    """Today's meeting with three items on its agenda, one of them discussed; the series' next meeting planned."""
    today = timezone.localdate()
    series = make_series(organisation, start_date=today - dt.timedelta(days=28), weekday=today.weekday() if today.weekday() < 5 else 0)
    bosam_services.plan_meetings(today=today - dt.timedelta(days=1), organisation=organisation)
    meeting = Meeting.objects.filter(series=series, date__gte=today).order_by("date").first()
    for serial in (891, 892, 893):
        register(organisation, personas["hyresradgivare"], serial=serial, surname=f"Möte{serial}",
                 notice=notice_data(received=str(today - dt.timedelta(days=2)), served=str(today - dt.timedelta(days=3))))
    bosam_services.agenda_prepare(meeting=meeting, today=min(today, meeting.date))
    items = list(meeting.items.order_by("section", "position"))
    assert len(items) == 3
    bosam_services.item_note_save(item=items[0], user=personas["ordforande"], note="Familjen har betalat.")
    return meeting, items


@pytest.mark.parametrize("view", ["sv", "en"])
def test_locking_the_minutes_asks_first_and_carries_over_what_was_not_discussed(meeting, live_server, page, view):
    meeting, items = meeting
    audit = Auditor(page, live_server, view)
    audit.login("ordforande")
    page.goto(f"{live_server.url}/bosam/moten/{meeting.pk}/")
    page.locator(f"main a[href$='/moten/{meeting.pk}/las-protokollet/']").click()
    page.wait_for_load_state()
    audit.check("Lås protokollet: bekräftelse")
    assert page.locator("#ej-behandlade li").count() == 2  # the discussed item is not listed
    # Cancel: the meeting goes on.
    page.locator("main a.btn-outline-secondary").click()
    page.wait_for_load_state()
    assert Meeting.objects.get(pk=meeting.pk).status != MeetingStatus.CLOSED
    # Confirm: the second item was in fact discussed (untick), the third is carried over.
    page.locator(f"main a[href$='/moten/{meeting.pk}/las-protokollet/']").click()
    page.wait_for_load_state()
    page.locator(f"#carry-{items[1].pk}").uncheck()
    page.locator("#id_minutes_keeper").fill("Kim Protokoll")
    page.locator("main form button.btn-danger").click()
    page.wait_for_load_state()
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CLOSED and meeting.minutes_keeper == "Kim Protokoll"
    following = Meeting.objects.filter(series=meeting.series, date__gt=meeting.date, status=MeetingStatus.PLANNED).order_by("date").first()
    assert following.items.filter(case_id=items[2].case_id, added_by_chair=True).exists()
    assert not following.items.filter(case_id=items[1].case_id).exists()
    # The meeting list moves on: the locked meeting is no longer "Nästa möte".
    page.goto(f"{live_server.url}/bosam/")
    next_link = page.locator("#next-heading + p a").first.get_attribute("href")
    assert next_link.endswith(f"/moten/{following.pk}/")
    audit.assert_clean()
