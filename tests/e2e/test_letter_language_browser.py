"""In a real Chromium (issue 14 §3): the case page says the letter will be English, the sent letter is listed as
English; the system administrator previews an unsaved change of a letter template as PDF and approves it."""

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone

from cases import letter_texts
from cases.models import LetterTemplate, SentLetter
from tests.e2e.helpers import PASSWORD, log_in
from tests.e2e.test_accessibility import axe_violations
from tests.factories import household_data, notice_data, register, ship_letter_templates

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name: str) -> None:
    if shot_dir := os.environ.get("SCREENSHOT_DIR"):  # to look at the pages: SCREENSHOT_DIR=/tmp/x pytest …
        page.screenshot(path=str(Path(shot_dir, name)), full_page=True)


def test_the_case_page_names_the_letters_language(organisation, personas, live_server, page, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    ship_letter_templates()
    today = timezone.localdate()
    received = (today - dt.timedelta(days=1)).isoformat()
    household = household_data()
    household.preferred_language = "en"
    case = register(organisation, personas["hyresradgivare"], household=household,
                    notice=notice_data(received=received, served=received), today=today).case
    log_in(page, live_server, "hyresradgivare")
    page.goto(f"{live_server.url}/arenden/{case.pk}/")
    note = page.get_by_test_id("letter-language")
    assert "Brevet skrivs på engelska (hushållets språk)" in note.inner_text()
    assert not axe_violations(page)
    _shot(page, "letterlang-case.png")
    card = page.locator(".card").filter(has=page.get_by_test_id("letter-language"))
    card.locator("summary").click()  # a letter is never one click
    card.get_by_role("button", name=re.compile("Markera som klar")).click()
    page.wait_for_load_state()
    assert SentLetter.objects.get(case=case).language == "en"
    assert "på engelska" in page.get_by_test_id("sent-letter-language").inner_text()


def test_the_administrator_previews_an_unsaved_change_and_approves(organisation, personas, live_server, page):
    from organisation.roles import sync_role_permissions

    sync_role_permissions()
    ship_letter_templates()
    template = LetterTemplate.objects.create(organisation=organisation, language="en", texts=dict(letter_texts.SHIPPED[1][3]))
    page.goto(f"{live_server.url}/admin/login/")
    page.locator("#id_username").fill("admin")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit], button[type=submit]").first.click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/admin/cases/lettertemplate/{template.pk}/change/")
    page.locator("#id_text__heading_help").fill("We are here to help you stay in your home")
    with page.expect_response(re.compile(r"/forhandsgranska/\?exempel=arrears$")) as preview:
        page.get_by_role("button", name="Uppsägning för obetald hyra, frist om tio dagar").click()
    response = preview.value
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    # (The body Playwright sees is Chromium's PDF viewer; tests/test_letter_language.py reads the PDF's text.)
    _shot(page, "letterlang-admin.png")
    template.refresh_from_db()
    assert template.texts["heading_help"] == "We want to help you keep your home"  # the preview saved nothing
    page.goto(f"{live_server.url}/admin/cases/lettertemplate/")
    page.locator(f"input[name=_selected_action][value='{template.pk}']").check()
    page.locator("select[name=action]").select_option("approve")
    page.locator("button[name=index]").click()
    page.wait_for_load_state()
    template.refresh_from_db()
    assert template.status == "APPROVED" and template.approved_by == personas["admin"]
