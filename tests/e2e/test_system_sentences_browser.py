"""Issue 12, item 6 in Chromium: a case worker reading in English sees the application's deviation sentences and
task notes in English, on the deviations register and on the case page (a person's words stay as written)."""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from cases import services
from cases.models import Deviation
from tests.factories import notice_data, register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-GB", "viewport": {"width": 1280, "height": 900}}


def _shot(page, name: str) -> None:
    if shot_dir := os.environ.get("SCREENSHOT_DIR"):  # to look at the pages: SCREENSHOT_DIR=/tmp/x pytest …
        page.screenshot(path=str(Path(shot_dir, name)), full_page=True)


def login(page, live_server, username):
    page.goto(live_server.url + "/konto/logga-in/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill("test-password-123")
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_load_state()


def test_register_and_case_page_in_english(organisation, personas, units, live_server, page):
    advisor = personas["hyresradgivare"]
    today = timezone.localdate()
    case = register(organisation, advisor, children=("2016-05-01",), serial=890,
                    notice=notice_data(received=str(today - dt.timedelta(days=20)), served=str(today - dt.timedelta(days=21)))).case
    services.run_daily_checks(today=today)
    services.assignment_change(case=case, user=advisor, unit=units["VUXNA"], role="LEAD", reason="Hyresgästen bad om det.")
    closed = register(organisation, advisor, serial=891).case
    services.case_close(case=closed, user=advisor, outcome="PREVENTED_PAID")
    assert Deviation.objects.filter(case=case, sentence="task_overdue").exists()

    login(page, live_server, "hyresradgivare")
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}])
    page.goto(live_server.url + "/avvikelser/")
    body = page.locator("main").inner_text()
    _shot(page, "codes-register-en.png")
    assert "was due on" in body and "skulle vara klar" not in body
    assert f"Responsibility was moved manually to {units['VUXNA'].name}: Hyresgästen bad om det." in body

    page.goto(live_server.url + f"/arenden/{closed.pk}/?visa=uppgifter&hela=1")
    body = page.locator("main").inner_text()
    _shot(page, "codes-casepage-en.png")
    assert "The case was closed." in body and "Ärendet avslutades." not in body
