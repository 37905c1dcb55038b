"""The case page in a real Chromium (issue 12, item 3): the summary header, the Underrättelser section, the
timeline's filter without JavaScript and its decision diffs; read in about one screen, nothing sideways at 375 px."""

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from cases import services
from tests.e2e.helpers import assert_nothing_scrolls_sideways, log_in
from tests.factories import notice_data, register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "sv-SE"}



@pytest.fixture
def family_case(organisation, personas):
    """A typical family case: a notice with every intake field, a contact attempt, then contact established."""
    advisor = personas["hyresradgivare"]
    today = timezone.localdate()
    received = today - dt.timedelta(days=3)
    notice = notice_data(received=received.isoformat(), served=(received - dt.timedelta(days=1)).isoformat())
    notice.agent = "Inkassobolaget AB"
    notice.debt_months = 2
    notice.monthly_rent = Decimal("9225.00")
    notice.termination_date = received - dt.timedelta(days=2)
    notice.description = "Två månadshyror obetalda."
    case = register(organisation, advisor, notice=notice, children=("2016-05-01", "2020-01-01"), today=today).case
    services.contact_register(case=case, user=advisor, date=today, channel="PHONE", established=False, note="Inget svar.")
    services.contact_register(case=case, user=advisor, date=today, channel="PHONE", established=True, note="Pratade med Test.")
    return case


def test_header_underrattelser_timeline_filter_and_diffs(family_case, live_server, page):
    log_in(page, live_server, "hyresradgivare")
    url = f"{live_server.url}/arenden/{family_case.pk}/"
    page.goto(url)

    # The summary header: next legal date with its countdown, who leads, contact, the next task.
    legal = page.get_by_test_id("summary-legal").inner_text()
    assert "Återvinningsfrist" in legal and re.search(r"om \d+ dagar", legal)
    assert "Hyresrådgivningen" in page.get_by_test_id("summary-lead").inner_text()
    assert timezone.localdate().isoformat() in page.get_by_test_id("summary-contact").inner_text()
    assert page.get_by_test_id("summary-next-task").inner_text().strip() != ""

    # Underrättelser: every field entered at intake, behind the notice's summary line.
    notice = family_case.notices.get()
    details = page.get_by_test_id(f"notice-{notice.pk}")
    assert not details.get_by_text("Inkassobolaget AB").is_visible()
    details.locator("summary").click()
    text = details.inner_text()
    assert re.search(r"9\s225\skr", text), "the monthly rent"
    for expected in ("Inkassobolaget AB", "Antal månader skuld", "Två månadshyror obetalda.", "Uppsägningsdatum",
                     notice.termination_date.isoformat(), "AB Familjebostäder", "H-1234"):
        assert expected in text, expected

    # The timeline: the plan's decision in full once, the contact's change as a diff of one line.
    timeline = page.locator("#tidslinje")
    assert timeline.get_by_text("Planens beslut", exact=True).count() == 1
    diff = timeline.locator("li").filter(has_text="Planen ändrade").filter(has_text="Kontakt registrerad")
    assert diff.count() >= 1
    assert "inget hembesök behövs (R2d)" in diff.first.inner_text()
    assert "hyresrådgivaren ansvarar (R2)" not in diff.first.inner_text()

    # The filter is links (no JavaScript needed): contacts only.
    page.get_by_role("navigation", name="Visa i tidslinjen").get_by_role("link", name="Kontakter").click()
    page.wait_for_url(re.compile(r".*\?visa=kontakter#tidslinje"))
    entries = page.locator("#tidslinje ol.timeline > li")
    assert entries.count() == 2
    assert all(("Kontakt" in t) for t in entries.all_inner_texts())
    assert page.get_by_role("link", name="Kontakter").get_attribute("aria-current") == "page"
    page.get_by_role("link", name="Underrättelser", exact=True).last.click()
    page.wait_for_url(re.compile(r".*\?visa=underrattelser#tidslinje"))
    assert page.locator("#tidslinje ol.timeline > li").count() == 1


@pytest.mark.parametrize("width", [1280, 375])
def test_case_page_fits_about_one_screen_and_nothing_scrolls_sideways(family_case, live_server, page, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server, "hyresradgivare")
    page.goto(f"{live_server.url}/arenden/{family_case.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if width == 375:  # the household's people and the assignments are cards: not even a table box scrolls
        assert_nothing_scrolls_sideways(page, boxes_at_least=2)
        page.reload()  # the check opened every <details>: measure the page as it is first read
    # What one reads first, the header, is within the first screen.
    box = page.locator("#sammanfattning").bounding_box()
    assert box["y"] + box["height"] <= 900 if width == 1280 else box["y"] < 900
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"case-page-{width}.png"), full_page=True)
