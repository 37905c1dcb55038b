"""Writes on cases: registering notices, re-evaluating the plan, tasks, contacts.

Views, the API, imports and Celery tasks all call these functions; none of them
writes case data on its own. The rules themselves are in routing.py (pure);
this module turns the database into a DecisionInput and the Decision back into
assignments and tasks, idempotently: evaluating the same state twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from organisation.models import Organisation, Unit

from . import routing
from .audit import audit_log
from .deadlines import case_dates, is_urgent
from .models import (
    Assignment,
    AssignmentRole,
    AuditAction,
    Case,
    CaseNumberSequence,
    CaseStatus,
    Consent,
    Contact,
    Deviation,
    DeviationKind,
    Household,
    Landlord,
    MemberRole,
    Notice,
    NoticeType,
    PaymentCommitment,
    Person,
    PlanConfiguration,
    RoutingDecision,
    Task,
    TaskKind,
    TaskStatus,
)
from .workdays import add_working_days

# Escalations that an established contact makes unnecessary (R2d, R3b, R3c).
ESCALATION_TASK_KINDS = (TaskKind.HOME_VISIT, TaskKind.HANDOVER_ADULT_INTAKE, TaskKind.CONTACT_ELDERLY_OUTREACH)


class ConcurrentChange(Exception):
    """Someone else saved the case after the user loaded it (optimistic locking)."""


# --- input data (built by forms, the API and imports) ---------------------------


@dataclass
class MemberData:
    name: str
    role: str
    personal_identity_number: str = ""  # normalised, 12 digits, or ""
    birth_date: dt.date | None = None
    protected_identity: bool = False
    child_residence: str = ""


@dataclass
class ActiveUnitData:
    unit_code: str
    case_worker_id: int | None = None


@dataclass
class HouseholdData:
    street_address: str
    members: list[MemberData]
    apartment_number: str = ""
    postal_code: str = ""
    city: str = ""
    area: str = ""
    housing_type: str = "ORDINARY"
    rooms: int | None = None
    phone: str = ""
    other_residents: str = ""
    active_units: list[ActiveUnitData] = field(default_factory=list)


@dataclass
class LandlordData:
    name: str
    org_number: str  # normalised NNNNNN-NNNN
    reference: str = ""
    contact_name: str = ""
    phone: str = ""
    email: str = ""


@dataclass
class NoticeData:
    notice_type: str
    received_date: dt.date
    sender_kind: str = "LANDLORD"
    landlord: LandlordData | None = None
    agent: str = ""
    kronofogden_reference: str = ""
    channel: str = "POST"
    document_date: dt.date | None = None
    served_date: dt.date | None = None
    termination_date: dt.date | None = None
    eviction_date: dt.date | None = None
    eviction_time: dt.time | None = None
    reply_deadline: dt.date | None = None
    debt_amount: Decimal | None = None
    debt_months: int | None = None
    recovery_amount: Decimal | None = None
    monthly_rent: Decimal | None = None
    warning_date: dt.date | None = None
    description: str = ""
    ground: str = ""  # NoticeGround, on EVICTION_APPLICATION / EVICTION_DATE
    sent_date: dt.date | None = None  # the landlord's dispatch date (start of the recovery period, reading SENT)


# --- lookups -------------------------------------------------------------------


def plan_config_for(organisation: Organisation) -> routing.PlanConfig:
    active = PlanConfiguration.objects.filter(organisation=organisation, is_active=True).first()
    return active.as_plan_config() if active else routing.PlanConfig()


def next_meeting_date(organisation: Organisation, today: dt.date) -> dt.date | None:
    # BOSAM answers this through its selector; imported here so cases/ does not need bosam/ to load.
    from bosam.selectors import next_meeting_date as bosam_next_meeting_date

    return bosam_next_meeting_date(organisation, today)


def open_case_for_identity_numbers(organisation: Organisation, numbers: list[str]) -> Case | None:
    """The open case of a household where a tenant has one of these personnummer."""
    numbers = [n for n in numbers if n]
    if not numbers:
        return None
    return (
        Case.objects.filter(
            organisation=organisation,
            status=CaseStatus.OPEN,
            household__members__personal_identity_number__in=numbers,
            household__members__role__in=[MemberRole.TENANT, MemberRole.CO_TENANT],
        )
        .select_related("household")
        .first()
    )


def earlier_household_for_identity_numbers(organisation: Organisation, numbers: list[str]) -> Household | None:
    """The household of the latest closed case where a tenant has one of these personnummer:
    a new notice opens a new case for the same household, so its history stays (issue 11)."""
    numbers = [n for n in numbers if n]
    if not numbers:
        return None
    case = (
        Case.objects.filter(
            organisation=organisation,
            household__members__personal_identity_number__in=numbers,
            household__members__role__in=[MemberRole.TENANT, MemberRole.CO_TENANT],
        )
        .exclude(household__cases__status=CaseStatus.OPEN)
        .select_related("household")
        .order_by("-opened_at", "-id")
        .first()
    )
    return case.household if case else None


# --- registering a notice ------------------------------------------------------


def _next_case_number(organisation: Organisation, year: int) -> str:
    CaseNumberSequence.objects.get_or_create(organisation=organisation, year=year)
    sequence = CaseNumberSequence.objects.select_for_update().get(organisation=organisation, year=year)
    sequence.last = F("last") + 1
    sequence.save(update_fields=["last"])
    sequence.refresh_from_db(fields=["last"])
    return f"{year}-{sequence.last:04d}"


def _landlord_get_or_create(organisation: Organisation, data: LandlordData) -> Landlord:
    landlord, created = Landlord.objects.get_or_create(
        organisation=organisation,
        org_number=data.org_number,
        defaults={"name": data.name, "contact_name": data.contact_name, "phone": data.phone, "email": data.email},
    )
    return landlord


def _units_by_code(organisation: Organisation) -> dict[str, Unit]:
    return {u.code: u for u in Unit.objects.filter(organisation=organisation)}


def _household_create(organisation: Organisation, data: HouseholdData) -> Household:
    household = Household.objects.create(
        organisation=organisation,
        street_address=data.street_address,
        apartment_number=data.apartment_number,
        postal_code=data.postal_code,
        city=data.city,
        area=data.area,
        housing_type=data.housing_type,
        rooms=data.rooms,
        phone=data.phone,
        other_residents=data.other_residents,
    )
    for member in data.members:
        _person_create(household, member)
    return household


def _person_create(household: Household, member: MemberData) -> Person:
    return Person.objects.create(
        household=household,
        name=member.name,
        role=member.role,
        personal_identity_number=member.personal_identity_number,
        birth_date=member.birth_date,
        protected_identity=member.protected_identity,
        child_residence=member.child_residence if member.role == MemberRole.CHILD else "",
    )


def _household_update(household: Household, data: HouseholdData) -> None:
    """A later notice may bring a phone number or members the first one lacked."""
    changed = []
    for name in ("phone", "apartment_number", "postal_code", "city", "area", "other_residents"):
        value = getattr(data, name)
        if value and not getattr(household, name):
            setattr(household, name, value)
            changed.append(name)
    # A later notice (often from Kronofogden) may not know the contract type: only a
    # special housing type is news, "ordinary" never overwrites what is known.
    if data.housing_type and data.housing_type != "ORDINARY" and data.housing_type != household.housing_type:
        household.housing_type = data.housing_type
        changed.append("housing_type")
    if changed:
        household.save(update_fields=changed)
    existing = list(household.members.all())
    known_numbers = {p.personal_identity_number for p in existing if p.personal_identity_number}
    known_names = {p.name.casefold() for p in existing}
    for member in data.members:
        if member.personal_identity_number and member.personal_identity_number in known_numbers:
            continue
        if not member.personal_identity_number and member.name.casefold() in known_names:
            continue
        _person_create(household, member)


def _involvements_add(household: Household, active_units: list[ActiveUnitData], units: dict[str, Unit], today: dt.date) -> None:
    open_units = set(household.involvements.filter(ended__isnull=True).values_list("unit__code", flat=True))
    for entry in active_units:
        if entry.unit_code in open_units or entry.unit_code not in units:
            continue
        household.involvements.create(unit=units[entry.unit_code], case_worker_id=entry.case_worker_id, started=today)
        open_units.add(entry.unit_code)


@transaction.atomic
def notice_register(
    *,
    organisation: Organisation,
    user,
    notice: NoticeData,
    household: HouseholdData,
    join_case: Case | None = None,
    attachment=None,
    request=None,
    today: dt.date | None = None,
) -> Notice:
    """Register a notice: household and persons, the case (new or joined), the
    routing decision with its assignments and tasks — all or nothing.

    The notice joins `join_case` when the user chose it, or else the open case of
    a household where a tenant has the same personnummer (one open case per household)."""
    today = today or timezone.localdate()
    units = _units_by_code(organisation)
    case = join_case
    if case is None:
        tenant_numbers = [m.personal_identity_number for m in household.members if m.role in (MemberRole.TENANT, MemberRole.CO_TENANT)]
        case = open_case_for_identity_numbers(organisation, tenant_numbers)
    if case is not None:
        case = Case.objects.select_for_update().get(pk=case.pk, organisation=organisation, status=CaseStatus.OPEN)
        household_obj = case.household
        _household_update(household_obj, household)
    else:
        tenant_numbers = [m.personal_identity_number for m in household.members if m.role in (MemberRole.TENANT, MemberRole.CO_TENANT)]
        household_obj = earlier_household_for_identity_numbers(organisation, tenant_numbers)
        if household_obj is not None:
            _household_update(household_obj, household)
        else:
            household_obj = _household_create(organisation, household)
        case = Case.objects.create(
            organisation=organisation,
            household=household_obj,
            number=_next_case_number(organisation, notice.received_date.year if notice.received_date else today.year),
        )
    _involvements_add(household_obj, household.active_units, units, today)

    landlord = _landlord_get_or_create(organisation, notice.landlord) if notice.landlord else None
    notice_obj = Notice.objects.create(
        case=case,
        notice_type=notice.notice_type,
        sender_kind=notice.sender_kind,
        landlord=landlord,
        agent=notice.agent,
        landlord_reference=notice.landlord.reference if notice.landlord else "",
        kronofogden_reference=notice.kronofogden_reference,
        channel=notice.channel,
        document_date=notice.document_date,
        received_date=notice.received_date,
        served_date=notice.served_date,
        termination_date=notice.termination_date,
        eviction_date=notice.eviction_date,
        eviction_time=notice.eviction_time,
        reply_deadline=notice.reply_deadline,
        debt_amount=notice.debt_amount,
        debt_months=notice.debt_months,
        recovery_amount=notice.recovery_amount,
        monthly_rent=notice.monthly_rent,
        warning_date=notice.warning_date,
        ground=notice.ground,
        sent_date=notice.sent_date,
        description=notice.description,
        registered_by=user if getattr(user, "is_authenticated", False) else None,
    )
    case_reevaluate(case, trigger=RoutingDecision.Trigger.NOTICE, today=today, notice=notice_obj)
    case.refresh_from_db()
    audit_log(
        user=user, action=AuditAction.NOTICE_REGISTER, case=case, request=request, detail=notice.notice_type, without_assignment=False
    )
    # The scan is written last: a failure earlier in the transaction leaves no stray file behind.
    if attachment is not None:
        notice_obj.attachment.save(f"underrattelse-{notice_obj.pk}.pdf", attachment, save=True)
    return notice_obj


# --- evaluating the plan -------------------------------------------------------


def decision_input_for(
    case: Case, *, today: dt.date, next_meeting: dt.date | None, config: routing.PlanConfig | None = None
) -> routing.DecisionInput:
    config = config or plan_config_for(case.organisation)
    notices = list(case.notices.order_by("received_date", "id"))
    latest = notices[-1]
    dates = case_dates(notices, recovery_period_start=config.recovery_period_start)
    members = tuple(
        routing.Member(role=p.role, age=p.age_on(latest.received_date), residence=p.child_residence) for p in case.household.members.all()
    )
    active_units = tuple(
        routing.ActiveUnit(unit=i.unit.code, user_id=i.case_worker_id)
        for i in case.household.involvements.filter(ended__isnull=True).select_related("unit").order_by("id")
    )
    letter = case.tasks.filter(kind=TaskKind.SEND_LETTER, status=TaskStatus.DONE).order_by("completed_at").first()
    return routing.DecisionInput(
        notice_type=latest.notice_type,
        notice_types_on_case=tuple(n.notice_type for n in notices),
        received_date=latest.received_date,
        first_received_date=notices[0].received_date,
        members=members,
        active_units=active_units,
        housing_type=case.household.housing_type,
        phone_known=bool(case.household.phone),
        contact_established=case.contact_established_on is not None,
        letter_sent_date=timezone.localdate(letter.completed_at) if letter else None,
        today=today,
        next_meeting_date=next_meeting,
        escalations_done=tuple(case.tasks.filter(kind__in=ESCALATION_TASK_KINDS).values_list("kind", flat=True)),
        recovery_deadline=dates.recovery_deadline,
        eviction_date=dates.eviction_date,
        reply_deadline=dates.reply_deadline,
    )


def _reconcile_assignments(case: Case, decision: routing.Decision, units: dict[str, Unit], record: RoutingDecision, now) -> list[str]:
    changes = []
    active = {a.unit.code: a for a in case.assignments.filter(ended_at__isnull=True).select_related("unit")}
    manual_lead = any(a.role == AssignmentRole.LEAD and a.is_manual for a in active.values())
    planned = {p.unit: p for p in decision.assignments if p.unit in units}
    if manual_lead:
        # A person overrode the plan's lead (R8); the plan adds units but does not take the lead back.
        planned = {
            code: p if p.role != AssignmentRole.LEAD else routing.PlannedAssignment(p.unit, AssignmentRole.ASSIGNED, p.user_id, p.rules)
            for code, p in planned.items()
        }

    new_lead = next((p.unit for p in planned.values() if p.role == AssignmentRole.LEAD), None)
    # Two phases, so that the one-lead constraint holds throughout: end every
    # assignment whose role changes (the old lead steps down), then create.
    to_create = []
    for code, current in list(active.items()):
        plan = planned.get(code)
        if plan is not None:
            wanted = plan.role
        elif current.role == AssignmentRole.LEAD and new_lead:
            wanted = AssignmentRole.ASSIGNED
        else:
            wanted = current.role
        if wanted == current.role or current.is_manual:
            continue
        current.ended_at = now
        current.end_reason = _("Ny roll enligt planen: %(role)s") % {"role": AssignmentRole(wanted).label}
        current.save(update_fields=["ended_at", "end_reason"])
        del active[code]
        changes.append(f"END {code} {current.role}")
        rules = list(plan.rules) if plan else current.rules
        to_create.append((current.unit, plan.user_id if plan and plan.user_id else current.user_id, wanted, rules))
    for code, plan in planned.items():
        if code not in active and not any(unit.code == code for unit, *_rest in to_create):
            to_create.append((units[code], plan.user_id, plan.role, list(plan.rules)))
    for unit, user_id, role, rules in to_create:
        Assignment.objects.create(
            case=case,
            unit=unit,
            user_id=user_id,
            role=role,
            rules=rules,
            plan_version=decision.plan_version,
            decision=record,
            created_at=now,
        )
        changes.append(f"ASSIGN {unit.code} {role}")
    return changes


# Tasks whose due date follows a date that can move (the next meeting, the eviction
# date, the reply deadline): an open one is kept in line with the plan, so a
# cancelled meeting or a postponed eviction leaves no false "overdue" (issue 11).
FOLLOWING_TASK_KINDS = (TaskKind.BOSAM_REVIEW, TaskKind.ATTEND_EVICTION, TaskKind.EVICTION_OUTCOME)


def _reconcile_tasks(
    case: Case, decision: routing.Decision, units: dict[str, Unit], record: RoutingDecision, now, inp: routing.DecisionInput | None = None
) -> list[str]:
    changes = []
    planned = {p.kind: p for p in decision.tasks}
    existing_kinds = set(case.tasks.exclude(kind__in=routing.EVICTION_BOUND).values_list("kind", flat=True))
    # A task bound to an eviction date belongs to that date: an open one moves with it (below), one done or
    # cancelled for an earlier date does not stop a new date (after a postponement) from planning it again.
    for kind in routing.EVICTION_BOUND:
        bound = case.tasks.filter(kind=kind)
        if kind not in planned or bound.filter(status=TaskStatus.OPEN).exists() or bound.exclude(
            status=TaskStatus.CANCELLED
        ).filter(due_date__gte=planned[kind].due_date).exists():
            if bound.exists():
                existing_kinds.add(kind)
    assignee_by_unit = {
        a.unit.code: a.user_id for a in case.assignments.filter(ended_at__isnull=True, user__isnull=False).select_related("unit")
    }
    for plan in decision.tasks:
        if plan.kind in existing_kinds or plan.unit not in units:
            continue
        Task.objects.create(
            case=case,
            kind=plan.kind,
            unit=units[plan.unit],
            assignee_id=assignee_by_unit.get(plan.unit),
            due_date=plan.due_date,
            rules=list(plan.rules),
            plan_version=decision.plan_version,
            decision=record,
            created_at=now,
        )
        existing_kinds.add(plan.kind)
        changes.append(f"TASK {plan.kind}")
    for task in case.tasks.filter(status=TaskStatus.OPEN, decision__isnull=False).exclude(decision=record):
        due = task.due_date
        if task.kind in FOLLOWING_TASK_KINDS and task.kind in planned:
            # Moves with its date, but a move never makes a task overdue by itself.
            if inp is None or planned[task.kind].due_date >= inp.today:
                due = planned[task.kind].due_date
        elif inp is not None:
            # An eviction date or deadline learnt later caps tasks planned before it.
            due = routing.capped(due, routing.due_cap(task.kind, inp), min(due, inp.today))
        if due != task.due_date:
            changes.append(f"DUE {task.kind} {task.due_date.isoformat()} -> {due.isoformat()}")
            task.due_date = due
            task.save(update_fields=["due_date"])
    if inp is not None and inp.eviction_date is None:
        gone = case.tasks.filter(kind__in=routing.EVICTION_BOUND, status=TaskStatus.OPEN).update(
            status=TaskStatus.CANCELLED, completed_at=now, completion_note=_("Avhysningen är återkallad eller inställd.")
        )
        if gone:
            changes.append("CANCEL EVICTION TASKS")
    if case.contact_established_on is not None:
        cancelled = case.tasks.filter(kind__in=[TaskKind.HOME_VISIT], status=TaskStatus.OPEN).update(
            status=TaskStatus.CANCELLED, completed_at=now, completion_note=_("Kontakt etablerad, hembesöket behövs inte (R2d).")
        )
        if cancelled:
            changes.append("CANCEL HOME_VISIT")
    return changes


def _case_facts_refresh(
    case: Case, decision: routing.Decision, *, today: dt.date, next_meeting: dt.date | None, units_by_id,
    config: routing.PlanConfig | None = None,
) -> None:
    config = config or routing.PlanConfig()
    notices = list(case.notices.all())
    dates = case_dates(notices, recovery_period_start=config.recovery_period_start)
    flags = []
    if dates.served_date_missing:
        flags.append("SERVED_DATE_MISSING")
    types = [n.notice_type for n in notices]
    # Earlier cases of the same household count: a warning there is a warning (JB 12:42 3 st.).
    household_types = set(
        Notice.objects.filter(case__household_id=case.household_id).values_list("notice_type", flat=True)
    )
    if NoticeType.DISTURBANCE_TERMINATION in types and NoticeType.DISTURBANCE_WARNING not in household_types:
        flags.append("DISTURBANCE_WITHOUT_WARNING")
    if payment_decision_missing(case, dates.recovery_deadline, today=today, config=config):
        flags.append("PAYMENT_DECISION_MISSING")
    latest = max(notices, key=lambda n: (n.received_date, n.id))
    debts = [n for n in notices if n.debt_amount is not None]
    # The active LEAD assignment, not the plan's: a lead overridden by hand (R8) stays the case's lead.
    lead = case.assignments.filter(ended_at__isnull=True, role=AssignmentRole.LEAD).select_related("unit").first()
    case.lead_unit = lead.unit if lead else None
    case.recovery_deadline = dates.recovery_deadline
    case.recovery_deadline_basis = dates.recovery_deadline_basis
    case.recovery_deadline_other = dates.recovery_deadline_other
    case.reply_deadline = dates.reply_deadline
    case.eviction_date = dates.eviction_date
    case.children_count = routing.number_of_children(decision_members(case, latest.received_date))
    case.debt_amount = max(debts, key=lambda n: (n.received_date, n.id)).debt_amount if debts else None
    case.latest_notice_type = latest.notice_type
    case.plan_version = decision.plan_version
    case.explanation = list(decision.explanation)
    case.flags = flags
    open_dues = case.tasks.filter(status=TaskStatus.OPEN).order_by("due_date").values_list("due_date", flat=True)[:1]
    case.next_due_date = open_dues[0] if open_dues else None
    case.urgent = "PAYMENT_DECISION_MISSING" in flags or is_urgent(
        today=today,
        recovery_deadline=dates.recovery_deadline,
        eviction_date=dates.eviction_date,
        reply_deadline=dates.reply_deadline,
        next_meeting_date=next_meeting,
        within_working_days=config.urgency_fallback_days,
    )


def payment_decision_missing(case: Case, deadline: dt.date | None, *, today: dt.date, config: routing.PlanConfig) -> bool:
    """An application for ekonomiskt bistånd (for a payment commitment) without a decision
    N working days before the recovery deadline, the deadline not yet passed: urgent for
    Ekonomiskt bistånd. (Without an application the deadline's own urgency applies.)"""
    if deadline is None or today > deadline:
        return False
    if today < add_working_days(deadline, -config.payment_decision_working_days):
        return False
    commitment = PaymentCommitment.objects.filter(case=case).first()
    return commitment is not None and commitment.application_received_on is not None and not commitment.decision


def decision_members(case: Case, on_date: dt.date) -> tuple[routing.Member, ...]:
    return tuple(routing.Member(role=p.role, age=p.age_on(on_date), residence=p.child_residence) for p in case.household.members.all())


def _case_facts(case: Case) -> tuple:
    """The denormalised facts a re-evaluation may change (to tell whether a daily check changed anything)."""
    return (case.lead_unit_id, case.urgent, case.recovery_deadline, case.eviction_date, case.next_due_date,
            case.children_count, case.explanation, case.reply_deadline, case.recovery_deadline_basis,
            case.recovery_deadline_other, case.flags)


def case_reevaluate(case: Case, *, trigger: str, today: dt.date | None = None, notice: Notice | None = None) -> RoutingDecision | None:
    """Run the plan on the case as it is now and bring assignments and tasks in line.

    Returns the recorded decision, or None when a daily check found nothing new
    (so that running the checks twice records nothing twice)."""
    today = today or timezone.localdate()
    if case.status != CaseStatus.OPEN or not case.notices.exists():
        return None
    with transaction.atomic():
        case = Case.objects.select_for_update().select_related("household", "organisation").get(pk=case.pk)
        config = plan_config_for(case.organisation)
        meeting = next_meeting_date(case.organisation, today)
        inp = decision_input_for(case, today=today, next_meeting=meeting, config=config)
        decision = routing.decide(inp, config)
        # Urgency looks at the next meeting that has not yet started: the one held today
        # has its agenda fixed, so a family with an eviction in 9 days cannot wait for it (issue 11).
        urgency_meeting = next_meeting_date(case.organisation, today + dt.timedelta(days=1))
        units = _units_by_code(case.organisation)
        now = timezone.now()
        record = RoutingDecision(
            case=case,
            notice=notice,
            trigger=trigger,
            plan_version=decision.plan_version,
            rules_fired=list(decision.rules_fired),
            explanation=list(decision.explanation),
            created_at=now,
        )
        record.save()
        changes = _reconcile_assignments(case, decision, units, record, now)
        changes += _reconcile_tasks(case, decision, units, record, now, inp)
        before = _case_facts(case)
        _case_facts_refresh(case, decision, today=today, next_meeting=urgency_meeting, units_by_id=units, config=config)
        after = _case_facts(case)
        if trigger == RoutingDecision.Trigger.DAILY and not changes and before == after:
            record.delete()
            return None
        record.changes = changes
        record.save(update_fields=["changes"])
        case.version = F("version") + 1
        case.save()
        case.refresh_from_db(fields=["version"])
        return record


# --- the daily checks (R2d/R3b windows, urgency, automatic deviations) -----------


def run_daily_checks(*, today: dt.date | None = None, organisation: Organisation | None = None) -> dict:
    """What the Celery beat task runs each morning, and `manage.py run_daily_checks`.

    Idempotent: a second run the same day creates nothing."""
    today = today or timezone.localdate()
    cases = Case.objects.filter(status=CaseStatus.OPEN)
    if organisation is not None:
        cases = cases.filter(organisation=organisation)
    evaluated = changed = 0
    for case_id in cases.values_list("pk", flat=True).iterator():
        case = Case.objects.get(pk=case_id)
        evaluated += 1
        if case_reevaluate(case, trigger=RoutingDecision.Trigger.DAILY, today=today) is not None:
            changed += 1
    deviations = raise_automatic_deviations(today=today, organisation=organisation)
    return {"evaluated": evaluated, "changed": changed, "deviations": deviations}


MANDATORY_TASK_KINDS = [k.value for k in TaskKind if k not in (TaskKind.MANUAL, TaskKind.CONSULT_TENANCY_ADVISOR, TaskKind.BOSAM_ACTIVITY)]


def _deviation_once(*, organisation_id, case_id, kind, key, description, today) -> bool:
    try:
        with transaction.atomic():
            Deviation.objects.create(
                organisation_id=organisation_id, case_id=case_id, kind=kind, dedupe_key=key, description=description, occurred_on=today
            )
        return True
    except IntegrityError:
        return False


def raise_automatic_deviations(*, today: dt.date, organisation: Organisation | None = None) -> int:
    """R8: overdue mandatory tasks, eviction dates reached without contact."""
    created = 0
    overdue = Task.objects.filter(status=TaskStatus.OPEN, due_date__lt=today, kind__in=MANDATORY_TASK_KINDS, case__status=CaseStatus.OPEN)
    evictions = Case.objects.filter(status=CaseStatus.OPEN, eviction_date__lte=today, contact_established_on__isnull=True)
    if organisation is not None:
        overdue = overdue.filter(case__organisation=organisation)
        evictions = evictions.filter(organisation=organisation)
    for task in overdue.select_related("case").only("id", "kind", "due_date", "case__id", "case__organisation_id", "case__number"):
        created += _deviation_once(
            organisation_id=task.case.organisation_id,
            case_id=task.case_id,
            kind=DeviationKind.TASK_OVERDUE,
            key=f"task-overdue-{task.pk}",
            description=_("%(task)s skulle vara klar %(date)s.") % {"task": task.get_kind_display(), "date": task.due_date},
            today=today,
        )
    created += _raise_no_report_of_concern(today=today, organisation=organisation)
    for case in evictions.only("id", "organisation_id", "eviction_date"):
        created += _deviation_once(
            organisation_id=case.organisation_id,
            case_id=case.pk,
            kind=DeviationKind.EVICTION_WITHOUT_CONTACT,
            key=f"eviction-without-contact-{case.pk}",
            description=_("Avhysningsdatumet %(date)s nåddes utan etablerad kontakt.") % {"date": case.eviction_date},
            today=today,
        )
    return created


def _raise_no_report_of_concern(*, today: dt.date, organisation: Organisation | None) -> int:
    """R8: a family case whose orosanmälan (R2c) is not done N working days after the first notice."""
    from django.db.models import Min

    cases = (
        Case.objects.filter(status=CaseStatus.OPEN, tasks__kind=TaskKind.REPORT_OF_CONCERN, tasks__status=TaskStatus.OPEN)
        .exclude(tasks__kind=TaskKind.REPORT_OF_CONCERN, tasks__status=TaskStatus.DONE)
        .annotate(first_received=Min("notices__received_date"))
        .select_related("organisation")
        .distinct()
    )
    if organisation is not None:
        cases = cases.filter(organisation=organisation)
    configs: dict[int, routing.PlanConfig] = {}
    created = 0
    for case in cases:
        config = configs.setdefault(case.organisation_id, plan_config_for(case.organisation))
        limit = add_working_days(case.first_received, config.report_of_concern_deviation_working_days)
        if today <= limit:
            continue
        created += _deviation_once(
            organisation_id=case.organisation_id,
            case_id=case.pk,
            kind=DeviationKind.NO_REPORT_OF_CONCERN,
            key=f"no-report-of-concern-{case.pk}",
            description=_("Ingen orosanmälan var gjord %(date)s (familj med barn, R2c).") % {"date": limit},
            today=today,
        )
    return created


# --- actions on a case ------------------------------------------------------------


def _check_version(case: Case, expected_version: int | None) -> None:
    if expected_version is not None and case.version != expected_version:
        raise ConcurrentChange(_("Ärendet har ändrats av någon annan sedan du öppnade det. Ladda om sidan och försök igen."))


def _touch(case: Case) -> None:
    Case.objects.filter(pk=case.pk).update(version=F("version") + 1, updated_at=timezone.now())


@transaction.atomic
def task_complete(
    *, task: Task, user, note: str = "", request=None, expected_version: int | None = None, today: dt.date | None = None
) -> Task:
    case = Case.objects.select_for_update().get(pk=task.case_id)
    _check_version(case, expected_version)
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.status != TaskStatus.OPEN:
        return task
    task.status = TaskStatus.DONE
    task.completed_at = timezone.now()
    task.completed_by = user
    task.completion_note = note
    task.save(update_fields=["status", "completed_at", "completed_by", "completion_note"])
    audit_log(user=user, action=AuditAction.TASK_COMPLETE, case=case, request=request, detail=task.kind)
    _touch(case)
    case_reevaluate(case, trigger=RoutingDecision.Trigger.TASK, today=today)
    return task


@transaction.atomic
def contact_register(
    *,
    case: Case,
    user,
    date: dt.date,
    channel: str,
    established: bool,
    note: str = "",
    request=None,
    expected_version: int | None = None,
    today: dt.date | None = None,
) -> Contact:
    case = Case.objects.select_for_update().get(pk=case.pk)
    _check_version(case, expected_version)
    contact = Contact.objects.create(case=case, date=date, channel=channel, established=established, note=note, created_by=user)
    if established and case.contact_established_on is None:
        Case.objects.filter(pk=case.pk).update(contact_established_on=date)
    audit_log(user=user, action=AuditAction.CONTACT_REGISTER, case=case, request=request, detail=channel)
    _touch(case)
    case.refresh_from_db()
    case_reevaluate(case, trigger=RoutingDecision.Trigger.CONTACT, today=today)
    return contact


@transaction.atomic
def task_create(
    *,
    case: Case,
    user,
    kind: str,
    unit: Unit,
    due_date: dt.date,
    title: str = "",
    assignee=None,
    request=None,
) -> Task:
    task = Task.objects.create(
        case=case,
        kind=kind,
        unit=unit,
        assignee=assignee,
        due_date=due_date,
        title=title,
        created_by=user,
    )
    audit_log(user=user, action=AuditAction.TASK_CREATE, case=case, request=request, detail=kind)
    _touch(case)
    return task


@transaction.atomic
def consult_tenancy_advisor(*, case: Case, user, question: str, request=None, today: dt.date | None = None) -> Task:
    """R1b: the case worker asks the hyresrådgivare for advice."""
    from .workdays import add_working_days

    unit = Unit.objects.get(organisation=case.organisation, code=plan_config_for(case.organisation).tenancy_advisor_unit)
    task = Task.objects.create(
        case=case,
        kind=TaskKind.CONSULT_TENANCY_ADVISOR,
        unit=unit,
        title=question[:300],
        rules=["R1b"],
        due_date=add_working_days(today or timezone.localdate(), 3),
        created_by=user,
    )
    audit_log(user=user, action=AuditAction.TASK_CREATE, case=case, request=request, detail="CONSULT_TENANCY_ADVISOR")
    _touch(case)
    return task


@transaction.atomic
def assignment_change(
    *,
    case: Case,
    user,
    unit: Unit,
    role: str,
    reason: str,
    case_worker=None,
    request=None,
    expected_version: int | None = None,
) -> Assignment:
    """Reassign or add a unit by hand. Overriding the plan's lead records a deviation (R8)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _check_version(case, expected_version)
    now = timezone.now()
    active = list(case.assignments.filter(ended_at__isnull=True).select_related("unit"))
    for existing in active:
        if existing.unit_id == unit.pk or (role == AssignmentRole.LEAD and existing.role == AssignmentRole.LEAD):
            existing.ended_at = now
            existing.end_reason = reason[:300]
            existing.save(update_fields=["ended_at", "end_reason"])
            if existing.role == AssignmentRole.LEAD and existing.unit_id != unit.pk:
                Assignment.objects.create(
                    case=case,
                    unit=existing.unit,
                    user=existing.user,
                    role=AssignmentRole.ASSIGNED,
                    rules=existing.rules,
                    plan_version=existing.plan_version,
                    is_manual=True,
                    reason=reason,
                    created_at=now,
                )
    assignment = Assignment.objects.create(
        case=case,
        unit=unit,
        user=case_worker,
        role=role,
        is_manual=True,
        reason=reason,
        created_at=now,
    )
    if role == AssignmentRole.LEAD:
        Case.objects.filter(pk=case.pk).update(lead_unit=unit)
        Deviation.objects.create(
            organisation=case.organisation,
            case=case,
            kind=DeviationKind.ROUTING_OVERRIDE,
            automatic=True,
            description=_("Ansvaret flyttades manuellt till %(unit)s: %(reason)s") % {"unit": unit.name, "reason": reason},
            created_by=user,
        )
    audit_log(user=user, action=AuditAction.ASSIGNMENT_CHANGE, case=case, request=request, detail=f"{unit.code} {role}")
    _touch(case)
    return assignment


@transaction.atomic
def consent_record(*, case: Case, user, recipient: str, given_on: dt.date, note: str = "", request=None) -> Consent:
    consent = Consent.objects.create(case=case, recipient=recipient, given_on=given_on, note=note, recorded_by=user)
    audit_log(user=user, action=AuditAction.CONSENT_RECORD, case=case, request=request, detail=recipient)
    _touch(case)
    return consent


@transaction.atomic
def case_close(*, case: Case, user, outcome: str, note: str = "", request=None, expected_version: int | None = None) -> Case:
    case = Case.objects.select_for_update().get(pk=case.pk)
    _check_version(case, expected_version)
    now = timezone.now()
    case.tasks.filter(status=TaskStatus.OPEN).update(
        status=TaskStatus.CANCELLED, completed_at=now, completion_note=_("Ärendet avslutades.")
    )
    case.status = CaseStatus.CLOSED
    case.closed_at = now
    case.outcome = outcome
    case.outcome_note = note
    case.urgent = False
    case.next_due_date = None
    case.version = F("version") + 1
    case.save()
    case.refresh_from_db()
    audit_log(user=user, action=AuditAction.CASE_CLOSE, case=case, request=request, detail=outcome)
    return case


@transaction.atomic
def case_reopen(*, case: Case, user, reason: str, request=None, today: dt.date | None = None) -> Case:
    """Reopen a closed case; refused (IntegrityError) if the household has another open case."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    case.status = CaseStatus.OPEN
    case.closed_at = None
    case.outcome = ""
    case.outcome_note = (case.outcome_note + "\n" if case.outcome_note else "") + _("Återöppnat: %(reason)s") % {"reason": reason}
    case.version = F("version") + 1
    case.save()
    case.refresh_from_db()
    audit_log(user=user, action=AuditAction.CASE_REOPEN, case=case, request=request, detail=reason)
    case_reevaluate(case, trigger=RoutingDecision.Trigger.MANUAL, today=today)
    return case


@transaction.atomic
def deviation_record(
    *, organisation: Organisation, user, description: str, case: Case | None = None, occurred_on: dt.date | None = None
) -> Deviation:
    return Deviation.objects.create(
        organisation=organisation,
        case=case,
        kind=DeviationKind.MANUAL,
        automatic=False,
        description=description,
        occurred_on=occurred_on or timezone.localdate(),
        created_by=user,
    )


def deviation_raise_once(
    *,
    organisation: Organisation,
    kind: str,
    key: str,
    description: str,
    case: Case | None = None,
    occurred_on: dt.date | None = None,
) -> bool:
    """An automatic deviation (R8) raised at most once per `key`; for other apps (BOSAM absence). True if new."""
    return _deviation_once(
        organisation_id=organisation.pk,
        case_id=case.pk if case else None,
        kind=kind,
        key=key,
        description=description,
        today=occurred_on or timezone.localdate(),
    )
