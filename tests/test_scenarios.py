"""The plan's scenarios end to end through the services, on the real database.

Each row of SCENARIOS is a small story: notices arriving, contacts, daily checks
on given days; then who is responsible and which tasks exist. tests/test_api.py
runs the same table through the REST API.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

import pytest

from cases import services
from cases.models import (
    REPEATABLE_TASK_KINDS,
    Assignment,
    Case,
    Deviation,
    DeviationKind,
    Notice,
    Person,
    RoutingDecision,
    Task,
    TaskStatus,
)
from cases.rules import routing
from cases.rules.routing import contact_escalation_date
from cases.rules.workdays import add_working_days, is_working_day
from tests.factories import household_data, notice_data

D = dt.date.fromisoformat


# --- the steps of a scenario -------------------------------------------------------


@dataclass(frozen=True)
class NoticeStep:
    notice_type: str = "RENT_ARREARS_TERMINATION"
    received: str = "2026-11-02"
    eviction_date: str | None = None


@dataclass(frozen=True)
class ContactStep:
    date: str
    established: bool = True
    channel: str = "PHONE"


@dataclass(frozen=True)
class DailyStep:
    date: str


@dataclass(frozen=True)
class Scenario:
    id: str
    household: dict
    steps: tuple
    lead: str
    # active assignments after the last step: {(unit, role)}
    assignments: frozenset
    # task kinds that must exist (any status) / must not exist
    tasks: frozenset
    absent: frozenset = frozenset()
    rules: frozenset = frozenset()
    children: int = 0
    extra: dict = field(default_factory=dict)


FAMILY = {"children": ("2015-09-16", "2020-02-29")}
KRONOFOGDEN = NoticeStep("EVICTION_APPLICATION", "2026-11-20")

SCENARIOS = [
    Scenario(
        id="aktuell-family-lead-by-precedence",
        household={**FAMILY, "active_units": ("EKONOMISKT_BISTAND", "BARN_UNGA")},
        steps=(NoticeStep(),),
        lead="BARN_UNGA",
        assignments=frozenset({("BARN_UNGA", "LEAD"), ("EKONOMISKT_BISTAND", "ASSIGNED"), ("HYRESRADGIVNING", "COPY")}),
        tasks=frozenset({"COPY_TO_TENANCY_ADVISOR", "BOSAM_REVIEW"}),
        absent=frozenset({"SEND_LETTER", "PHONE_CONTACT", "REPORT_OF_CONCERN", "HOME_VISIT"}),
        rules=frozenset({"R1", "R1a", "R4", "R9"}),
        children=2,
    ),
    Scenario(
        id="family-not-aktuell-without-phone",
        household={**FAMILY, "phone": ""},
        steps=(NoticeStep(),),
        lead="HYRESRADGIVNING",
        assignments=frozenset({("HYRESRADGIVNING", "LEAD"), ("MOTTAGNING_BARN_UNGA", "ASSIGNED")}),
        tasks=frozenset({"SEND_LETTER", "NOTIFY_CHILD_INTAKE", "REPORT_OF_CONCERN", "BOSAM_REVIEW"}),
        absent=frozenset({"PHONE_CONTACT", "HOME_VISIT", "COPY_TO_TENANCY_ADVISOR"}),
        rules=frozenset({"R2", "R2a", "R2c", "R4", "R9"}),
        children=2,
    ),
    Scenario(
        id="family-not-aktuell-with-phone",
        household=FAMILY,
        steps=(NoticeStep(),),
        lead="HYRESRADGIVNING",
        assignments=frozenset({("HYRESRADGIVNING", "LEAD"), ("MOTTAGNING_BARN_UNGA", "ASSIGNED")}),
        tasks=frozenset({"SEND_LETTER", "PHONE_CONTACT", "NOTIFY_CHILD_INTAKE", "REPORT_OF_CONCERN", "BOSAM_REVIEW"}),
        absent=frozenset({"HOME_VISIT"}),
        rules=frozenset({"R2", "R2a", "R2b", "R2c", "R4", "R9"}),
        children=2,
    ),
    Scenario(
        id="family-kronofogden-without-contact-home-visit-at-once",
        household=FAMILY,
        steps=(NoticeStep(), KRONOFOGDEN),
        lead="HYRESRADGIVNING",
        assignments=frozenset({("HYRESRADGIVNING", "LEAD"), ("MOTTAGNING_BARN_UNGA", "ASSIGNED")}),
        tasks=frozenset({"SEND_LETTER", "HOME_VISIT", "REPORT_OF_CONCERN"}),
        rules=frozenset({"R2", "R2d"}),
        children=2,
    ),
    Scenario(
        id="individual-70-proceeds-to-eviction",
        household={"tenant_birth": "19560314"},
        steps=(NoticeStep(), KRONOFOGDEN),
        lead="HYRESRADGIVNING",
        assignments=frozenset({("HYRESRADGIVNING", "LEAD"), ("AO_UPPSOKARE", "ASSIGNED")}),
        tasks=frozenset({"SEND_LETTER", "CONTACT_ELDERLY_OUTREACH", "BOSAM_REVIEW"}),
        absent=frozenset({"HANDOVER_ADULT_INTAKE", "HOME_VISIT"}),
        rules=frozenset({"R3", "R3a", "R3c", "R4"}),
    ),
    Scenario(
        id="individual-40-proceeds-to-eviction",
        household={"tenant_birth": "19860314"},
        steps=(NoticeStep(), KRONOFOGDEN),
        lead="MOTTAGNING_VUXNA",
        assignments=frozenset({("MOTTAGNING_VUXNA", "LEAD"), ("HYRESRADGIVNING", "ASSIGNED")}),
        tasks=frozenset({"SEND_LETTER", "HANDOVER_ADULT_INTAKE", "BOSAM_REVIEW"}),
        absent=frozenset({"CONTACT_ELDERLY_OUTREACH", "HOME_VISIT"}),
        rules=frozenset({"R3", "R3a", "R3b", "R4"}),
    ),
    Scenario(
        # Contact after the hand-over does not hand the case back (R3b stays in force).
        id="individual-40-handed-over-then-contact",
        household={"tenant_birth": "19860314"},
        steps=(NoticeStep(), KRONOFOGDEN, ContactStep("2026-11-23")),
        lead="MOTTAGNING_VUXNA",
        assignments=frozenset({("MOTTAGNING_VUXNA", "LEAD"), ("HYRESRADGIVNING", "ASSIGNED")}),
        tasks=frozenset({"HANDOVER_ADULT_INTAKE"}),
        rules=frozenset({"R3b"}),
    ),
    Scenario(
        id="individual-40-contact-before-kronofogden-no-handover",
        household={"tenant_birth": "19860314"},
        steps=(NoticeStep(), ContactStep("2026-11-05"), KRONOFOGDEN),
        lead="HYRESRADGIVNING",
        assignments=frozenset({("HYRESRADGIVNING", "LEAD")}),
        tasks=frozenset({"SEND_LETTER", "BOSAM_REVIEW"}),
        absent=frozenset({"HANDOVER_ADULT_INTAKE", "CONTACT_ELDERLY_OUTREACH"}),
        rules=frozenset({"R3", "R3a"}),
    ),
    Scenario(
        id="training-flat",
        household={"housing_type": "TRAINING_FLAT", "active_units": ("VUXNA",)},
        steps=(NoticeStep(),),
        lead="BOSTAD",
        assignments=frozenset({("BOSTAD", "LEAD"), ("VUXNA", "ASSIGNED"), ("HYRESRADGIVNING", "COPY")}),
        tasks=frozenset({"HOUSING_ROUTINE", "BOSAM_REVIEW"}),
        absent=frozenset({"SEND_LETTER", "HANDOVER_ADULT_INTAKE"}),
        rules=frozenset({"R7", "R4"}),
    ),
    Scenario(
        id="protected-identity-individual",
        household={"protected": True},
        steps=(NoticeStep(),),
        lead="HYRESRADGIVNING",
        assignments=frozenset({("HYRESRADGIVNING", "LEAD")}),
        tasks=frozenset({"SEND_LETTER", "BOSAM_REVIEW"}),
        rules=frozenset({"R3", "R3a"}),
        extra={"protected": True},
    ),
    Scenario(
        id="second-notice-joins",
        household=FAMILY,
        steps=(NoticeStep(), NoticeStep("RENT_ARREARS_TERMINATION", "2026-11-16")),
        lead="HYRESRADGIVNING",
        assignments=frozenset({("HYRESRADGIVNING", "LEAD"), ("MOTTAGNING_BARN_UNGA", "ASSIGNED")}),
        tasks=frozenset({"SEND_LETTER", "PHONE_CONTACT", "NOTIFY_CHILD_INTAKE", "REPORT_OF_CONCERN", "BOSAM_REVIEW"}),
        absent=frozenset({"HOME_VISIT"}),
        children=2,
        extra={"notices": 2},
    ),
    Scenario(
        # 2026-12-18 (Fri) + 10 working days over Christmas, New Year and Epiphany: the window ends
        # Fri 2027-01-08, so the home visit is planned from Mon 2027-01-11 and not on the weekend between.
        # A termination without a recovery period (issue 11: with one, the visit comes before its deadline instead).
        id="family-escalation-by-daily-checks-over-the-holidays",
        household=FAMILY,
        steps=(
            NoticeStep("OTHER_TERMINATION", received="2026-12-18"),
            DailyStep("2027-01-08"), DailyStep("2027-01-10"), DailyStep("2027-01-11"),
        ),
        lead="HYRESRADGIVNING",
        assignments=frozenset({("HYRESRADGIVNING", "LEAD"), ("MOTTAGNING_BARN_UNGA", "ASSIGNED")}),
        tasks=frozenset({"HOME_VISIT"}),
        rules=frozenset({"R2d"}),
        children=2,
        extra={"home_visit_due": "2027-01-18"},
    ),
]


# --- running a scenario ----------------------------------------------------------------


def run_steps(scenario: Scenario, organisation, user) -> Case:
    """Play the steps through the services; returns the case, fresh from the database."""
    case = None
    for step in scenario.steps:
        if isinstance(step, NoticeStep):
            notice = services.notice_register(
                organisation=organisation, user=user,
                notice=notice_data(step.notice_type, received=step.received, served=step.received, eviction_date=step.eviction_date),
                household=household_data(**scenario.household), today=D(step.received),
            )
            assert case is None or notice.case_id == case.pk, "a second notice for the household must join its open case"
            case = notice.case
        elif isinstance(step, ContactStep):
            services.contact_register(
                case=case, user=user, date=D(step.date), channel=step.channel, established=step.established, today=D(step.date),
            )
        elif isinstance(step, DailyStep):
            services.run_daily_checks(today=D(step.date), organisation=organisation)
    case.refresh_from_db()
    return case


def active_roles(case: Case) -> set[tuple[str, str]]:
    return {(a.unit.code, a.role) for a in case.assignments.filter(ended_at__isnull=True).select_related("unit")}


def task_kinds(case: Case) -> Counter:
    return Counter(case.tasks.values_list("kind", flat=True))


def assert_no_duplicates(case: Case) -> None:
    kinds = task_kinds(case)
    duplicated = {k: n for k, n in kinds.items() if n > 1 and k not in REPEATABLE_TASK_KINDS}
    assert not duplicated, f"duplicate tasks: {duplicated}"
    units = Counter(case.assignments.filter(ended_at__isnull=True).values_list("unit__code", flat=True))
    assert all(n == 1 for n in units.values()), units


def rules_fired(case: Case) -> set[str]:
    return {rule for decision in case.decisions.all() for rule in decision.rules_fired}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_scenario(scenario, organisation, personas):
    case = run_steps(scenario, organisation, personas["hyresradgivare"])

    assert case.lead_unit.code == scenario.lead
    assert active_roles(case) == set(scenario.assignments)
    kinds = set(task_kinds(case))
    assert scenario.tasks <= kinds, f"missing {scenario.tasks - kinds}"
    assert not (scenario.absent & kinds), f"unexpected {scenario.absent & kinds}"
    assert scenario.rules <= rules_fired(case)
    assert case.children_count == scenario.children
    assert case.plan_version and case.explanation
    assert Case.objects.filter(household=case.household).count() == 1
    assert_no_duplicates(case)
    if "notices" in scenario.extra:
        assert case.notices.count() == scenario.extra["notices"]
    if "protected" in scenario.extra:
        assert Person.objects.get(household=case.household, role="TENANT").protected_identity is True
    if "home_visit_due" in scenario.extra:
        visit = case.tasks.get(kind="HOME_VISIT")
        assert visit.due_date == D(scenario.extra["home_visit_due"])
        assert visit.rules == ["R2d"]


# --- the escalation day, precisely --------------------------------------------------------


def test_home_visit_created_on_the_first_working_day_after_the_window_and_not_before(organisation, personas):
    received = D("2026-12-18")
    notice = services.notice_register(
        organisation=organisation, user=personas["hyresradgivare"],
        # No recovery period: the contact window alone decides (issue 11 tests the deadline's own escalation).
        notice=notice_data("OTHER_TERMINATION", received="2026-12-18", served="2026-12-18"),
        household=household_data(children=("2015-09-16",)),
        today=received,
    )
    case = notice.case
    escalation = D("2027-01-11")
    # The calendar this relies on: the window crosses Julafton, Juldagen, Nyårsafton, Nyårsdagen and Trettondedag jul.
    assert add_working_days(received, 10) == D("2027-01-08")
    assert not any(is_working_day(D(day)) for day in ("2026-12-24", "2026-12-25", "2026-12-31", "2027-01-01", "2027-01-06"))

    for day in ("2026-12-31", "2027-01-07", "2027-01-08", "2027-01-09", "2027-01-10"):
        services.run_daily_checks(today=D(day), organisation=organisation)
        assert not case.tasks.filter(kind="HOME_VISIT").exists(), f"home visit too early, on {day}"
    case.refresh_from_db()
    assert any("2027-01-08" in sentence and "R2d" in sentence for sentence in map(routing.swedish_sentence, case.explanation))

    summary = services.run_daily_checks(today=escalation, organisation=organisation)
    assert summary["changed"] == 1
    visit = case.tasks.get(kind="HOME_VISIT")
    assert visit.status == TaskStatus.OPEN
    assert visit.unit.code == "HYRESRADGIVNING"
    assert visit.due_date == add_working_days(escalation, 5) == D("2027-01-18")


def test_escalation_date_matches_routing(organisation, personas):
    """The service's input gives routing the received date when no letter has been sent."""
    notice = services.notice_register(
        organisation=organisation, user=personas["hyresradgivare"], notice=notice_data(received="2026-12-18", served=None),
        household=household_data(children=("2015-09-16",)), today=D("2026-12-18"),
    )
    inp = services.decision_input_for(notice.case, today=D("2026-12-18"), next_meeting=None)
    assert inp.letter_sent_date is None and inp.first_received_date == D("2026-12-18")
    from cases.rules.routing import PlanConfig

    assert contact_escalation_date(inp, PlanConfig()) == D("2027-01-11")


