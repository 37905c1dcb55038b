"""Issue 14 §2 in Chromium: a landlord imports a list in /hyresvard/import/, sees every row in the preview (one with
an error), sends the valid rows and finds their receipts on its home page."""

import re
from pathlib import Path

import pytest
from django.utils import timezone

from submissions.models import Submission
from tests.e2e.test_accessibility import axe_violations, describe
from tests.e2e.test_landlord_browser import sign_in
from tests.import_files import changed, csv_bytes, good_row
from tests.submission_fixtures import landlord_account

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_landlord_uploads_a_list_previews_it_and_sends_the_valid_rows(organisation, live_server, browser, tmp_path):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    landlord_account(organisation, "familjebostader", "AB Familjebostäder", "556035-8672")
    today = timezone.localdate()
    path = tmp_path / "lista.csv"
    path.write_bytes(csv_bytes([good_row(1, today=today), good_row(2, today=today),
                                changed(good_row(3, today=today), Personnummer="19790521-0000")]))
    page = browser.new_context(locale="sv-SE").new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, live_server, "familjebostader", "/hyresvard/")
    page.get_by_role("main").get_by_role("link", name="Importera en lista").click()
    page.wait_for_url(f"{live_server.url}/hyresvard/import/")
    found = {"upload": axe_violations(page)}
    page.get_by_role("button", name="Granska listan").click()  # no file: the error summary
    page.wait_for_load_state()
    assert "Välj en fil att importera." in page.locator("#error-summary").inner_text()
    found["upload with an error"] = axe_violations(page)
    page.get_by_label("Fil (CSV eller XLSX)").set_input_files(str(path))
    page.get_by_role("button", name="Granska listan").click()
    page.wait_for_url(re.compile(re.escape(live_server.url) + r"/hyresvard/import/\d+/$"))
    rows = page.get_by_test_id("import-row")
    assert rows.count() == 3
    assert [rows.nth(i).get_attribute("data-status") for i in range(3)] == ["NEW", "NEW", "ERROR"]
    assert "Personnummer:" in rows.nth(2).inner_text() and "19790521-0000" not in page.content()
    assert page.get_by_test_id("count-errors").inner_text() == "Med fel: 1"
    page.screenshot(path=str(SCREENSHOTS / "landlord-import-preview.png"), full_page=True)
    found["preview"] = axe_violations(page)
    found = {label: violations for label, violations in found.items() if violations}
    assert not found, "axe found serious/critical violations:" + describe(found)
    assert Submission.objects.count() == 0
    page.get_by_label("Skicka de giltiga raderna och hoppa över resten").check()
    page.get_by_role("button", name="Skicka", exact=True).click()
    page.wait_for_url(f"{live_server.url}/hyresvard/")
    assert "2 underrättelser mottagna." in page.content()
    references = [s.reference for s in Submission.objects.order_by("pk")]
    assert len(references) == 2
    for reference in references:
        assert page.get_by_role("link", name=reference).is_visible()
    page.screenshot(path=str(SCREENSHOTS / "landlord-import-done.png"), full_page=True)
    assert not errors
