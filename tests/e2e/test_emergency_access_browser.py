"""Break the glass in Chromium (issue 15 §4): socialjouren is refused a case, takes emergency access with a reason,
reads the case; the chef of the unit gets the e-mail and finds the access first in the monthly log review."""

import os
import re

import pytest
from django.core import mail
from django.utils import timezone

from cases.models import AuditAction, EmergencyAccess
from organisation.roles import sync_role_permissions
from tests.e2e.helpers import log_in
from tests.factories import notice_data, register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]




def test_jour_breaks_the_glass_and_the_chef_sees_it(celery_worker_inline, organisation, personas, make_user, live_server, page, settings,
                                                    tmp_path):
    shots = os.environ.get("SCREENSHOT_DIR") or str(tmp_path)  # set it to look at the pages
    settings.SITE_URL = live_server.url
    sync_role_permissions()
    make_user("jour", "socialjour", None)
    personas["chef"].email = "chef@example.se"
    personas["chef"].save()
    today = timezone.localdate().isoformat()
    family = register(organisation, personas["hyresradgivare"], children=("2018-03-01",),
                      notice=notice_data(received=today, served=today)).case

    log_in(page, live_server, "jour")
    assert page.locator("h1").inner_text() == "Nödåtkomst till ett ärende"
    page.goto(f"{live_server.url}/arenden/{family.pk}/")
    page.wait_for_url(re.compile(r".*/arenden/nodatkomst/\?arende=\d+"))
    assert family.number in page.get_by_role("status").inner_text()
    assert page.get_by_label("Ärendenummer eller personnummer").input_value() == family.number
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=f"{shots}/emergency-form-1280.png", full_page=True)
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path=f"{shots}/emergency-form-375.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    # Too short a reason: the error, the text kept.
    page.get_by_label("Skäl").fill("Akut")
    page.get_by_role("button", name="Ta nödåtkomst").click()
    assert "minst tio tecken" in page.content()
    assert page.get_by_label("Skäl").input_value() == "Akut"
    page.get_by_label("Skäl").fill("Polisen ringde 02.10, barnen behöver akut placering i natt.")
    page.get_by_role("button", name="Ta nödåtkomst").click()
    page.wait_for_url(f"{live_server.url}/arenden/{family.pk}/")
    assert "Du har nödåtkomst till ärende" in page.get_by_role("alert").first.inner_text()
    assert family.number in page.locator("h1").inner_text()
    page.screenshot(path=f"{shots}/emergency-case-1280.png")
    assert EmergencyAccess.objects.filter(case=family).count() == 1

    # The chef's e-mail: the case number and an absolute link to the log review; nothing about the household.
    # (The unit's case workers were told by e-mail when the plan assigned the case; the chef only of this.)
    to_chef = [message for message in mail.outbox if "chef@example.se" in message.to]
    assert len(to_chef) == 1 and to_chef[0].to == ["chef@example.se"]
    link = re.search(r"(http://\S+)", to_chef[0].body).group(1)
    assert link.startswith(live_server.url) and "action=" + AuditAction.EMERGENCY_ACCESS in link
    assert family.household.members.first().name not in to_chef[0].body

    log_in(page, live_server, "chef")
    # The bell: one unread notification (fetched after the page loaded), and the list says which case.
    bell_count = page.locator("#notification-count")
    bell_count.wait_for(state="visible")
    assert bell_count.inner_text() == "1"
    page.locator("#notification-bell").click()
    page.wait_for_url(re.compile(r".*/arenden/aviseringar/$"))
    assert f"Nödåtkomst till ärende {family.number}" in page.locator("main").inner_text()
    page.screenshot(path=f"{shots}/notifications-1280.png", full_page=True)
    page.get_by_role("button", name="Öppna").click()
    page.wait_for_url(re.compile(r".*/arenden/logguppfoljning/.*"))
    assert page.locator("#notification-count").is_hidden()
    page.goto(link)
    section = page.locator("section", has=page.get_by_role("heading", name="Nödåtkomster"))
    assert "barnen behöver akut placering i natt" in section.inner_text()
    assert family.number in section.inner_text()
    # Listed first: above the summary and the month's events.
    assert page.locator("h2").first.inner_text() == "Nödåtkomster"
    page.screenshot(path=f"{shots}/audit-review-1280.png", full_page=True)
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path=f"{shots}/audit-review-375.png", full_page=True)