def test_contact_before_the_window_ends_prevents_the_home_visit(organisation, personas):
    user = personas["hyresradgivare"]
    notice = services.notice_register(
        organisation=organisation, user=user, notice=notice_data(received="2026-12-18", served="2026-12-18"),
        household=household_data(children=("2015-09-16",)), today=D("2026-12-18"),
    )
    services.contact_register(case=notice.case, user=user, date=D("2027-01-08"), channel="PHONE", established=True, today=D("2027-01-08"))
    services.run_daily_checks(today=D("2027-01-11"), organisation=organisation)
    assert not notice.case.tasks.filter(kind="HOME_VISIT").exists()


def test_contact_not_established_does_not_stop_the_escalation(organisation, personas):
    user = personas["hyresradgivare"]
    notice = services.notice_register(
        organisation=organisation, user=user, notice=notice_data(received="2026-12-18", served="2026-12-18"),
        household=household_data(children=("2015-09-16",)), today=D("2026-12-18"),
    )
    services.contact_register(case=notice.case, user=user, date=D("2027-01-05"), channel="LETTER", established=False, today=D("2027-01-05"))
    services.run_daily_checks(today=D("2027-01-11"), organisation=organisation)
    assert notice.case.tasks.filter(kind="HOME_VISIT", status=TaskStatus.OPEN).exists()


