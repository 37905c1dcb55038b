# ruff: noqa: F811 -- the clock fixture of test_api is imported and requested by name
"""Issue 11's remainder (branch legal): a later eviction date gives a new letter; the place and time of
the eviction in the notice, the case page and the letter; the payment commitment routed to Ekonomiskt
bistånd; the two readings of the plan (R3b/R3c before the recovery deadline, INVESTIGATION_DECISION at 65+)."""

from __future__ import annotations

import datetime as dt

import pytest

from cases.models import Case, SentLetter
from tests.test_api import NOTICES, body, case_url, client_for, clock, complete_url, post_json  # noqa: F401
from tests.test_scenarios_letters_api import pdf_text

D = dt.date.fromisoformat
pytestmark = pytest.mark.django_db
CHILDREN = ("2015-09-16",)


@pytest.fixture
def advisor(personas):
    return client_for(personas["hyresradgivare"])


def post_notice(client, clock, **kwargs) -> dict:
    clock.set(kwargs["received"])
    response = post_json(client, NOTICES, body(**kwargs))
    assert response.status_code == 201, response.content
    return response.json()["case"]


def get_case(client, case_id) -> dict:
    response = client.get(case_url(case_id))
    assert response.status_code == 200
    return response.json()


def letters(case: dict) -> list[dict]:
    return sorted((t for t in case["tasks"] if t["kind"] == "SEND_LETTER"), key=lambda t: t["id"])


# --- item 2: a later eviction date gives a new letter task --------------------------------------


