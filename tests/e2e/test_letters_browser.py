"""In a real Chromium: the advisor sends the letter (it is frozen and listed as sent), and the lead unit
reveals a protected household's address by a logged action while the advisor cannot."""

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone

from cases.models import AuditAction, AuditEvent, SentLetter
from cases.services import letter_task_create
from tests.e2e.helpers import log_in
from tests.factories import notice_data, register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _shot(page, name: str) -> None:
    if shot_dir := os.environ.get("SCREENSHOT_DIR"):  # to look at the pages: SCREENSHOT_DIR=/tmp/x pytest …
        page.screenshot(path=str(Path(shot_dir, name)), full_page=True)


def test_the_letter_is_sent_and_the_protected_address_revealed(organisation, personas, live_server, page, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    today = timezone.localdate()
    received = (today - dt.timedelta(days=1)).isoformat()
    case = register(organisation, personas["hyresradgivare"], children=((today - dt.timedelta(days=365 * 6)).isoformat(),),
                    protected=True, active_units=("EKONOMISKT_BISTAND",),
                    notice=notice_data(received=received, served=received), today=today).case
    assert case.lead_unit.code == "EKONOMISKT_BISTAND"
    # Aktuell at a unit, so the plan made no letter: the advisor asks for one (a new letter is a new task).
    letter = letter_task_create(case=case, user=personas["hyresradgivare"])

    # The advisor (not the lead unit): the overview shows no name, the case page no address and no reveal.
    log_in(page, live_server, "hyresradgivare")
    page.goto(f"{live_server.url}/arenden/alla/")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=case.number))
    assert "skyddad identitet" in row.inner_text() and "Testsson" not in row.inner_text()
    page.goto(f"{live_server.url}/arenden/{case.pk}/")
    assert page.get_by_role("button", name=re.compile("Visa adressen")).count() == 0
    assert "Sockenvägen" not in page.content()
    card = page.locator(".card").filter(has=page.get_by_role("heading", name=letter.label))
    card.locator("summary").click()  # a letter is never one click: it cannot be undone once sent
    assert "Det kan inte ångras" in card.inner_text()
    card.get_by_role("button", name=re.compile("Markera som klar")).click()
    page.wait_for_load_state()
    assert SentLetter.objects.filter(task=letter).exists()
    sent = page.locator("#skickade-brev")
    assert re.search(r"Brev skickat \d{4}-\d\d-\d\d", sent.inner_text())
    _shot(page, "case-sent-letter.png")

    # The lead unit reveals the address: shown once, logged.
    log_in(page, live_server, "ekbistand")
    page.goto(f"{live_server.url}/arenden/{case.pk}/")
    assert "Sockenvägen" not in page.content()
    page.get_by_role("button", name=re.compile("Visa adressen")).click()
    page.wait_for_load_state()
    assert "Sockenvägen 290" in page.get_by_test_id("address-revealed").inner_text()
    _shot(page, "case-address-revealed.png")
    assert AuditEvent.objects.filter(action=AuditAction.ADDRESS_REVEAL, case=case, user=personas["ekbistand"]).exists()
    page.reload()
    assert "Sockenvägen" not in page.content()