def test_established_contact_cancels_an_open_home_visit(organisation, personas):
    user = personas["hyresradgivare"]
    notice = services.notice_register(
        organisation=organisation, user=user, notice=notice_data(received="2026-12-18", served="2026-12-18"),
        household=household_data(children=("2015-09-16",)), today=D("2026-12-18"),
    )
    services.run_daily_checks(today=D("2027-01-11"), organisation=organisation)
    services.contact_register(case=notice.case, user=user, date=D("2027-01-12"), channel="VISIT", established=True, today=D("2027-01-12"))
    assert notice.case.tasks.get(kind="HOME_VISIT").status == TaskStatus.CANCELLED


# --- idempotency -------------------------------------------------------------------------------


def counts(case: Case) -> tuple[int, int, int]:
    return (
        Task.objects.filter(case=case).count(),
        Assignment.objects.filter(case=case).count(),
        RoutingDecision.objects.filter(case=case).count(),
    )


def test_daily_checks_twice_change_nothing_the_second_time(organisation, personas):
    notice = services.notice_register(
        organisation=organisation, user=personas["hyresradgivare"], notice=notice_data(received="2026-12-18", served="2026-12-18"),
        household=household_data(children=("2015-09-16",)), today=D("2026-12-18"),
    )
    first = services.run_daily_checks(today=D("2027-01-11"), organisation=organisation)
    after_first = counts(notice.case)
    deviations = Deviation.objects.count()
    second = services.run_daily_checks(today=D("2027-01-11"), organisation=organisation)

    assert first["changed"] == 1 and first["evaluated"] == 1
    assert second == {"evaluated": 1, "changed": 0, "deviations": 0}
    assert counts(notice.case) == after_first
    assert Deviation.objects.count() == deviations


