"""The follow-up in Chromium (issue 13, "Done when"): a chef handles a deviation; a steering group member opens the
period report and downloads the PDF (text checked) and the XLSX (opened with openpyxl); the statistics dashboard
passes axe (WCAG 2.1 AA, serious and critical) in Swedish and in English."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from cases.models import Deviation, DeviationEvent
from followup import services
from followup.reports import period_bounds
from tests.e2e.helpers import sign_out
from tests.e2e.test_accessibility import Auditor
from tests.factories import notice_data, register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "sv-SE", "accept_downloads": True}


def login(page, live_server, username):
    page.goto(live_server.url + "/konto/logga-in/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill("test-password-123")
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_load_state()


@pytest.fixture
def data(organisation, personas):
    today = timezone.localdate()
    received, served = str(today - dt.timedelta(days=3)), str(today - dt.timedelta(days=4))
    case = register(organisation, personas["hyresradgivare"], children=("2018-03-01",),
                    notice=notice_data(received=received, served=served)).case
    deviation = services.deviation_register(organisation=organisation, user=personas["barn"], case=case,
                                            description="Hembesöket blev inte av.", occurred_on=today - dt.timedelta(days=1))
    return {"case": case, "deviation": deviation, "today": today}


def test_chef_handles_a_deviation(data, live_server, page):
    login(page, live_server, "chef")
    page.get_by_role("link", name="Avvikelser").first.click()
    assert page.locator("h1").inner_text() == "Avvikelser"
    page.get_by_role("link", name=data["deviation"].occurred_on.isoformat()).click()
    page.get_by_label("Ny status").select_option("HANDLED")
    page.get_by_label("Kommentar").fill("Hembesöket är bokat till nästa vecka.")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_load_state()
    assert "Avvikelsen uppdaterades." in page.content()
    assert page.get_by_role("cell", name="Hembesöket är bokat till nästa vecka.").is_visible()
    deviation = Deviation.objects.get(pk=data["deviation"].pk)
    assert deviation.status == "HANDLED" and deviation.status_changed_by.username == "chef"
    assert DeviationEvent.objects.filter(deviation=deviation, to_status="HANDLED").count() == 1


def test_styrgrupp_opens_the_report_and_downloads_pdf_and_xlsx(data, live_server, page):
    start, end = period_bounds("MONTH", data["today"] - dt.timedelta(days=1))
    login(page, live_server, "styrgrupp")
    page.get_by_role("link", name="Periodrapporter").click()
    page.locator("#id_kind").select_option("MONTH")
    page.get_by_label("En dag i perioden").fill((data["today"] - dt.timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Visa rapporten").click()
    page.wait_for_load_state()
    heading = f"Styrgruppens periodrapport {start.isoformat()} – {end.isoformat()}"
    assert page.locator("h1").inner_text() == heading
    page.get_by_role("textbox", name="Ordförandens kommentar").fill("Uppföljning av hembesöken.")
    page.get_by_role("button", name="Markera som föredragen (låser kommentaren)").click()
    page.wait_for_load_state()
    assert "kommentaren är låst" in page.content()

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Ladda ner PDF").click()
    with open(pdf_download.value.path(), "rb") as handle:
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(handle.read())).pages)
    assert heading in text and "Uppföljning av hembesöken." in text
    assert data["case"].number in text and "Hembesöket blev inte av." not in text

    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Ladda ner statistiken (XLSX)").click()
    assert xlsx_download.value.suggested_filename == f"statistik-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"
    with open(xlsx_download.value.path(), "rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).active
    rows = {(r[0], r[1]): r[3] for r in sheet.iter_rows(values_only=True) if r and len(r) >= 4}
    in_period = start <= data["today"] - dt.timedelta(days=3) <= end
    assert rows[("Hushåll och barn", "households")] == (1 if in_period else 0)
    assert rows[("Avvikelser per typ", "MANUAL")] == 1


@pytest.mark.parametrize("view", ["sv", "en"])
def test_statistics_dashboard_passes_axe(data, live_server, page, view):
    auditor = Auditor(page, live_server, view)
    auditor.login("styrgrupp")
    year = data["today"].year
    auditor.visit("statistik", f"/statistik/?date_from={year}-01-01&date_to={year}-12-31")
    auditor.visit("statistik publicering", f"/statistik/?date_from={year}-01-01&date_to={year}-12-31&publish=on")
    auditor.visit("statistik område", f"/statistik/?date_from={year}-01-01&date_to={year}-12-31&area=Årsta")
    auditor.visit("avvikelser", "/avvikelser/")
    auditor.visit("rapporter", "/statistik/rapporter/")
    auditor.assert_clean()
    sign_out(page)  # log out; the chef sees the drill-down links and the handling form
    auditor = Auditor(page, live_server, view)
    auditor.login("chef")
    auditor.visit("statistik chef", f"/statistik/?date_from={year}-01-01&date_to={year}-12-31")
    auditor.visit("avvikelse", f"/avvikelser/{data['deviation'].pk}/")
    auditor.assert_clean()
