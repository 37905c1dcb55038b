"""Issue 11: the defects where the plan meets the legal process, each reproduced first.

Every test here failed on the commit before the fix ("Shared contract for the next wave");
the numbers (1–7, 9, 11) are the issue's."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from bosam import services as bosam_services
from bosam.models import Meeting, MeetingStatus
from cases import services
from cases.models import Case, Deviation, DeviationKind, TaskStatus
from tests.factories import notice_data, register
from tests.test_bosam_scenario import make_series

D = dt.date.fromisoformat
pytestmark = pytest.mark.django_db

CHILD = ("2015-09-16",)


def notice(notice_type, received, *, eviction=None, served=None, ground="", reply=None, sent=None, sender=None):
    # ground and sent_date only when given, so the same helper ran on the code before the fix.
    extra = {"ground": ground} if ground else {}
    if sent:
        extra["sent_date"] = D(sent)
    return services.NoticeData(
        notice_type=notice_type,
        received_date=D(received),
        served_date=D(served) if served else None,
        eviction_date=D(eviction) if eviction else None,
        reply_deadline=D(reply) if reply else None,
        debt_amount=Decimal("18450.00"),
        sender_kind=sender or ("KRONOFOGDEN" if notice_type.startswith("EVICTION") else "LANDLORD"),
        landlord=services.LandlordData(name="AB Familjebostäder", org_number="556035-8672"),
        **extra,
    )


def refreshed(case) -> Case:
    return Case.objects.get(pk=case.pk)


# 1 ---------------------------------------------------------------------------------------------


def test_1_a_new_eviction_date_after_a_postponement_counts(organisation, personas):
    user = personas["hyresradgivare"]
    case = register(organisation, user, notice=notice("EVICTION_DATE", "2026-11-02", eviction="2026-11-26")).case
    register(organisation, user, notice=notice("EVICTION_CANCELLED", "2026-11-20"))
    assert refreshed(case).eviction_date is None
    register(organisation, user, notice=notice("EVICTION_DATE", "2026-11-30", eviction="2027-01-14"))
    case = refreshed(case)
    assert case.eviction_date == D("2027-01-14")

    # Urgent within five working days of the new date, and the date reached without contact is a deviation.
    services.run_daily_checks(today=D("2027-01-11"), organisation=organisation)
    assert refreshed(case).urgent is True
    services.run_daily_checks(today=D("2027-01-14"), organisation=organisation)
    assert Deviation.objects.filter(case=case, kind=DeviationKind.EVICTION_WITHOUT_CONTACT).count() == 1


# 2 ---------------------------------------------------------------------------------------------


def test_2_home_visit_is_due_before_the_eviction_date(organisation, personas):
    # Kronofogden's notice on Monday 2026-11-23, eviction on Thursday 2026-11-26.
    case = register(organisation, personas["hyresradgivare"], children=CHILD,
                    notice=notice("EVICTION_DATE", "2026-11-23", eviction="2026-11-26")).case
    visit = case.tasks.get(kind="HOME_VISIT")
    assert visit.due_date <= D("2026-11-25")
    assert all(t.due_date < D("2026-11-26") for t in case.tasks.exclude(kind__in=["ATTEND_EVICTION", "EVICTION_OUTCOME", "BOSAM_REVIEW"]))


# 3 ---------------------------------------------------------------------------------------------


def test_3_home_visit_comes_before_the_recovery_deadline(organisation, personas):
    case = register(organisation, personas["hyresradgivare"], children=CHILD,
                    notice=notice_data(received="2026-03-02", served="2026-03-02")).case
    assert refreshed(case).recovery_deadline == D("2026-03-23")
    day = D("2026-03-03")
    while day <= D("2026-03-23"):
        services.run_daily_checks(today=day, organisation=organisation)
        if case.tasks.filter(kind="HOME_VISIT").exists():
            break
        day += dt.timedelta(days=1)
    visit = case.tasks.get(kind="HOME_VISIT")
    # 5 working days before the deadline at the latest, and due before it.
    assert day <= D("2026-03-16")
    assert visit.due_date < D("2026-03-23")


# 4 ---------------------------------------------------------------------------------------------


def test_4_an_application_on_rent_arrears_is_the_termination(organisation, personas):
    user = personas["hyresradgivare"]
    served = register(organisation, user, serial=802, notice=notice(
        "EVICTION_APPLICATION", "2026-11-20", served="2026-11-19", ground="RENT_ARREARS")).case
    assert served.recovery_deadline == D("2026-12-11")
    services.run_daily_checks(today=D("2026-12-04"), organisation=organisation)
    assert refreshed(served).urgent is True  # within 5 working days
    unserved = register(organisation, user, serial=803, notice=notice("EVICTION_APPLICATION", "2026-11-20", ground="RENT_ARREARS")).case
    assert "SERVED_DATE_MISSING" in unserved.flags
    # Another ground starts no recovery period.
    other = register(organisation, user, serial=804, notice=notice(
        "EVICTION_APPLICATION", "2026-11-20", served="2026-11-19", ground="DISTURBANCE")).case
    assert other.recovery_deadline is None and "SERVED_DATE_MISSING" not in other.flags


# 5 ---------------------------------------------------------------------------------------------


def test_5_urgency_on_the_morning_of_a_bosam_meeting(organisation, personas):
    series = make_series(organisation, start_date=D("2026-11-03"))
    bosam_services.plan_meetings(today=D("2026-11-01"), organisation=organisation)
    assert Meeting.objects.filter(date=D("2026-11-17"), status=MeetingStatus.PLANNED).exists()
    assert series.meetings.filter(date=D("2026-12-01")).exists()
    # Tuesday 2026-11-17, the meeting is today; the eviction is in 9 days, before the next meeting on 12-01.
    case = register(organisation, personas["hyresradgivare"], children=CHILD, today=D("2026-11-17"),
                    notice=notice("EVICTION_DATE", "2026-11-17", eviction="2026-11-26")).case
    assert refreshed(case).urgent is True


# 6 ---------------------------------------------------------------------------------------------


def test_6_a_cancelled_meeting_leaves_no_false_overdue_review(organisation, personas):
    make_series(organisation, start_date=D("2026-11-03"))
    bosam_services.plan_meetings(today=D("2026-11-01"), organisation=organisation)
    case = register(organisation, personas["hyresradgivare"], notice=notice_data(received="2026-11-05", served="2026-11-05"),
                    today=D("2026-11-05")).case
    review = case.tasks.get(kind="BOSAM_REVIEW")
    assert review.due_date == D("2026-11-17")
    meeting = Meeting.objects.get(organisation=organisation, date=D("2026-11-17"))
    bosam_services.meeting_cancel(meeting=meeting, user=personas["ordforande"], reason="Sjukdom")
    services.run_daily_checks(today=D("2026-11-18"), organisation=organisation)
    review.refresh_from_db()
    assert review.due_date == D("2026-12-01")
    assert not Deviation.objects.filter(case=case, kind=DeviationKind.TASK_OVERDUE, params__task="BOSAM_REVIEW").exists()


def test_6_a_struck_item_moves_the_review_to_the_next_meeting(organisation, personas):
    make_series(organisation, start_date=D("2026-11-03"))
    bosam_services.plan_meetings(today=D("2026-11-01"), organisation=organisation)
    case = register(organisation, personas["hyresradgivare"], notice=notice_data(received="2026-11-05", served="2026-11-05"),
                    today=D("2026-11-05")).case
    meeting = Meeting.objects.get(organisation=organisation, date=D("2026-11-17"))
    bosam_services.agenda_prepare(meeting=meeting, today=D("2026-11-10"))
    item = meeting.items.get(case=case)
    bosam_services.agenda_item_remove(item=item, user=personas["ordforande"], reason="Tas upp nästa gång")
    services.run_daily_checks(today=D("2026-11-18"), organisation=organisation)
    review = case.tasks.get(kind="BOSAM_REVIEW")
    assert review.status == TaskStatus.OPEN and review.due_date == D("2026-12-01")
    assert not Deviation.objects.filter(case=case, kind=DeviationKind.TASK_OVERDUE).filter(params__task="BOSAM_REVIEW").exists()


# 7 ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("unit", ["EKONOMISKT_BISTAND", "VUXNA"])
def test_7_a_family_aktuell_at_an_adult_unit_reaches_child_intake(organisation, personas, unit):
    case = register(organisation, personas["hyresradgivare"], children=CHILD, active_units=(unit,),
                    notice=notice_data(received="2026-11-02", served="2026-11-02")).case
    kinds = set(case.tasks.values_list("kind", flat=True))
    assert {"NOTIFY_CHILD_INTAKE", "REPORT_OF_CONCERN"} <= kinds
    assert case.assignments.filter(ended_at__isnull=True, unit__code="MOTTAGNING_BARN_UNGA").exists()
    assert case.tasks.get(kind="REPORT_OF_CONCERN").unit.code == unit  # the aktuell unit that leads files it

    # Without the orosanmälan after 5 working days (default): NO_REPORT_OF_CONCERN, once.
    services.run_daily_checks(today=D("2026-11-09"), organisation=organisation)
    assert not Deviation.objects.filter(case=case, kind=DeviationKind.NO_REPORT_OF_CONCERN).exists()
    services.run_daily_checks(today=D("2026-11-10"), organisation=organisation)
    services.run_daily_checks(today=D("2026-11-11"), organisation=organisation)
    assert Deviation.objects.filter(case=case, kind=DeviationKind.NO_REPORT_OF_CONCERN).count() == 1


def test_7_a_family_aktuell_at_a_child_unit_needs_no_new_contact(organisation, personas):
    case = register(organisation, personas["hyresradgivare"], children=CHILD, active_units=("BARN_UNGA",)).case
    assert not case.tasks.filter(kind__in=["NOTIFY_CHILD_INTAKE", "REPORT_OF_CONCERN"]).exists()


# 9 ---------------------------------------------------------------------------------------------


def test_9_a_closed_case_keeps_its_household_and_its_warning(organisation, personas):
    user = personas["hyresradgivare"]
    first = register(organisation, user, notice=notice("DISTURBANCE_WARNING", "2026-03-02")).case
    services.case_close(case=first, user=user, outcome="OTHER")
    second = register(organisation, user, notice=notice("DISTURBANCE_TERMINATION", "2026-11-02")).case
    assert second.pk != first.pk
    assert second.household_id == first.household_id
    assert "DISTURBANCE_WITHOUT_WARNING" not in second.flags
    from cases import legal_selectors

    assert [c.pk for c in legal_selectors.earlier_cases(second)] == [first.pk]


# 11 --------------------------------------------------------------------------------------------


def test_11_the_reply_deadline_is_kept_used_and_shown(client, organisation, personas):
    user = personas["hyresradgivare"]
    case = register(organisation, user, today=D("2026-11-20"), notice=notice(
        "EVICTION_APPLICATION", "2026-11-20", reply="2026-11-27")).case
    case = refreshed(case)
    assert case.reply_deadline == D("2026-11-27")
    assert case.urgent is True
    help_task = case.tasks.get(kind="HELP_REPLY_KRONOFOGDEN")
    assert help_task.unit_id == case.lead_unit_id
    assert help_task.due_date == D("2026-11-24")  # 2 working days, and before the deadline

    client.force_login(user)
    page = client.get(f"/arenden/{case.pk}/").content.decode()
    assert "Svarsfrist till Kronofogden" in page and "2026-11-27" in page
    listing = client.get("/arenden/").content.decode()
    assert "2026-11-27" in listing
