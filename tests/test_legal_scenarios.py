# ruff: noqa: F811 -- the clock fixture of test_api is imported and requested by name
"""Issue 11, "Done when": the legal steps as scenarios through the API (and the case page where a
person records something), with the Swedish calendar around Easter, Midsummer and Christmas."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from bosam import services as bosam_services
from bosam.models import Meeting
from cases import services
from cases.models import Case, Deviation, EvictionOutcome, Task
from cases.rules.workdays import is_working_day
from tests.test_api import NOTICES, body, case_url, client_for, clock, post_json  # noqa: F401 (clock is a fixture)
from tests.test_bosam_scenario import make_series

D = dt.date.fromisoformat
pytestmark = pytest.mark.django_db

CHILDREN = ("2015-09-16", "2019-04-02")


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


def daily(clock, day: str) -> None:
    clock.set(day)
    call_command("run_daily_checks", "--date", day, stdout=io.StringIO())


def run_days(clock, first: str, last: str, until=None) -> str | None:
    """Daily checks on every day from first to last (weekends too: beat runs every morning).
    Stops early and returns the day when until() is true."""
    day = D(first)
    while day <= D(last):
        daily(clock, day.isoformat())
        if until is not None and until():
            return day.isoformat()
        day += dt.timedelta(days=1)
    return None


def task(case: dict, kind: str) -> dict:
    return next(t for t in case["tasks"] if t["kind"] == kind)


# --- postponement and a new date ---------------------------------------------------------------


def test_postponement_and_new_date(advisor, clock):
    first = post_notice(advisor, clock, notice_type="EVICTION_DATE", received="2026-11-02", eviction_date="2026-11-26",
                        children=CHILDREN)
    assert first["eviction_date"] == "2026-11-26"
    attend = task(first, "ATTEND_EVICTION")
    assert (attend["unit"], attend["due_date"]) == ("MOTTAGNING_BARN_UNGA", "2026-11-26")

    cancelled = post_notice(advisor, clock, notice_type="EVICTION_CANCELLED", received="2026-11-20", children=CHILDREN)
    assert cancelled["id"] == first["id"]
    assert cancelled["eviction_date"] is None
    assert [t["status"] for t in cancelled["tasks"] if t["kind"] == "ATTEND_EVICTION"] == ["CANCELLED"]
    # A cancellation creates no letter (and no second letter task).
    assert [t["kind"] for t in cancelled["tasks"]].count("SEND_LETTER") == 1

    new = post_notice(advisor, clock, notice_type="EVICTION_DATE", received="2026-12-01", eviction_date="2027-01-14",
                      children=CHILDREN)
    assert new["eviction_date"] == "2027-01-14"
    attends = [t for t in new["tasks"] if t["kind"] == "ATTEND_EVICTION"]
    assert sorted((t["status"], t["due_date"]) for t in attends) == [("CANCELLED", "2026-11-26"), ("OPEN", "2027-01-14")]
    outcome = [t for t in new["tasks"] if t["kind"] == "EVICTION_OUTCOME" and t["status"] == "OPEN"]
    assert len(outcome) == 1 and D(outcome[0]["due_date"]) > D("2027-01-14")


def test_a_cancellation_alone_creates_no_letter(advisor, clock):
    case = post_notice(advisor, clock, notice_type="EVICTION_CANCELLED", received="2026-11-20")
    assert "SEND_LETTER" not in [t["kind"] for t in case["tasks"]]


def test_the_case_page_shows_the_history_of_eviction_dates(client, advisor, clock, personas):
    post_notice(advisor, clock, notice_type="EVICTION_DATE", received="2026-11-02", eviction_date="2026-11-26")
    post_notice(advisor, clock, notice_type="EVICTION_CANCELLED", received="2026-11-20")
    case = post_notice(advisor, clock, notice_type="EVICTION_DATE", received="2026-12-01", eviction_date="2027-01-14")
    client.force_login(personas["hyresradgivare"])
    page = client.get(f"/arenden/{case['id']}/").content.decode()
    assert "2026-11-26" in page and "återkallat eller inställt" in page
    assert "2027-01-14" in page and "gäller" in page


# --- home visit and hand-over before both deadlines, around the holidays ------------------------


def test_home_visit_before_the_recovery_deadline_over_easter(advisor, clock):
    # Served and received Fri 2027-03-05: + 21 days = Good Friday 03-26, moved past Easter to Tue 03-30.
    case = post_notice(advisor, clock, received="2027-03-05", children=CHILDREN)
    assert case["recovery_deadline"] == "2027-03-30"
    assert case["recovery_deadline_basis"] == "RECEIVED"  # no dispatch date given
    assert not any(is_working_day(D(d)) for d in ("2027-03-26", "2027-03-29"))
    found = run_days(clock, "2027-03-06", "2027-03-30", until=lambda: Task.objects.filter(kind="HOME_VISIT").exists())
    # 5 working days before Tue 03-30 (Easter Monday and Good Friday do not count): Fri 03-19 at the latest.
    assert found is not None and D(found) <= D("2027-03-19")
    visit = task(get_case(advisor, case["id"]), "HOME_VISIT")
    assert D(visit["due_date"]) <= D("2027-03-25")  # the working day before the deadline: Maundy Thursday


def test_hand_over_before_the_recovery_deadline_at_midsummer(advisor, clock):
    # An individual; served and received Fri 2026-05-29: + 21 days = Midsommarafton 06-19, moved to Mon 06-22.
    case = post_notice(advisor, clock, received="2026-05-29")
    assert case["recovery_deadline"] == "2026-06-22"
    found = run_days(clock, "2026-05-30", "2026-06-22", until=lambda: Task.objects.filter(kind="HANDOVER_ADULT_INTAKE").exists())
    assert found is not None and D(found) <= D("2026-06-15")
    case = get_case(advisor, case["id"])
    assert case["lead_unit"] == "MOTTAGNING_VUXNA"
    handover = task(case, "HANDOVER_ADULT_INTAKE")
    assert D(handover["due_date"]) <= D("2026-06-18")  # before Midsommarafton and the deadline
    assert "R3b" in handover["rules"]
    assert any("högst 5 arbetsdagar kvar till återvinningsfristen" in sentence and "(R3b)" in sentence
               for sentence in case["explanation"])


def test_home_visit_before_an_eviction_at_christmas(advisor, clock):
    # Kronofogden's date Mon 2026-12-28, notice Mon 12-14: everything before it is due by Wed 12-23.
    case = post_notice(advisor, clock, notice_type="EVICTION_DATE", received="2026-12-14", eviction_date="2026-12-28",
                       served_date=None, children=CHILDREN)
    visit = task(case, "HOME_VISIT")
    assert D(visit["due_date"]) <= D("2026-12-23")
    for t in case["tasks"]:
        if t["kind"] not in ("ATTEND_EVICTION", "EVICTION_OUTCOME", "BOSAM_REVIEW"):
            assert D(t["due_date"]) <= D("2026-12-23"), t
    assert task(case, "ATTEND_EVICTION")["due_date"] == "2026-12-28"
    assert D(task(case, "CHILD_INVESTIGATION")["due_date"]) <= D("2026-12-23")
    # The outcome: 3 working days after the date, past Nyårsafton and Nyårsdagen.
    assert task(case, "EVICTION_OUTCOME")["due_date"] == "2027-01-04"


# --- the application as termination and the start of the recovery period ----------------------


def test_the_application_is_the_termination_and_both_readings_are_shown(client, advisor, clock, personas):
    case = post_notice(advisor, clock, notice_type="EVICTION_APPLICATION", received="2026-11-20", served_date="2026-11-10",
                       ground="RENT_ARREARS", sent_date="2026-11-12")
    # SENT (the default): later of served 11-10 and sent 11-12 + 21 = 12-03; RECEIVED would give 12-11.
    assert (case["recovery_deadline"], case["recovery_deadline_basis"]) == ("2026-12-03", "SENT")
    assert "SERVED_DATE_MISSING" not in case["flags"]
    client.force_login(personas["hyresradgivare"])
    page = client.get(f"/arenden/{case['id']}/").content.decode()
    assert 'data-testid="recovery-readings"' in page and "2026-12-11" in page

    unserved = post_notice(advisor, clock, notice_type="EVICTION_APPLICATION", received="2026-11-20", served_date=None,
                           ground="RENT_ARREARS", serial=805)
    assert unserved["recovery_deadline"] is None and "SERVED_DATE_MISSING" in unserved["flags"]


def test_ground_and_sent_date_are_validated(advisor, clock):
    clock.set("2026-11-20")
    response = post_json(advisor, NOTICES, body(received="2026-11-20", sent_date="2026-11-25"))
    assert response.status_code == 400 and "sent_date" in response.json()
    response = post_json(advisor, NOTICES, body(received="2026-11-20", ground="RENT_ARREARS"))
    assert response.status_code == 400 and "ground" in response.json()
    response = post_json(advisor, NOTICES, body(notice_type="EVICTION_APPLICATION", received="2026-11-20", ground="LÅTSAS"))
    assert response.status_code == 400 and "ground" in response.json()


# --- urgency on a meeting day, a cancelled meeting ---------------------------------------------


@pytest.fixture
def meetings(organisation):
    make_series(organisation, start_date=D("2026-11-03"))  # Tuesdays every other week: 11-03, 11-17, 12-01, ...
    bosam_services.plan_meetings(today=D("2026-11-01"), organisation=organisation)


def test_urgency_on_a_meeting_day(advisor, clock, meetings):
    case = post_notice(advisor, clock, notice_type="EVICTION_DATE", received="2026-11-17", eviction_date="2026-11-26",
                       children=CHILDREN)
    assert case["urgent"] is True
    # A reply deadline counts too.
    other = post_notice(advisor, clock, notice_type="EVICTION_APPLICATION", received="2026-11-17", reply_deadline="2026-11-30",
                        serial=806)
    assert other["reply_deadline"] == "2026-11-30" and other["urgent"] is True
    # Far from every date: not urgent.
    calm = post_notice(advisor, clock, received="2026-11-17", served_date="2026-11-17", serial=807)
    assert calm["urgent"] is False


def test_a_cancelled_meeting_gives_no_false_deviations(advisor, clock, meetings, personas):
    case = post_notice(advisor, clock, received="2026-11-05")
    assert task(case, "BOSAM_REVIEW")["due_date"] == "2026-11-17"
    bosam_services.meeting_cancel(meeting=Meeting.objects.get(date=D("2026-11-17")), user=personas["ordforande"], reason="Sjukdom")
    run_days(clock, "2026-11-06", "2026-11-20")
    case = get_case(advisor, case["id"])
    assert task(case, "BOSAM_REVIEW")["due_date"] == "2026-12-01"
    assert not Deviation.objects.filter(case_id=case["id"], kind="TASK_OVERDUE", params__task="BOSAM_REVIEW").exists()


# --- a family aktuell at Ekonomiskt bistånd ------------------------------------------------------


def test_a_family_aktuell_at_financial_aid(advisor, clock):
    case = post_notice(advisor, clock, received="2026-11-02", children=CHILDREN, active_units=("EKONOMISKT_BISTAND",))
    assert case["lead_unit"] == "EKONOMISKT_BISTAND"
    assert ("MOTTAGNING_BARN_UNGA", "ASSIGNED") in {(a["unit"], a["role"]) for a in case["assignments"]}
    assert task(case, "REPORT_OF_CONCERN")["unit"] == "EKONOMISKT_BISTAND"
    run_days(clock, "2026-11-03", "2026-11-10")
    case = get_case(advisor, case["id"])
    assert {"kind": "NO_REPORT_OF_CONCERN", "date": "2026-11-10"} in case["deviations"]


# --- the eviction day and after --------------------------------------------------------------------


def test_the_eviction_day_tasks_and_outcome(client, advisor, clock, personas):
    case = post_notice(advisor, clock, notice_type="EVICTION_DATE", received="2026-11-02", eviction_date="2026-11-26",
                       children=CHILDREN)
    kinds = {t["kind"]: t for t in case["tasks"]}
    assert kinds["CHILD_INVESTIGATION"]["unit"] == "MOTTAGNING_BARN_UNGA"
    assert (kinds["ATTEND_EVICTION"]["unit"], kinds["ATTEND_EVICTION"]["due_date"]) == ("MOTTAGNING_BARN_UNGA", "2026-11-26")
    assert kinds["EVICTION_OUTCOME"]["unit"] == case["lead_unit"] == "HYRESRADGIVNING"

    # The day after: the advisor records the outcome on the case page.
    clock.set("2026-11-27")
    client.force_login(personas["hyresradgivare"])
    version = Case.objects.get(pk=case["id"]).version
    url = f"/arenden/{case['id']}/avhysningsdagen/"
    bad = client.post(url, {"outcome-version": version, "outcome-result": "EXECUTED", "outcome-children_present": "yes",
                            "outcome-note": "Kronofogden på plats kl. 9."})
    assert bad.status_code == 400
    assert "Ange vart hushållet tog vägen" in bad.content.decode()
    assert "Kronofogden på plats kl. 9." in bad.content.decode()  # the input is kept
    response = client.post(url, {
        "outcome-version": version, "outcome-result": "EXECUTED", "outcome-children_present": "yes",
        "outcome-social_services_present": "no", "outcome-destination": "EMERGENCY_HOUSING", "outcome-note": "",
    })
    assert response.status_code == 302
    outcome = EvictionOutcome.objects.get(case_id=case["id"])
    assert (outcome.eviction_date, outcome.result, outcome.children_present, outcome.social_services_present) == (
        D("2026-11-26"), "EXECUTED", True, False)
    assert outcome.notice is not None and outcome.destination == "EMERGENCY_HOUSING"

    case = get_case(advisor, case["id"])
    assert task(case, "EVICTION_OUTCOME")["status"] == "DONE"
    follow = task(case, "FOLLOW_UP_AFTER_EVICTION")
    assert (follow["unit"], follow["status"]) == ("MOTTAGNING_BARN_UNGA", "OPEN")
    assert {"kind": "ABSENT_AT_EVICTION_WITH_CHILDREN", "date": "2026-11-27"} in case["deviations"]
    # Recording twice is not possible: the task is done, so the form is gone.
    page = client.get(f"/arenden/{case['id']}/").content.decode()
    assert "Registrera vad som hände på avhysningsdagen" not in page and "Verkställd" in page


def test_visiting_children_do_not_count_for_the_eviction_day_by_default(advisor, clock):
    data = body(notice_type="EVICTION_DATE", received="2026-11-02", eviction_date="2026-11-26", children=("2015-09-16",))
    data["household"]["members"][1]["child_residence"] = "VISITING"
    clock.set("2026-11-02")
    case = post_json(advisor, NOTICES, data).json()["case"]
    kinds = {t["kind"] for t in case["tasks"]}
    assert "ATTEND_EVICTION" not in kinds and "CHILD_INVESTIGATION" not in kinds
    assert "EVICTION_OUTCOME" in kinds


def test_an_individual_without_contact_gets_an_investigation_decision(advisor, clock):
    case = post_notice(advisor, clock, notice_type="EVICTION_DATE", received="2026-11-02", eviction_date="2026-11-26")
    decision = task(case, "INVESTIGATION_DECISION")
    assert decision["unit"] == "MOTTAGNING_VUXNA" and D(decision["due_date"]) < D("2026-11-26")


# --- households keep their history -----------------------------------------------------------------


def test_a_household_keeps_its_history(advisor, clock, personas):
    first = post_notice(advisor, clock, notice_type="DISTURBANCE_WARNING", received="2026-03-02")
    services.case_close(case=Case.objects.get(pk=first["id"]), user=personas["hyresradgivare"], outcome="OTHER")
    second = post_notice(advisor, clock, notice_type="DISTURBANCE_TERMINATION", received="2026-11-02")
    assert second["id"] != first["id"]
    assert second["earlier_cases"] == [first["id"]]
    assert "DISTURBANCE_WITHOUT_WARNING" not in second["flags"]
    assert Case.objects.get(pk=second["id"]).household_id == Case.objects.get(pk=first["id"]).household_id


# --- the payment commitment --------------------------------------------------------------------------


def test_payment_commitment_without_decision_is_urgent_for_financial_aid(client, advisor, clock, personas):
    # Served and received 2026-11-02: deadline Mon 11-23; 5 working days before it: Mon 11-16.
    case = post_notice(advisor, clock, received="2026-11-02", active_units=("EKONOMISKT_BISTAND",))
    assert case["recovery_deadline"] == "2026-11-23"
    clock.set("2026-11-05")
    client.force_login(personas["ekbistand"])
    url = f"/arenden/{case['id']}/betalningsforbindelse/"
    version = Case.objects.get(pk=case["id"]).version
    bad = client.post(url, {"payment-version": version, "payment-application_received_on": "2026-11-04",
                            "payment-decision": "GRANTED"})
    assert bad.status_code == 400 and "Ange beslutsdatum." in bad.content.decode()
    ok = client.post(url, {"payment-version": version, "payment-application_received_on": "2026-11-04"})
    assert ok.status_code == 302

    daily(clock, "2026-11-13")
    assert "PAYMENT_DECISION_MISSING" not in get_case(advisor, case["id"])["flags"]
    daily(clock, "2026-11-16")
    case = get_case(advisor, case["id"])
    assert case["urgent"] is True and "PAYMENT_DECISION_MISSING" in case["flags"]

    version = Case.objects.get(pk=case["id"]).version
    ok = client.post(url, {"payment-version": version, "payment-application_received_on": "2026-11-04",
                           "payment-decision": "GRANTED", "payment-decision_date": "2026-11-16",
                           "payment-sent_to_landlord_on": "2026-11-16", "payment-amount": "18450.00"})
    assert ok.status_code == 302
    case = get_case(advisor, case["id"])
    assert "PAYMENT_DECISION_MISSING" not in case["flags"]
    commitment = Case.objects.get(pk=case["id"]).payment_commitment
    assert (commitment.decision, str(commitment.amount)) == ("GRANTED", "18450.00")
