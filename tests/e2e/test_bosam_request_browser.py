"""Issue 12 item 5 in Chromium: a unit on the case asks for BOSAM from the case page; an empty reason is refused, kept open."""

import datetime as dt

import pytest
from django.utils import timezone

from cases.models import BosamRequest
from tests.e2e.test_casepage_browser import SCREENSHOTS, log_in
from tests.factories import notice_data, register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_lead_unit_asks_for_bosam_from_the_case_page(page, live_server, organisation, personas):
    received = timezone.localdate() - dt.timedelta(days=3)
    case = register(organisation, personas["hyresradgivare"], children=("2018-03-01",),
                    notice=notice_data(received=received.isoformat(), served=(received - dt.timedelta(days=1)).isoformat())).case
    log_in(page, live_server, "hyresradgivare")
    page.goto(f"{live_server.url}/arenden/{case.pk}/")
    page.locator("#atgarder-meny > summary").click()
    action = page.locator("#bosam-begaran")
    action.get_by_text("Begär att ärendet tas upp på BOSAM").click()
    action.get_by_role("button", name="Begär BOSAM").click()
    page.wait_for_load_state()
    assert page.locator("#bosam-begaran .is-invalid").count() > 0 and not BosamRequest.objects.exists()
    page.locator("#bosam-begaran").get_by_label("Varför behöver ärendet tas upp på BOSAM?").fill("Hyresvärden vill inte vänta.")
    page.locator("#bosam-begaran").get_by_role("button", name="Begär BOSAM").click()
    page.wait_for_load_state()
    assert page.get_by_text("Ärendet tas upp på nästa BOSAM-möte.").is_visible()
    assert page.locator("#tidslinje").get_by_text("begärde att ärendet tas upp på BOSAM").count() == 1
    assert BosamRequest.objects.get().reason == "Hyresvärden vill inte vänta."
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "bosam-request-1280.png"), full_page=True)