def test_the_same_notice_evaluated_twice_duplicates_nothing(organisation, personas):
    notice = services.notice_register(
        organisation=organisation, user=personas["hyresradgivare"],
        notice=notice_data(received="2026-11-02"), household=household_data(tenant_birth="19860314"), today=D("2026-11-02"),
    )
    kronofogden = services.notice_register(
        organisation=organisation, user=personas["hyresradgivare"], notice=notice_data("EVICTION_APPLICATION", received="2026-11-20"),
        household=household_data(tenant_birth="19860314"), today=D("2026-11-20"),
    )
    case = kronofogden.case
    tasks, assignments, _decisions = counts(case)

    for _ in range(2):
        services.case_reevaluate(case, trigger=RoutingDecision.Trigger.NOTICE, today=D("2026-11-20"), notice=kronofogden)
    assert counts(case)[:2] == (tasks, assignments)
    assert_no_duplicates(case)

    # A re-evaluation that changes nothing records no decision (the daily path).
    decisions = counts(case)[2]
    assert services.case_reevaluate(case, trigger=RoutingDecision.Trigger.DAILY, today=D("2026-11-20")) is None
    assert counts(case)[2] == decisions
    case.refresh_from_db()
    assert case.lead_unit.code == "MOTTAGNING_VUXNA"
    assert notice.case_id == case.pk


