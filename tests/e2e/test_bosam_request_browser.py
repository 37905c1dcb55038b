"""Issue 12 item 5 in Chromium: a unit on the case asks for BOSAM from the case page with a coded reason (Annat
needs a description, kept on the case page); the open request is shown and withdrawn only after a confirmation."""

import datetime as dt

import pytest
from django.utils import timezone

from cases.models import BosamRequest
from tests.e2e.helpers import log_in
from tests.e2e.test_casepage_browser import SCREENSHOTS
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
    action.get_by_label("Annat").check()
    action.get_by_role("button", name="Begär BOSAM").click()
    page.wait_for_load_state()
    assert page.locator("#bosam-begaran .is-invalid").count() > 0 and not BosamRequest.objects.exists()
    page.locator("#bosam-begaran").get_by_label("Beskrivning").fill("Hyresvärden vill inte vänta.")
    page.locator("#bosam-begaran").get_by_role("button", name="Begär BOSAM").click()
    page.wait_for_load_state()
    assert page.get_by_text("Ärendet tas upp på BOSAM tills ett möte har behandlat det.").is_visible()
    assert page.locator("#tidslinje").get_by_text("begärde att ärendet tas upp på BOSAM").count() == 1
    made = BosamRequest.objects.get()
    assert (made.reason, made.details, made.status) == ("OTHER", "Hyresvärden vill inte vänta.", "OPEN")
    opened = page.locator("[data-testid=bosam-request-open]")
    assert "Annat" in opened.inner_text() and "Hyresvärden vill inte vänta." in opened.inner_text()
    assert page.locator("#bosam-begaran").get_by_role("button", name="Begär BOSAM").count() == 0
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "bosam-request-1280.png"), full_page=True)

    # Withdrawing asks first: without the tick nothing happens.
    withdraw = page.locator("#bosam-begaran").get_by_role("button", name="Återkalla begäran")
    withdraw.click()
    page.wait_for_load_state()
    assert BosamRequest.objects.get().status == "OPEN"
    page.locator("#bosam-begaran").get_by_label("Ja, återkalla min enhets begäran").check()
    page.locator("#bosam-begaran").get_by_role("button", name="Återkalla begäran").click()
    page.wait_for_load_state()
    assert page.get_by_text("Begäran om BOSAM är återkallad.").is_visible()
    assert BosamRequest.objects.get().status == "WITHDRAWN"
    assert "Återkallad" in page.locator("#tidslinje [data-testid=bosam-request-status]").inner_text()
