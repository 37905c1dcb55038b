"""Evaluating the plan on a case: the decision input, reconciliation of assignments and
tasks, the case facts, and the daily checks. Idempotent: the same state twice changes nothing.
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from organisation.models import Organisation, Unit

from .. import hooks
from ..models import (
    Assignment,
    AssignmentRole,
    Case,
    CaseStatus,
    Notice,
    PaymentCommitment,
    RoutingDecision,
    Task,
    TaskKind,
    TaskStatus,
)
from ..rules import reconcile, routing
from ..rules.case_facts import FLAG_PAYMENT_DECISION_MISSING, NoticeFacts, case_facts, latest_notice
from ..rules.deadlines import case_dates, current_eviction_notice, is_urgent
from ..rules.workdays import add_working_days
from .deviations import close_resolved_deviations, raise_automatic_deviations
from .plan import _units_by_code, next_meeting_date, plan_config_for

ESCALATION_TASK_KINDS = reconcile.ESCALATION_TASK_KINDS


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
    commitment = PaymentCommitment.objects.filter(case=case).first()
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
        payment_application_received_on=commitment.application_received_on if commitment else None,
        payment_decided=bool(commitment and commitment.decision),
    )


def _reconcile_assignments(case: Case, decision: routing.Decision, units: dict[str, Unit], record: RoutingDecision, now) -> list[str]:
    current = {a.unit.code: a for a in case.assignments.filter(ended_at__isnull=True).select_related("unit").order_by("id")}
    active = {
        code: reconcile.ActiveAssignment(code, a.role, a.user_id, tuple(a.rules), a.is_manual) for code, a in current.items()
    }
    result = reconcile.reconcile_assignments(active, decision, units)
    # Ends first, then creates, so that the one-lead constraint holds throughout.
    for code, wanted in result.ended:
        assignment = current[code]
        assignment.ended_at = now
        assignment.end_reason = _("Ny roll enligt planen: %(role)s") % {"role": AssignmentRole(wanted).label}
        assignment.save(update_fields=["ended_at", "end_reason"])
    for new in result.created:
        Assignment.objects.create(
            case=case,
            unit=units[new.unit],
            user_id=new.user_id,
            role=new.role,
            rules=list(new.rules),
            plan_version=decision.plan_version,
            decision=record,
            created_at=now,
        )
    return result.change_lines(active)


# Tasks whose due date follows a date that can move (issue 11); the rule is cases.rules.reconcile.moved_due.
FOLLOWING_TASK_KINDS = reconcile.FOLLOWING_TASK_KINDS


def _reconcile_tasks(
    case: Case, decision: routing.Decision, units: dict[str, Unit], record: RoutingDecision, now, inp: routing.DecisionInput | None = None
) -> list[str]:
    changes = []
    existing_kinds = reconcile.existing_task_kinds(
        decision, (reconcile.ExistingTask(*t) for t in case.tasks.values_list("kind", "status", "due_date"))
    )
    assignee_by_unit = {
        a.unit.code: a.user_id for a in case.assignments.filter(ended_at__isnull=True, user__isnull=False).select_related("unit")
    }
    for plan in reconcile.tasks_to_create(decision, existing_kinds, units):
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
        changes.append(f"TASK {plan.kind}")
    changes += _new_eviction_date_letter(case, decision, units, record, now, inp)
    for task in case.tasks.filter(status=TaskStatus.OPEN, decision__isnull=False).exclude(decision=record):
        due = reconcile.moved_due(task.kind, task.due_date, decision, inp)
        if due != task.due_date:
            changes.append(f"DUE {task.kind} {task.due_date.isoformat()} -> {due.isoformat()}")
            task.due_date = due
            task.save(update_fields=["due_date"])
    if reconcile.eviction_tasks_cancelled(inp):
        gone = case.tasks.filter(kind__in=routing.EVICTION_BOUND, status=TaskStatus.OPEN).update(
            status=TaskStatus.CANCELLED, completed_at=now, completion_note=_("Avhysningen är återkallad eller inställd.")
        )
        if gone:
            changes.append("CANCEL EVICTION TASKS")
    open_kinds = case.tasks.filter(status=TaskStatus.OPEN).values_list("kind", flat=True)
    for kind in reconcile.tasks_to_cancel(case.contact_established_on is not None, open_kinds):
        case.tasks.filter(kind=kind, status=TaskStatus.OPEN).update(
            status=TaskStatus.CANCELLED, completed_at=now, completion_note=_("Kontakt etablerad, hembesöket behövs inte (R2d).")
        )
        changes.append(f"CANCEL {kind}")
    return changes


def _new_eviction_date_letter(
    case: Case, decision: routing.Decision, units: dict[str, Unit], record: RoutingDecision, now, inp: routing.DecisionInput | None
) -> list[str]:
    """A later eviction date (after a postponement, or after the termination's letter) gives a new SEND_LETTER task,
    due counting from that notice (cases.rules.reconcile.new_letter_needed)."""
    planned = next((p for p in decision.tasks if p.kind == TaskKind.SEND_LETTER), None)
    if planned is None or inp is None or planned.unit not in units:
        return []
    notices = list(case.notices.order_by("received_date", "id"))
    eviction = current_eviction_notice(notices)
    letter_tasks = case.tasks.filter(kind=TaskKind.SEND_LETTER).values_list("status", "created_at")
    if eviction is None or not reconcile.new_letter_needed(eviction.registered_at, letter_tasks):
        return []
    config = plan_config_for(case.organisation)
    due = add_working_days(eviction.received_date, config.due_days(TaskKind.SEND_LETTER))
    due = routing.capped(due, routing.due_cap(TaskKind.SEND_LETTER, inp), eviction.received_date)
    Task.objects.create(
        case=case, kind=TaskKind.SEND_LETTER, unit=units[planned.unit], due_date=due, rules=list(planned.rules),
        plan_version=decision.plan_version, decision=record, created_at=now,
    )
    return [f"TASK {TaskKind.SEND_LETTER} {eviction.eviction_date.isoformat()}"]


def _case_facts_refresh(
    case: Case, decision: routing.Decision, *, today: dt.date, next_meeting: dt.date | None, units_by_id,
    config: routing.PlanConfig | None = None,
) -> None:
    config = config or routing.PlanConfig()
    notices = [
        NoticeFacts(
            notice_type=n.notice_type,
            received_date=n.received_date,
            order=n.id,
            served_date=n.served_date,
            eviction_date=n.eviction_date,
            debt_amount=n.debt_amount,
            sent_date=n.sent_date,
            reply_deadline=n.reply_deadline,
            ground=n.ground,
        )
        for n in case.notices.all()
    ]
    latest = latest_notice(notices)
    # Earlier cases of the same household count: a warning there is a warning (JB 12:42 3 st.).
    earlier_types = Notice.objects.filter(case__household_id=case.household_id).exclude(case_id=case.pk).values_list(
        "notice_type", flat=True
    )
    facts = case_facts(
        notices, decision_members(case, latest.received_date),
        recovery_period_start=config.recovery_period_start, earlier_notice_types=set(earlier_types),
    )
    flags = list(facts.flags)
    if payment_decision_missing(case, facts.recovery_deadline, today=today, config=config):
        flags.append(FLAG_PAYMENT_DECISION_MISSING)
    # The active LEAD assignment, not the plan's: a lead overridden by hand (R8) stays the case's lead.
    lead = case.assignments.filter(ended_at__isnull=True, role=AssignmentRole.LEAD).select_related("unit").first()
    case.lead_unit = lead.unit if lead else None
    case.recovery_deadline = facts.recovery_deadline
    case.recovery_deadline_basis = facts.recovery_deadline_basis
    case.recovery_deadline_other = facts.recovery_deadline_other
    case.reply_deadline = facts.reply_deadline
    case.eviction_date = facts.eviction_date
    case.children_count = facts.children_count
    case.debt_amount = facts.debt_amount
    case.latest_notice_type = facts.latest_notice_type
    case.plan_version = decision.plan_version
    case.explanation = routing.explanation_data(decision)
    case.flags = flags
    open_dues = case.tasks.filter(status=TaskStatus.OPEN).order_by("due_date").values_list("due_date", flat=True)[:1]
    case.next_due_date = open_dues[0] if open_dues else None
    case.urgent = FLAG_PAYMENT_DECISION_MISSING in flags or is_urgent(
        today=today,
        recovery_deadline=facts.recovery_deadline,
        eviction_date=facts.eviction_date,
        reply_deadline=facts.reply_deadline,
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
            explanation=routing.explanation_data(decision),
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
        hooks.case_changed(case.pk)  # a new notice or a changed urgency: the prepared BOSAM agendas follow
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
    # After raising: a deviation whose cause went away since (the task done the same day) closes with a note.
    close_resolved_deviations(today=today, organisation=organisation)
    return {"evaluated": evaluated, "changed": changed, "deviations": deviations}