def test_automatic_deviations_are_raised_once(organisation, personas):
    notice = services.notice_register(
        organisation=organisation, user=personas["hyresradgivare"],
        notice=notice_data("EVICTION_DATE", received="2026-11-02", eviction_date="2026-11-30"),
        household=household_data(tenant_birth="19860314"), today=D("2026-11-02"),
    )
    case = notice.case
    first = services.run_daily_checks(today=D("2026-12-01"), organisation=organisation)
    raised = Deviation.objects.filter(case=case)
    kinds = Counter(raised.values_list("kind", flat=True))
    # Every mandatory task is overdue (one deviation each) and the eviction date passed without contact.
    overdue = case.tasks.filter(status=TaskStatus.OPEN, due_date__lt=D("2026-12-01")).count()
    assert overdue >= 2
    assert kinds == {DeviationKind.TASK_OVERDUE: overdue, DeviationKind.EVICTION_WITHOUT_CONTACT: 1}
    assert first["deviations"] == overdue + 1

    second = services.run_daily_checks(today=D("2026-12-02"), organisation=organisation)
    assert second["deviations"] == 0
    assert Deviation.objects.filter(case=case).count() == overdue + 1


def test_daily_checks_leave_closed_cases_and_other_organisations_alone(organisation, other_organisation, personas, make_user):
    user = personas["hyresradgivare"]
    mine = services.notice_register(
        organisation=organisation, user=user, notice=notice_data(received="2026-12-18"),
        household=household_data(children=("2015-09-16",)), today=D("2026-12-18"),
    )
    other_user = make_user("skarholmen", "hyresradgivare", "HYRESRADGIVNING", org=other_organisation)
    theirs = services.notice_register(
        organisation=other_organisation, user=other_user, notice=notice_data(received="2026-12-18"),
        household=household_data(children=("2015-09-16",)), today=D("2026-12-18"),
    )
    summary = services.run_daily_checks(today=D("2027-01-11"), organisation=organisation)
    assert summary["evaluated"] == 1
    assert mine.case.tasks.filter(kind="HOME_VISIT").exists()
    assert not theirs.case.tasks.filter(kind="HOME_VISIT").exists()
    assert Notice.objects.count() == 2


def test_a_lead_overridden_by_hand_stays_through_re_evaluation(organisation, personas, units):
    """R8: the plan adds units after a manual hand-over but does not take the lead back (nor its denormalised copy)."""
    user = personas["hyresradgivare"]
    case = services.notice_register(
        organisation=organisation, user=user, notice=notice_data(received="2026-11-02"), household=household_data(), today=D("2026-11-02"),
    ).case
    services.assignment_change(case=case, user=user, unit=units["MOTTAGNING_VUXNA"], role="LEAD", reason="Känd hos vuxna.")
    assert Deviation.objects.filter(case=case, kind=DeviationKind.ROUTING_OVERRIDE).count() == 1

    services.run_daily_checks(today=D("2026-11-30"), organisation=organisation)
    services.notice_register(
        organisation=organisation, user=user, notice=notice_data("EVICTION_APPLICATION", received="2026-12-01"), household=household_data(),
        today=D("2026-12-01"),
    )
    case.refresh_from_db()
    assert case.lead_unit.code == "MOTTAGNING_VUXNA"
    assert ("MOTTAGNING_VUXNA", "LEAD") in active_roles(case)
    assert_no_duplicates(case)
