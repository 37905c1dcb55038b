"""Issue 14 §2 in Chromium: a landlord submits in /hyresvard/, the hyresrådgivare registers it from
"Inkomna underrättelser" in one click, the case is routed, and the landlord's receipt says REGISTERED."""

import re
from pathlib import Path

import pytest
from django.utils import timezone

from submissions.models import Submission
from tests.submission_fixtures import PASSWORD, landlord_account

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, username, next_path):
    page.goto(f"{live_server.url}/konto/logga-in/?next={next_path}")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{live_server.url}{next_path}")


def test_landlord_submits_advisor_registers_landlord_sees_registered(organisation, personas, live_server, browser):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    landlord_account(organisation, "familjebostader", "AB Familjebostäder", "556035-8672")
    landlord = browser.new_context(locale="sv-SE").new_page()
    errors = []
    landlord.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(landlord, live_server, "familjebostader", "/hyresvard/ny/")
    landlord.locator("#id_notice_type").select_option("RENT_ARREARS_TERMINATION")
    landlord.locator("#id_landlord_reference").fill("FB-1102")
    served = timezone.localdate().isoformat()
    landlord.locator("#id_served_date").fill(served)
    landlord.locator("#id_debt_amount").fill("18450")
    landlord.locator("#id_recovery_amount").fill("18450")
    landlord.locator("#id_street_address").fill("Sockenvägen 290")
    landlord.locator("#id_apartment_number").fill("1102")
    landlord.locator("#id_postal_code").fill("120 40")
    landlord.locator("#id_city").fill("Årsta")
    landlord.locator("#id_members-0-name").fill("Test Testsson")
    landlord.locator("#id_members-0-personal_identity_number").fill("19860314-9801")
    landlord.locator("#id_members-0-role").select_option("TENANT")
    landlord.screenshot(path=str(SCREENSHOTS / "landlord-form.png"), full_page=True)
    landlord.get_by_role("button", name="Skicka underrättelsen").click()
    landlord.wait_for_url(re.compile(re.escape(live_server.url) + r"/hyresvard/\d+/$"))
    submission = Submission.objects.get()
    assert landlord.get_by_test_id("receipt-id").inner_text() == submission.reference
    assert "RECEIVED" in landlord.get_by_test_id("status").locator("..").inner_text()
    landlord.screenshot(path=str(SCREENSHOTS / "landlord-receipt.png"), full_page=True)

    advisor = browser.new_context(locale="sv-SE").new_page()
    sign_in(advisor, live_server, "hyresradgivare", "/arenden/")
    menu = advisor.get_by_role("link", name=re.compile("Inkomna underrättelser"))
    assert "1" in menu.inner_text()
    menu.click()
    advisor.wait_for_url(f"{live_server.url}/arenden/inkomna/")
    advisor.screenshot(path=str(SCREENSHOTS / "landlord-queue.png"), full_page=True)
    advisor.get_by_role("link", name=submission.reference).click()
    advisor.screenshot(path=str(SCREENSHOTS / "landlord-queue-detail.png"), full_page=True)
    advisor.get_by_role("button", name="Registrera underrättelsen").click()
    advisor.wait_for_url(re.compile(re.escape(live_server.url) + r"/arenden/\d+/beslut/$"))
    assert advisor.get_by_test_id("lead-unit").inner_text().strip()
    submission.refresh_from_db()
    case = submission.notice.case
    assert submission.status == "REGISTERED" and submission.notice.channel == "PORTAL"
    assert case.assignments.filter(ended_at__isnull=True).exists() and case.tasks.exists() and case.recovery_deadline

    landlord.goto(f"{live_server.url}/hyresvard/")
    row = landlord.get_by_test_id("submission-row").first
    assert "REGISTERED" in row.inner_text() and case.number not in landlord.content()
    landlord.screenshot(path=str(SCREENSHOTS / "landlord-list.png"), full_page=True)
    assert not errors
