"""Issue 12 §5 in Chromium at 375 px: the BOSAM meeting page and an agenda item page read without sideways
scrolling (tables become cards under 576 px, as the case lists do), and the chair still reaches the reorder
arrows. Nothing overflows: neither the document nor any table's scroll box."""

import re

import pytest

from bosam import services
from tests.e2e.helpers import assert_nothing_scrolls_sideways
from tests.e2e.test_bosam_browser import login
from tests.e2e.test_casepage_browser import SCREENSHOTS
from tests.test_bosam_scenario import D, build_scenario

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def meeting(organisation, personas):
    """The scenario's 12-01 meeting (agenda prepared, still planned: the chair may reorder), with a unit's
    request, follow-up of the 11-17 activity and the absence deviation of 11-17."""
    from cases import services as case_services

    scenario = build_scenario(organisation, personas)
    case_services.bosam_request(case=scenario.cases["B"], user=personas["hyresradgivare"], reason="NEEDS_OTHER_UNIT_DECISION")
    services.agenda_prepare(meeting=scenario.meeting, today=D("2026-11-27"))
    return scenario.meeting


@pytest.mark.parametrize("width", [375, 1280])
def test_the_meeting_page_reads_without_sideways_scrolling(meeting, live_server, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    login(page, live_server, "ordforande")
    page.wait_for_url(f"{live_server.url}/bosam/")
    page.goto(f"{live_server.url}/bosam/moten/{meeting.pk}/")
    assert_nothing_scrolls_sideways(page)
    first, second = [i.case.number for i in meeting.items.filter(section="NEW_NOTICES").order_by("position")[:2]]
    if width == 375:
        # A card, not a table row: the column's label stands in the cell.
        cell = page.locator(f"#punkt-{meeting.items.get(case__number=first).pk} td[data-label='Ansvarig enhet']")
        assert cell.evaluate("td => getComputedStyle(td).display") == "block"
        assert cell.evaluate("td => getComputedStyle(td, '::before').content") == '"Ansvarig enhet: "'
    assert page.get_by_text("begärt av Hyresrådgivningen: Behöver beslut eller insats från en annan enhet").is_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"bosam-meeting-{width}.png"), full_page=True)

    # The reorder arrows are reachable (in view, not clipped) and work.
    down = page.get_by_role("button", name=f"Flytta {first} ned")
    down.scroll_into_view_if_needed()
    box = down.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    down.click()
    page.wait_for_url(re.compile(rf".*/bosam/moten/{meeting.pk}/.*"))
    assert [i.case.number for i in meeting.items.filter(section="NEW_NOTICES").order_by("position")[:2]] == [second, first]
    assert_nothing_scrolls_sideways(page)


def test_the_item_page_reads_without_sideways_scrolling_at_375(meeting, live_server, page):
    page.set_viewport_size({"width": 375, "height": 900})
    login(page, live_server, "ordforande")
    page.wait_for_url(f"{live_server.url}/bosam/")
    first = meeting.series.meetings.get(date=D("2026-11-17"))
    item = first.items.filter(activities__isnull=False).first()  # D: an activity decided at 11-17
    page.goto(f"{live_server.url}/bosam/moten/{first.pk}/punkter/{item.pk}/")
    assert_nothing_scrolls_sideways(page)
    assert page.get_by_text("Pröva ekonomiskt bistånd för hyresskulden").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "bosam-item-375.png"), full_page=True)
    page.goto(f"{live_server.url}/bosam/moten/{first.pk}/")  # the locked meeting: read-only attendance, follow-up
    assert_nothing_scrolls_sideways(page)
    page.screenshot(path=str(SCREENSHOTS / "bosam-locked-375.png"), full_page=True)
