"""The hyresrådgivare registers notices through the real form in Chromium, and sees the plan's decision."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from tests.factories import pin_for as make_pin

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "test-password-123"
RECEIVED = timezone.localdate() - dt.timedelta(days=1)
SERVED = RECEIVED - dt.timedelta(days=1)


@pytest.fixture
def advisor_page(personas, live_server, page):
    """Logged in as the hyresrådgivare, on the empty intake form; console errors (CSP too) are collected."""
    errors = []
    # A missing favicon is not our concern; script errors and CSP violations are.
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" and "Failed to load resource" not in msg.text else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/konto/logga-in/?next=/arenden/registrera/ny/")
    page.locator("#id_username").fill(personas["hyresradgivare"].username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{live_server.url}/arenden/registrera/ny/")
    page.console_errors = errors
    return page


def fill_notice(page, *, notice_type="RENT_ARREARS_TERMINATION", housing_type="ORDINARY"):
    page.locator("#id_notice_type").select_option(notice_type)
    page.locator("#id_landlord_name").fill("AB Familjebostäder")
    page.locator("#id_landlord_org_number").fill("5560358672")
    page.locator("#id_received_date").fill(RECEIVED.isoformat())
    page.locator("#id_served_date").fill(SERVED.isoformat())
    page.locator("#id_debt_amount").fill("18450")
    page.locator("#id_recovery_amount").fill("18450")
    page.locator("#id_street_address").fill("Sockenvägen 290")
    page.locator("#id_apartment_number").fill("1102")
    page.locator("#id_postal_code").fill("120 40")
    page.locator("#id_city").fill("Årsta")
    page.locator("#id_housing_type").select_option(housing_type)
    page.locator("#id_phone").fill("070-1234567")


def fill_member(page, index, *, name, role, pnr="", birth_date="", residence=""):
    prefix = f"#id_members-{index}-"
    page.locator(prefix + "name").fill(name)
    if pnr:
        page.locator(prefix + "personal_identity_number").fill(pnr)
    if birth_date:
        page.locator(prefix + "birth_date").fill(birth_date)
    page.locator(prefix + "role").select_option(role)
    if residence:
        page.locator(prefix + "child_residence").select_option(residence)


def submit(page, live_server):
    page.get_by_role("button", name="Registrera underrättelsen").click()


def expect_decision(page, live_server, lead: str):
    page.wait_for_url(re.compile(re.escape(live_server.url) + r"/arenden/\d+/beslut/$"))
    assert "beslut enligt handlingsplanen" in page.locator("h1").inner_text()
    assert lead in page.get_by_test_id("lead-unit").inner_text()


def task_rows(page) -> str:
    return page.locator("#tasks-heading + table").inner_text()


def test_family_with_children_not_aktuell(advisor_page, live_server):
    page = advisor_page
    fill_notice(page)
    fill_member(page, 0, name="Test Testsson", role="TENANT", pnr=make_pin("19860314", 801)[2:])
    fill_member(page, 1, name="Barn1 Testsson", role="CHILD", birth_date="2015-09-16", residence="LIVING")
    # Rows are added and removed with JavaScript: add a fourth row, drop the empty third one.
    page.get_by_role("button", name="Lägg till person").click()
    assert page.locator("#id_members-3-name").is_visible()
    assert page.locator("#id_members-3-name").evaluate("el => el === document.activeElement")
    fill_member(page, 3, name="Barn2 Testsson", role="CHILD", birth_date="2019-02-01", residence="ALTERNATING")
    page.get_by_role("button", name="Ta bort personen (person 3)").click()
    assert not page.locator("#id_members-2-name").is_visible()
    submit(page, live_server)

    expect_decision(page, live_server, "Hyresrådgivningen")
    body = page.locator("main").inner_text()
    assert "2 barn" in body
    assert "Familj med barn som inte är aktuell: hyresrådgivaren ansvarar (R2)." in body
    tasks = task_rows(page)
    for label in ("Skicka brev med hyresrådgivarens kontaktuppgifter", "Ring hushållet",
                  "Kontakta Mottagningsenheten barn och unga", "Gör en orosanmälan", "Ta upp på nästa BOSAM"):
        assert label in tasks
    assert "Mottagningsenheten barn och unga" in page.locator("#assignments-heading + table").inner_text()
    # The letter link serves a PDF.
    with page.expect_download() as download:
        page.get_by_role("link", name="Brev till hushållet (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert page.console_errors == []


def test_household_aktuell_at_ekonomiskt_bistand(advisor_page, live_server):
    page = advisor_page
    fill_notice(page)
    fill_member(page, 0, name="Ensam Andersson", role="TENANT", pnr=make_pin("19700101", 802))
    page.get_by_label("Ekonomiskt bistånd", exact=True).check()
    submit(page, live_server)

    expect_decision(page, live_server, "Ekonomiskt bistånd")
    assert "Hushållet är redan aktuellt hos Ekonomiskt bistånd, som ansvarar för ärendet (R1)." in page.locator("main").inner_text()
    assert page.console_errors == []


def test_household_in_a_training_flat(advisor_page, live_server):
    page = advisor_page
    fill_notice(page, housing_type="TRAINING_FLAT")
    fill_member(page, 0, name="Tränings Boende", role="TENANT", pnr=make_pin("19910505", 803))
    submit(page, live_server)

    expect_decision(page, live_server, "Bostadsenheten")
    assert "Särskild rutin för försöks-/träningslägenhet eller SHIS" in task_rows(page)
    assert "R7" in page.locator("main").inner_text()
    assert page.console_errors == []


def test_bad_personnummer_round_trip(advisor_page, live_server):
    page = advisor_page
    fill_notice(page)
    good = make_pin("19860314", 804)
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    fill_member(page, 0, name="Fel Nummersson", role="TENANT", pnr=bad)
    fill_member(page, 1, name="Barn Nummersson", role="CHILD", birth_date="2016-03-03", residence="LIVING")
    submit(page, live_server)

    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert "Kontrollsiffran stämmer inte." in summary.inner_text()
    assert summary.evaluate("el => el === document.activeElement")  # focus moved to the summary
    field = page.locator("#id_members-0-personal_identity_number")
    assert "is-invalid" in field.get_attribute("class")
    # Everything else the user typed is still there.
    assert page.locator("#id_street_address").input_value() == "Sockenvägen 290"
    assert page.locator("#id_landlord_name").input_value() == "AB Familjebostäder"
    assert page.locator("#id_members-1-name").input_value() == "Barn Nummersson"
    assert page.locator("#id_members-1-birth_date").input_value() == "2016-03-03"
    assert page.locator("#id_members-0-personal_identity_number").input_value() == bad

    field.fill(good)
    submit(page, live_server)
    expect_decision(page, live_server, "Hyresrådgivningen")
    assert page.console_errors == []


def test_second_notice_joins_the_open_case_from_the_search(advisor_page, live_server):
    page = advisor_page
    pnr = make_pin("19550505", 805)
    fill_notice(page)
    fill_member(page, 0, name="Äldre Person", role="TENANT", pnr=pnr)
    submit(page, live_server)
    expect_decision(page, live_server, "Hyresrådgivningen")
    number = page.locator("h1").inner_text().split()[1].rstrip(":")

    page.goto(f"{live_server.url}/arenden/registrera/")
    page.get_by_label("Personnummer, namn eller adress").fill(pnr[:8] + "-" + pnr[8:])
    page.get_by_role("button", name="Sök").click()
    results = page.locator("#open-heading + .table-responsive table").inner_text()
    assert number in results and pnr[:8] + "-XXXX" in results
    page.get_by_role("link", name=f"Lägg till underrättelsen i ärendet {number}").click()
    assert page.locator("#id_street_address").input_value() == "Sockenvägen 290"
    page.locator("#id_notice_type").select_option("EVICTION_APPLICATION")
    page.locator("#id_sender_kind").select_option("KRONOFOGDEN")
    page.locator("#id_landlord_name").fill("")
    page.locator("#id_landlord_org_number").fill("")
    page.locator("#id_kronofogden_reference").fill("KFM 12-345678-26")
    page.locator("#id_received_date").fill(timezone.localdate().isoformat())
    submit(page, live_server)

    page.wait_for_url(re.compile(r".*/beslut/$"))
    assert number in page.locator("h1").inner_text()
    assert f"Underrättelsen lades till i det öppna ärendet {number}." in page.locator("main").inner_text()
    assert "Ansökan om avhysning hos Kronofogden" in page.locator("#notices-heading + ul").inner_text()
    assert page.console_errors == []