def test_a_later_eviction_date_gives_a_new_letter_and_the_sent_one_stays(advisor, clock, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    case = post_notice(advisor, clock, notice_type="EVICTION_DATE", received="2026-11-02", eviction_date="2026-11-26",
                       children=CHILDREN)
    [first] = letters(case)
    clock.set("2026-11-03")
    assert post_json(advisor, complete_url(first["id"]), {"note": "Skickat"}).status_code == 200
    frozen = SentLetter.objects.get(task_id=first["id"]).file.read()
    assert "26 november 2026" in pdf_text(frozen)

    post_notice(advisor, clock, notice_type="EVICTION_CANCELLED", received="2026-11-20", children=CHILDREN)
    assert len(letters(get_case(advisor, case["id"]))) == 1  # a cancellation gives no letter

    new = post_notice(advisor, clock, notice_type="EVICTION_DATE", received="2026-12-01", eviction_date="2027-01-14",
                      children=CHILDREN)
    old, again = letters(new)
    assert (old["id"], old["status"]) == (first["id"], "DONE")
    assert again["status"] == "OPEN" and again["unit"] == "HYRESRADGIVNING"
    assert D(again["due_date"]) == D("2026-12-02")
    assert set(again["rules"]) & {"R2a", "R3a"}
    # The daily check the next day adds nothing more, and the frozen letter is unchanged.
    from django.core.management import call_command

    clock.set("2026-12-02")
    call_command("run_daily_checks", "--date", "2026-12-02")
    assert len(letters(get_case(advisor, case["id"]))) == 2
    assert SentLetter.objects.get(task_id=first["id"]).file.read() == frozen
    clock.set("2026-12-02")
    text = pdf_text(advisor.get(f"/arenden/uppgift/{again['id']}/brev.pdf").content)
    assert "14 januari 2027" in text and "26 november" not in text


def test_a_second_eviction_date_while_the_letter_is_unsent_adds_no_letter(advisor, clock):
    case = post_notice(advisor, clock, notice_type="EVICTION_DATE", received="2026-11-02", eviction_date="2026-11-26")
    post_notice(advisor, clock, notice_type="EVICTION_CANCELLED", received="2026-11-03")
    post_notice(advisor, clock, notice_type="EVICTION_DATE", received="2026-11-04", eviction_date="2026-12-10")
    # The open letter is printed from the case as it is when it is sent: it will carry the new date.
    assert [t["status"] for t in letters(get_case(advisor, case["id"]))] == ["OPEN"]


def test_an_eviction_date_after_the_termination_letter_gives_a_new_letter(advisor, clock):
    case = post_notice(advisor, clock, received="2026-09-01")
    [first] = letters(case)
    clock.set("2026-09-02")
    assert post_json(advisor, complete_url(first["id"]), {"note": "Skickat"}).status_code == 200
    new = post_notice(advisor, clock, notice_type="EVICTION_DATE", received="2026-11-02", eviction_date="2026-11-26")
    assert [t["status"] for t in letters(new)] == ["DONE", "OPEN"]
    assert Case.objects.get(pk=case["id"]).tasks.filter(kind="SEND_LETTER").count() == 2


# --- item 3: the place and time of the eviction; item 4: the closing block stays together --------


def letter_pages(client, task_id) -> list[str]:
    from io import BytesIO

    from pypdf import PdfReader

    response = client.get(f"/arenden/uppgift/{task_id}/brev.pdf")
    assert response.status_code == 200
    return [" ".join(page.extract_text().split()) for page in PdfReader(BytesIO(response.content)).pages]


def test_the_eviction_letter_says_time_place_and_where_to_get_help(advisor, clock, client, personas):
    case = post_notice(advisor, clock, notice_type="EVICTION_DATE", received="2026-11-02", eviction_date="2026-11-26",
                       eviction_time="09:30", eviction_place="Sockenvägen 290, källarförrådet")
    [letter] = letters(case)
    text = " ".join(letter_pages(advisor, letter["id"]))
    assert "klockan 09.30" in text and "Kronofogden kommer till Sockenvägen 290, källarförrådet." in text
    assert "Kontakta mig" in text and "Med vänliga hälsningar" in text
    client.force_login(personas["hyresradgivare"])
    page = client.get(f"/arenden/{case['id']}/").content.decode()
    assert "klockan 09.30" in page and "Sockenvägen 290, källarförrådet" in page


def test_the_place_defaults_to_the_home_and_is_never_printed_for_a_protected_household(advisor, clock, client, personas):
    case = post_notice(advisor, clock, notice_type="EVICTION_DATE", received="2026-11-02", eviction_date="2026-11-26")
    text = " ".join(letter_pages(advisor, letters(case)[0]["id"]))
    assert "Kronofogden kommer till Sockenvägen 290, lgh 1102, 120 40 Årsta." in text
    assert "Kronofogden meddelar tiden." in text

    hidden = post_notice(advisor, clock, notice_type="EVICTION_DATE", received="2026-11-02", eviction_date="2026-11-26",
                         eviction_place="Sockenvägen 290, källarförrådet", protected=True, serial=831)
    text = " ".join(letter_pages(advisor, letters(hidden)[0]["id"]))
    assert "Sockenvägen" not in text and "Kronofogden kommer till" not in text
    client.force_login(personas["hyresradgivare"])
    page = client.get(f"/arenden/{hidden['id']}/").content.decode()
    assert "plats visas inte (skyddad identitet)" in page and "källarförrådet" not in page


def test_a_too_long_place_is_refused_with_a_field_error(advisor, clock):
    clock.set("2026-11-02")
    data = body(notice_type="EVICTION_DATE", received="2026-11-02", eviction_date="2026-11-26", eviction_place="x" * 201)
    response = post_json(advisor, NOTICES, data)
    assert response.status_code == 400 and "eviction_place" in response.json()


def test_the_signature_never_stands_alone_on_the_last_page(advisor, clock, organisation, personas):
    # A letter whose closing falls at the page break: before the fix "Kontakta mig" stayed on page 1 and the
    # contact details and signature went on alone. More recipients push the break; every variant keeps it together.
    from cases.intake.letters import render_letter_pdf
    from cases.models import Person, Task

    organisation.debt_advice_phone = "08-508 00 000"
    organisation.debt_advice_email = "budgetochskuldradgivning@example.se"
    organisation.save()
    case = post_notice(advisor, clock, received="2026-11-02", served_date="2026-11-02")
    task = Task.objects.get(pk=letters(case)[0]["id"])
    for extra in range(4):
        from io import BytesIO

        from pypdf import PdfReader

        pages = [" ".join(p.extract_text().split()) for p in PdfReader(BytesIO(render_letter_pdf(task, personas["hyresradgivare"]))).pages]
        last = pages[-1]
        assert "Med vänliga hälsningar" in last and "Ange ärendenummer" in last, extra
        assert "Kontakta mig" in last, (extra, len(pages))
        Person.objects.create(household=case_household(case), name=f"Extra{extra} Testsson", role="CO_TENANT")


def case_household(case: dict):
    return Case.objects.get(pk=case["id"]).household


# --- item 1: the payment commitment is routed to Ekonomiskt bistånd (D2) --------------------------


def test_an_application_assigns_financial_aid_with_a_task_and_the_urgency_shows_there(client, advisor, clock, personas):
    # Served and received 2026-11-02: deadline Mon 11-23; 5 working days before it: Mon 11-16.
    case = post_notice(advisor, clock, received="2026-11-02")
    assert "EKONOMISKT_BISTAND" not in {a["unit"] for a in case["assignments"]}
    clock.set("2026-11-12")
    client.force_login(personas["hyresradgivare"])
    url = f"/arenden/{case['id']}/betalningsforbindelse/"
    version = Case.objects.get(pk=case["id"]).version
    assert client.post(url, {"payment-version": version, "payment-application_received_on": "2026-11-11"}).status_code == 302

    case = get_case(advisor, case["id"])
    assert ("EKONOMISKT_BISTAND", "ASSIGNED") in {(a["unit"], a["role"]) for a in case["assignments"]}
    decision = next(t for t in case["tasks"] if t["kind"] == "PAYMENT_DECISION")
    assert (decision["unit"], decision["status"], decision["due_date"]) == ("EKONOMISKT_BISTAND", "OPEN", "2026-11-16")
    assert decision["rules"] == ["D2"]
    assert any("(D2)" in sentence and "Ekonomiskt bistånd" in sentence for sentence in case["explanation"])

    # The unit sees the case, and on 11-16 it is urgent there.
    from django.core.management import call_command

    clock.set("2026-11-16")
    call_command("run_daily_checks", "--date", "2026-11-16")
    financial_aid = client_for(personas["ekbistand"])
    seen = get_case(financial_aid, case["id"])
    assert seen["urgent"] is True and "PAYMENT_DECISION_MISSING" in seen["flags"]
    client.force_login(personas["ekbistand"])
    listing = client.get("/arenden/?urgent=1").content.decode()
    assert Case.objects.get(pk=case["id"]).number in listing

    # The decision completes the task; the assignment stays.
    version = Case.objects.get(pk=case["id"]).version
    assert client.post(url, {"payment-version": version, "payment-application_received_on": "2026-11-11",
                             "payment-decision": "GRANTED", "payment-decision_date": "2026-11-16",
                             "payment-sent_to_landlord_on": "2026-11-16", "payment-amount": "18450.00"}).status_code == 302
    case = get_case(advisor, case["id"])
    assert next(t for t in case["tasks"] if t["kind"] == "PAYMENT_DECISION")["status"] == "DONE"
    assert "EKONOMISKT_BISTAND" in {a["unit"] for a in case["assignments"]}
    assert case["urgent"] is False or "PAYMENT_DECISION_MISSING" not in case["flags"]


# --- item 5: the two readings --------------------------------------------------------------------


def test_an_individual_of_65_or_more_gets_the_investigation_decision_at_the_elderly_outreach(advisor, clock):
    case = post_notice(advisor, clock, notice_type="EVICTION_DATE", received="2026-11-02", eviction_date="2026-11-26",
                       tenant_birth="19500314")
    decision = next(t for t in case["tasks"] if t["kind"] == "INVESTIGATION_DECISION")
    assert decision["unit"] == "AO_UPPSOKARE" and decision["rules"] == ["R3c"]
    assert "MOTTAGNING_VUXNA" not in {a["unit"] for a in case["assignments"]}
    younger = post_notice(advisor, clock, notice_type="EVICTION_DATE", received="2026-11-02", eviction_date="2026-11-26",
                          tenant_birth="19700314", serial=851)
    assert next(t for t in younger["tasks"] if t["kind"] == "INVESTIGATION_DECISION")["unit"] == "MOTTAGNING_VUXNA"


def test_r3c_before_the_recovery_deadline_without_a_kronofogden_notice(advisor, clock):
    """Reading (a): with no Kronofogden notice, a recovery deadline 5 working days away without contact escalates
    (R3b, or R3c for 65+) — the plan's "proceeds to eviction" is read as the last moment the tenancy can be saved."""
    from django.core.management import call_command

    case = post_notice(advisor, clock, received="2026-11-02", tenant_birth="19500314")  # deadline Mon 11-23
    clock.set("2026-11-13")
    call_command("run_daily_checks", "--date", "2026-11-13")
    assert "CONTACT_ELDERLY_OUTREACH" not in {t["kind"] for t in get_case(advisor, case["id"])["tasks"]}
    clock.set("2026-11-16")
    call_command("run_daily_checks", "--date", "2026-11-16")
    case = get_case(advisor, case["id"])
    outreach = next(t for t in case["tasks"] if t["kind"] == "CONTACT_ELDERLY_OUTREACH")
    assert outreach["unit"] == "AO_UPPSOKARE" and D(outreach["due_date"]) < D("2026-11-23")
    assert case["lead_unit"] == "HYRESRADGIVNING"


# --- item 6: free text typed at intake (or in a BOSAM request) never reaches the agenda or the minutes ------------------------


def test_free_text_of_the_notice_and_case_is_not_on_the_agenda_but_the_chairs_note_is(organisation, personas):
    import re

    from bosam import services as bosam_services
    from bosam.models import AgendaItem, Meeting
    from cases.models import Household
    from tests.test_bosam_scenario import make_series

    series = make_series(organisation)
    bosam_services.plan_meetings(today=D("2026-11-16"), organisation=organisation)
    meeting = Meeting.objects.get(series=series, date=D("2026-12-01"))
    api = client_for(personas["hyresradgivare"])
    response = post_json(api, NOTICES, body(received="2026-11-20", description="Grannen Kalle Anka har klagat.", serial=861))
    assert response.status_code == 201, response.content
    case = Case.objects.get(pk=response.json()["case"]["id"])
    Household.objects.filter(pk=case.household_id).update(other_residents="Musse Pigg bor också där")
    # A unit's BOSAM request (issue 12 §5): its reason reaches the agenda as a label, its free text never.
    from cases import services as case_services

    case_services.bosam_request(case=case, user=personas["hyresradgivare"], reason="OTHER", details="Långben ringer varje dag.")
    bosam_services.prepare_agendas(today=D("2026-11-27"), organisation=organisation, render_pdf=False)
    item = AgendaItem.objects.get(meeting=meeting, case=case)
    AgendaItem.objects.filter(pk=item.pk).update(note="Ordföranden: följs upp nästa möte.")

    chair = client_for(personas["ordforande"])
    text = re.sub(r"[\s\u2010\u00ad-]+", "", pdf_text(chair.get(f"/api/v1/meetings/{meeting.pk}/agenda.pdf").content))
    assert case.number.replace("-", "") in text
    assert "KalleAnka" not in text and "MussePigg" not in text and "Långben" not in text
    assert "begärtavHyresrådgivningen:Annat" in text
    from django.urls import reverse

    page = chair.get(reverse("bosam:meeting_detail", args=[meeting.pk])).content.decode()
    assert case.number in page and "Kalle Anka" not in page and "Musse Pigg" not in page and "Långben" not in page
    assert "begärt av Hyresrådgivningen: Annat" in page
    detail = chair.get(reverse("bosam:item_detail", args=[meeting.pk, item.pk])).content.decode()
    assert "Kalle Anka" not in detail and "Musse Pigg" not in detail and "Långben" not in detail
    assert "Hyresrådgivningen: Annat" in detail
    assert "Ordföranden: följs upp nästa möte." in detail  # the chair's own note stays
