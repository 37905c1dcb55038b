"""Evaluating the plan on a case: the decision input, reconciliation of assignments and
tasks, the case facts, and the daily checks. Idempotent: the same state twice changes nothing.

One path for one case and for many (issue 16): `_load` reads what the plan needs for a list of
cases in a fixed number of queries, `_evaluate` decides in memory (the rules are pure), `_write`
stores the differences in bulk. `case_reevaluate` runs it on one case, `run_daily_checks` on
every open case of an organisation, batch by batch.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from organisation.models import Organisation, Unit

from .. import hooks, system_sentences
from ..models import (
    ActiveInvolvement,
    Assignment,
    AssignmentRole,
    Case,
    CaseStatus,
    Notice,
    NotificationKind,
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
from .notifications import NotificationBatch, case_work, notify_work, task_work
from .plan import _units_by_code, next_meeting_date, plan_config_for

ESCALATION_TASK_KINDS = reconcile.ESCALATION_TASK_KINDS

# Open cases locked and evaluated together by the daily checks: the queries per batch are fixed.
DAILY_BATCH_SIZE = 500


# --- loading what the plan reads -------------------------------------------------


@dataclass
class CaseData:
    """A case with everything the plan reads of it, loaded once (see `_load`)."""

    case: Case
    notices: list[Notice]  # by received date, id
    members: list
    involvements: list[ActiveInvolvement]  # open ones, by id
    tasks: list[Task]  # all of the case's tasks, by due date, id
    assignments: list[Assignment]  # active ones, by created_at, id
    commitment: PaymentCommitment | None
    earlier_notice_types: set[str] = field(default_factory=set)


def _load(cases: list[Case], *, members: dict[int, list] | None = None) -> list[CaseData]:
    """What the plan needs for these cases (their household loaded), in six queries whatever their number
    (five when the caller gives the households' `members`, by household id, as it has just read them).

    Plain reads grouped in Python, not prefetch_related_objects: for one case (every intake and imported row) the
    prefetch machinery cost more than its three queries (a third of an imported row's time)."""
    from collections import defaultdict

    from ..models import Person

    if not cases:
        return []
    household_ids = {c.household_id for c in cases}
    case_ids = [c.pk for c in cases]
    households = {c.household_id: c.household for c in cases}
    if members is None or any(c.household_id not in members for c in cases):
        members = defaultdict(list)
        for person in Person.objects.filter(household_id__in=household_ids):
            person.household = households[person.household_id]
            members[person.household_id].append(person)
    involvements = defaultdict(list)
    for involvement in (ActiveInvolvement.objects.filter(household_id__in=household_ids, ended__isnull=True)
                        .select_related("unit").order_by("id")):
        involvement.household = households[involvement.household_id]
        involvements[involvement.household_id].append(involvement)
    by_id = {c.pk: c for c in cases}
    tasks = defaultdict(list)
    for task in Task.objects.filter(case_id__in=case_ids).order_by("due_date", "id"):
        task.case = by_id[task.case_id]
        tasks[task.case_id].append(task)
    assignments = defaultdict(list)
    for assignment in (Assignment.objects.filter(case_id__in=case_ids, ended_at__isnull=True).select_related("unit")
                       .order_by("created_at", "id")):
        assignment.case = by_id[assignment.case_id]
        assignments[assignment.case_id].append(assignment)
    commitments = _commitments(cases)
    notices, earlier = _household_notices(cases)
    return [
        CaseData(
            case=c,
            notices=notices.get(c.pk, []),
            members=list(members.get(c.household_id, [])),
            involvements=involvements[c.household_id],
            tasks=tasks[c.pk],
            assignments=assignments[c.pk],
            commitment=commitments.get(c.pk),
            earlier_notice_types=earlier.get(c.household_id, set()),
        )
        for c in cases
    ]


def _household_notices(cases: list[Case]) -> tuple[dict[int, list[Notice]], dict[int, set[str]]]:
    """The cases' notices, by received date ({case id: notices}), and the notice types of their households' earlier
    cases ({household id: types}: a warning there is a warning, JB 12:42 3 st.), in one query."""
    by_id = {c.pk: c for c in cases}
    notices: dict[int, list[Notice]] = {}
    earlier: dict[int, set[str]] = {}
    for notice in (
        Notice.objects.filter(case__household_id__in={c.household_id for c in cases})
        .annotate(case_household_id=F("case__household_id")).order_by("received_date", "id")
    ):
        case = by_id.get(notice.case_id)
        if case is None:
            earlier.setdefault(notice.case_household_id, set()).add(notice.notice_type)
        else:
            notice.case = case  # as a prefetch would: notice.case is the case being evaluated, not read again
            notices.setdefault(case.pk, []).append(notice)
    return notices, earlier


def _commitments(cases: list[Case]) -> dict[int, PaymentCommitment]:
    """The cases' payment commitments: read, unless the caller selected them with the cases (intake's lock). The
    selected one is used once (a case evaluated again reads it afresh)."""
    descriptor = Case.payment_commitment
    if not all(descriptor.is_cached(c) for c in cases):
        return {p.case_id: p for p in PaymentCommitment.objects.filter(case_id__in=[c.pk for c in cases])}
    found = {}
    for c in cases:
        commitment = c._state.fields_cache.pop(descriptor.related.cache_name)
        if commitment is not None:
            found[c.pk] = commitment
    return found


# --- evaluating the plan -------------------------------------------------------


def _decision_input(
    data: CaseData, *, today: dt.date, next_meeting: dt.date | None, config: routing.PlanConfig
) -> routing.DecisionInput:
    case, notices = data.case, data.notices
    latest = notices[-1]
    dates = case_dates(notices, recovery_period_start=config.recovery_period_start)
    members = tuple(
        routing.Member(role=p.role, age=p.age_on(latest.received_date), residence=p.child_residence) for p in data.members
    )
    active_units = tuple(routing.ActiveUnit(unit=i.unit.code, user_id=i.case_worker_id) for i in data.involvements)
    letters = [t for t in data.tasks if t.kind == TaskKind.SEND_LETTER and t.status == TaskStatus.DONE and t.completed_at]
    letter = min(letters, key=lambda t: t.completed_at) if letters else None
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
        escalations_done=tuple(t.kind for t in data.tasks if t.kind in ESCALATION_TASK_KINDS),
        recovery_deadline=dates.recovery_deadline,
        eviction_date=dates.eviction_date,
        reply_deadline=dates.reply_deadline,
        payment_application_received_on=data.commitment.application_received_on if data.commitment else None,
        payment_decided=bool(data.commitment and data.commitment.decision),
    )


def decision_input_for(
    case: Case, *, today: dt.date, next_meeting: dt.date | None, config: routing.PlanConfig | None = None
) -> routing.DecisionInput:
    config = config or plan_config_for(case.organisation)
    return _decision_input(_load([case])[0], today=today, next_meeting=next_meeting, config=config)


@dataclass
class Outcome:
    """What one evaluation changes, in memory until `_write` stores it."""

    data: CaseData
    decision: routing.Decision
    changes: list[str]
    facts_changed: bool
    ended: list[Assignment]
    new_assignments: list[Assignment]
    new_tasks: list[Task]
    updated_tasks: list[Task]


def _reconcile_assignments(data: CaseData, decision: routing.Decision, units: dict[str, Unit], now, out: Outcome) -> list[Assignment]:
    """The active assignments after the plan; ends and creations noted on `out`."""
    current = {a.unit.code: a for a in data.assignments}
    active = {code: reconcile.ActiveAssignment(code, a.role, a.user_id, tuple(a.rules), a.is_manual) for code, a in current.items()}
    result = reconcile.reconcile_assignments(active, decision, units)
    for code, wanted in result.ended:
        assignment = current[code]
        assignment.ended_at = now
        for attr, value in system_sentences.end_reason("plan_new_role", role=str(wanted)).items():
            setattr(assignment, attr, value)
        out.ended.append(assignment)
    for new in result.created:
        out.new_assignments.append(
            Assignment(
                case=data.case, unit=units[new.unit], user_id=new.user_id, role=new.role, rules=list(new.rules),
                plan_version=decision.plan_version, created_at=now,
            )
        )
    out.changes += result.change_lines(active)
    return [a for a in data.assignments if a not in out.ended] + out.new_assignments


# Tasks whose due date follows a date that can move (issue 11); the rule is cases.rules.reconcile.moved_due.
FOLLOWING_TASK_KINDS = reconcile.FOLLOWING_TASK_KINDS


def _cancel(task: Task, now, note: str, out: Outcome) -> None:
    """`note`: the id of the application's sentence (cases.system_sentences.TASK_NOTE_SENTENCES)."""
    task.status = TaskStatus.CANCELLED
    task.completed_at = now
    for attr, value in system_sentences.task_note(note).items():
        setattr(task, attr, value)
    if task.pk and task not in out.updated_tasks:
        out.updated_tasks.append(task)


def _reconcile_tasks(
    data: CaseData, decision: routing.Decision, units: dict[str, Unit], active: list[Assignment], now,
    inp: routing.DecisionInput, out: Outcome, config: routing.PlanConfig,
) -> None:
    case, existing = data.case, data.tasks
    existing_kinds = reconcile.existing_task_kinds(
        decision, (reconcile.ExistingTask(t.kind, t.status, t.due_date) for t in existing)
    )
    assignee_by_unit = {a.unit.code: a.user_id for a in active if a.user_id is not None}
    for plan in reconcile.tasks_to_create(decision, existing_kinds, units):
        out.new_tasks.append(
            Task(
                case=case, kind=plan.kind, unit=units[plan.unit], assignee_id=assignee_by_unit.get(plan.unit), due_date=plan.due_date,
                rules=list(plan.rules), plan_version=decision.plan_version, created_at=now,
            )
        )
        out.changes.append(f"TASK {plan.kind}")
    _new_eviction_date_letter(data, decision, units, now, inp, config, out)
    for task in existing:
        if task.status != TaskStatus.OPEN or task.decision_id is None:
            continue
        due = reconcile.moved_due(task.kind, task.due_date, decision, inp)
        if due != task.due_date:
            out.changes.append(f"DUE {task.kind} {task.due_date.isoformat()} -> {due.isoformat()}")
            task.due_date = due
            out.updated_tasks.append(task)
    every = existing + out.new_tasks
    if reconcile.eviction_tasks_cancelled(inp):
        gone = [t for t in every if t.kind in routing.EVICTION_BOUND and t.status == TaskStatus.OPEN]
        for task in gone:
            _cancel(task, now, "eviction_cancelled", out)
        if gone:
            out.changes.append("CANCEL EVICTION TASKS")
    open_kinds = [t.kind for t in every if t.status == TaskStatus.OPEN]
    for kind in reconcile.tasks_to_cancel(case.contact_established_on is not None, open_kinds):
        for task in [t for t in every if t.kind == kind and t.status == TaskStatus.OPEN]:
            _cancel(task, now, "contact_no_home_visit", out)
        out.changes.append(f"CANCEL {kind}")


def _new_eviction_date_letter(
    data: CaseData, decision: routing.Decision, units: dict[str, Unit], now, inp: routing.DecisionInput,
    config: routing.PlanConfig, out: Outcome,
) -> None:
    """A later eviction date (after a postponement, or after the termination's letter) gives a new SEND_LETTER task,
    due counting from that notice (cases.rules.reconcile.new_letter_needed)."""
    planned = next((p for p in decision.tasks if p.kind == TaskKind.SEND_LETTER), None)
    if planned is None or planned.unit not in units:
        return
    eviction = current_eviction_notice(data.notices)
    letter_tasks = [(t.status, t.created_at) for t in data.tasks + out.new_tasks if t.kind == TaskKind.SEND_LETTER]
    if eviction is None or not reconcile.new_letter_needed(eviction.registered_at, letter_tasks):
        return
    due = add_working_days(eviction.received_date, config.due_days(TaskKind.SEND_LETTER))
    due = routing.capped(due, routing.due_cap(TaskKind.SEND_LETTER, inp), eviction.received_date)
    out.new_tasks.append(
        Task(case=data.case, kind=TaskKind.SEND_LETTER, unit=units[planned.unit], due_date=due, rules=list(planned.rules),
             plan_version=decision.plan_version, created_at=now)
    )
    out.changes.append(f"TASK {TaskKind.SEND_LETTER} {eviction.eviction_date.isoformat()}")


def _case_facts_refresh(
    data: CaseData, decision: routing.Decision, active: list[Assignment], tasks: list[Task], *, today: dt.date,
    next_meeting: dt.date | None, config: routing.PlanConfig,
) -> None:
    case = data.case
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
        for n in data.notices
    ]
    latest = latest_notice(notices)
    members = tuple(routing.Member(role=p.role, age=p.age_on(latest.received_date), residence=p.child_residence) for p in data.members)
    facts = case_facts(
        notices, members, recovery_period_start=config.recovery_period_start, earlier_notice_types=data.earlier_notice_types,
    )
    flags = list(facts.flags)
    if _payment_decision_missing(data.commitment, facts.recovery_deadline, today=today, config=config):
        flags.append(FLAG_PAYMENT_DECISION_MISSING)
    # The active LEAD assignment, not the plan's: a lead overridden by hand (R8) stays the case's lead.
    lead = next((a for a in active if a.role == AssignmentRole.LEAD), None)
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
    open_dues = [t.due_date for t in tasks if t.status == TaskStatus.OPEN]
    case.next_due_date = min(open_dues) if open_dues else None
    case.urgent = FLAG_PAYMENT_DECISION_MISSING in flags or is_urgent(
        today=today,
        recovery_deadline=facts.recovery_deadline,
        eviction_date=facts.eviction_date,
        reply_deadline=facts.reply_deadline,
        next_meeting_date=next_meeting,
        within_working_days=config.urgency_fallback_days,
    )


def _payment_decision_missing(commitment, deadline: dt.date | None, *, today: dt.date, config: routing.PlanConfig) -> bool:
    if deadline is None or today > deadline:
        return False
    if today < add_working_days(deadline, -config.payment_decision_working_days):
        return False
    return commitment is not None and commitment.application_received_on is not None and not commitment.decision


def payment_decision_missing(case: Case, deadline: dt.date | None, *, today: dt.date, config: routing.PlanConfig) -> bool:
    """An application for ekonomiskt bistånd (for a payment commitment) without a decision
    N working days before the recovery deadline, the deadline not yet passed: urgent for
    Ekonomiskt bistånd. (Without an application the deadline's own urgency applies.)"""
    return _payment_decision_missing(PaymentCommitment.objects.filter(case=case).first(), deadline, today=today, config=config)


def decision_members(case: Case, on_date: dt.date) -> tuple[routing.Member, ...]:
    return tuple(routing.Member(role=p.role, age=p.age_on(on_date), residence=p.child_residence) for p in case.household.members.all())


def _case_facts(case: Case) -> tuple:
    """The denormalised facts a re-evaluation may change (to tell whether a daily check changed anything)."""
    return (case.lead_unit_id, case.urgent, case.recovery_deadline, case.eviction_date, case.next_due_date,
            case.children_count, case.explanation, case.reply_deadline, case.recovery_deadline_basis,
            case.recovery_deadline_other, case.flags)


@dataclass(frozen=True)
class Context:
    """What an evaluation needs of the organisation, read once per organisation and day."""

    config: routing.PlanConfig
    meeting: dt.date | None
    urgency_meeting: dt.date | None
    units: dict[str, Unit]
    today: dt.date
    now: dt.datetime
    # Who is told of new work: read once per context (and e-mails gathered when the caller asks for it).
    notifications: NotificationBatch = field(default_factory=NotificationBatch, compare=False)

    @classmethod
    def of(
        cls, organisation: Organisation, today: dt.date, *, units: dict[str, Unit] | None = None,
        notifications: NotificationBatch | None = None,
    ) -> Context:
        # Urgency looks at the next meeting that has not yet started: the one held today
        # has its agenda fixed, so a family with an eviction in 9 days cannot wait for it (issue 11).
        # The next meeting on or after today is also the next one after today unless it is today: read again only then.
        meeting = next_meeting_date(organisation, today)
        urgency_meeting = next_meeting_date(organisation, today + dt.timedelta(days=1)) if meeting == today else meeting
        return cls(
            config=plan_config_for(organisation), meeting=meeting, urgency_meeting=urgency_meeting,
            units=units if units is not None else _units_by_code(organisation), today=today, now=timezone.now(),
            notifications=notifications if notifications is not None else NotificationBatch(),
        )


def _evaluate(data: CaseData, ctx: Context) -> Outcome:
    """Decide in memory: the plan on the case as loaded, and what that changes."""
    inp = _decision_input(data, today=ctx.today, next_meeting=ctx.meeting, config=ctx.config)
    decision = routing.decide(inp, ctx.config)
    out = Outcome(data=data, decision=decision, changes=[], facts_changed=False, ended=[], new_assignments=[], new_tasks=[],
                  updated_tasks=[])
    active = _reconcile_assignments(data, decision, ctx.units, ctx.now, out)
    _reconcile_tasks(data, decision, ctx.units, active, ctx.now, inp, out, ctx.config)
    before = _case_facts(data.case)
    _case_facts_refresh(data, decision, active, data.tasks + out.new_tasks, today=ctx.today, next_meeting=ctx.urgency_meeting,
                        config=ctx.config)
    out.facts_changed = _case_facts(data.case) != before
    return out


FACT_FIELDS = [
    "lead_unit", "recovery_deadline", "recovery_deadline_basis", "recovery_deadline_other", "reply_deadline", "eviction_date",
    "children_count", "debt_amount", "latest_notice_type", "plan_version", "explanation", "flags", "next_due_date", "urgent",
    "version", "updated_at",
]


def _write(
    outcomes: list[Outcome], *, trigger: str, now, notice: Notice | None = None, notifications: NotificationBatch | None = None,
) -> list[RoutingDecision]:
    """Store the decisions and their differences, in a fixed number of statements (inside the caller's transaction)."""
    records = [
        RoutingDecision(
            case=o.data.case, notice=notice, trigger=trigger, plan_version=o.decision.plan_version,
            rules_fired=list(o.decision.rules_fired), explanation=routing.explanation_data(o.decision), changes=o.changes, created_at=now,
        )
        for o in outcomes
    ]
    if not records:
        return []
    RoutingDecision.objects.bulk_create(records)
    for outcome, record in zip(outcomes, records, strict=True):
        for obj in outcome.new_assignments + outcome.new_tasks:
            obj.decision = record
        outcome.data.case.version += 1  # the case is locked by the caller: its version is the current one
        outcome.data.case.updated_at = now
    # Ends first, then creates, so that the one-lead constraint holds throughout; the same for open tasks of a kind.
    ended = [a for o in outcomes for a in o.ended]
    if ended:
        Assignment.objects.bulk_update(ended, ["ended_at", "end_reason", "end_sentence", "end_params"])
    created = [a for o in outcomes for a in o.new_assignments]
    if created:
        Assignment.objects.bulk_create(created)
    updated = [t for o in outcomes for t in o.updated_tasks]
    if updated:
        Task.objects.bulk_update(updated, ["due_date", "status", "completed_at", "completion_note", "note_sentence", "note_params"])
    new_tasks = [t for o in outcomes for t in o.new_tasks]
    if new_tasks:
        Task.objects.bulk_create(new_tasks)
    _cases_update([o.data.case for o in outcomes])
    _notify_work(outcomes, notifications)
    # After the commit the prepared BOSAM agendas follow (a new notice, a changed urgency): told once for the batch.
    hooks.cases_changed([outcome.data.case.pk for outcome in outcomes])
    return records


def _cases_update(cases: list[Case]) -> None:
    """The case facts, in one statement. One case (intake, an import's row) by a plain UPDATE: `bulk_update`'s
    CASE WHEN per field costs more to build than the statement costs to run (a third of an import row's time)."""
    if len(cases) != 1:
        Case.objects.bulk_update(cases, FACT_FIELDS)
        return
    (case,) = cases
    fields = [Case._meta.get_field(name) for name in FACT_FIELDS]
    Case.objects.filter(pk=case.pk).update(**{f.attname: getattr(case, f.attname) for f in fields})


def _notify_work(outcomes: list[Outcome], notifications: NotificationBatch | None = None) -> None:
    """The plan's new assignments and tasks, to the person named or the unit's case workers, in one bulk write.
    A unit given the case and a task on it at once is told once (about the case)."""
    items = []
    for outcome in outcomes:
        case = outcome.data.case
        assigned = {(a.unit_id, a.user_id) for a in outcome.new_assignments}
        items += [case_work(case, unit_id=a.unit_id, user_id=a.user_id, cause=f"plan:{a.pk}") for a in outcome.new_assignments]
        items += [task_work(t, case, cause="plan") for t in outcome.new_tasks if (t.unit_id, t.assignee_id) not in assigned]
    notify_work(items, kind=NotificationKind.ASSIGNED, batch=notifications)


def new_case_data(case: Case, notice: Notice, members: list, involvements: list[ActiveInvolvement]) -> CaseData:
    """What `_load` would read of a case just opened in this transaction for a household just created with it
    (intake, issue 16): its one notice, the members and involvements just written, no tasks, assignments,
    payment commitment or earlier notices. Read nothing."""
    return CaseData(case=case, notices=[notice], members=list(members), involvements=list(involvements), tasks=[], assignments=[],
                    commitment=None, earlier_notice_types=set())


def case_reevaluate(
    case: Case, *, trigger: str, today: dt.date | None = None, notice: Notice | None = None, locked: bool = False,
    units: dict[str, Unit] | None = None, data: CaseData | None = None, members: list | None = None,
    context: Context | None = None,
) -> RoutingDecision | None:
    """Run the plan on the case as it is now and bring assignments and tasks in line.

    Returns the recorded decision, or None when a daily check found nothing new
    (so that running the checks twice records nothing twice).

    ``locked``: the caller has locked (or created) the case in its transaction and it has a notice (intake's
    path): it is evaluated as it is, without being read again, and the instance is brought up to date. With
    ``locked``, ``data`` (see `new_case_data`) is what the caller knows of a case it has just created, and
    ``members`` the household's members as the caller has just read and written them: not read again. ``context``:
    the organisation's context for the day when the caller evaluates many cases of it (an import's commit)."""
    today = today or timezone.localdate()
    if locked:
        return _reevaluate_locked(case, trigger=trigger, today=today, notice=notice, units=units, data=data, members=members,
                                  context=context)
    if case.status != CaseStatus.OPEN or not case.notices.exists():
        return None
    with transaction.atomic():
        case = Case.objects.select_for_update().select_related("household", "organisation").get(pk=case.pk)
        return _reevaluate_locked(case, trigger=trigger, today=today, notice=notice, units=units)


def _reevaluate_locked(
    case: Case, *, trigger: str, today: dt.date, notice: Notice | None, units: dict[str, Unit] | None,
    data: CaseData | None = None, members: list | None = None, context: Context | None = None,
) -> RoutingDecision | None:
    ctx = context if context is not None and context.today == today else Context.of(case.organisation, today, units=units)
    if data is None:
        data = _load([case], members={case.household_id: members} if members is not None else None)[0]
    outcome = _evaluate(data, ctx)
    if trigger == RoutingDecision.Trigger.DAILY and not outcome.changes and not outcome.facts_changed:
        return None
    (record,) = _write([outcome], trigger=trigger, now=ctx.now, notice=notice, notifications=ctx.notifications)
    # What was just written, for a caller that answers with the case (the API's notice_create, issue 16): its active
    # assignments and its tasks as they now are.
    case.plan_written = (
        [a for a in data.assignments if a not in outcome.ended] + outcome.new_assignments,
        data.tasks + outcome.new_tasks,
    )
    return record


# --- the daily checks (R2d/R3b windows, urgency, automatic deviations) -----------


def _daily_checks_for(organisation: Organisation, today: dt.date) -> tuple[int, int]:
    """Evaluate every open case of one organisation, DAILY_BATCH_SIZE at a time: each batch locked (a case another
    worker holds is skipped: that worker evaluates it), loaded, decided in memory and written in bulk."""
    ids = list(Case.objects.filter(organisation=organisation, status=CaseStatus.OPEN).order_by("pk").values_list("pk", flat=True))
    ctx = Context.of(organisation, today)
    evaluated = changed = 0
    for start in range(0, len(ids), DAILY_BATCH_SIZE):
        with transaction.atomic():
            cases = list(
                Case.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(pk__in=ids[start:start + DAILY_BATCH_SIZE], status=CaseStatus.OPEN)
                .filter(Exists(Notice.objects.filter(case=OuterRef("pk"))))
                .select_related("household")
                .order_by("pk")
            )
            for case in cases:
                case.organisation = organisation
            outcomes = [_evaluate(data, ctx) for data in _load(cases)]
            differing = [o for o in outcomes if o.changes or o.facts_changed]
            _write(differing, trigger=RoutingDecision.Trigger.DAILY, now=ctx.now, notifications=ctx.notifications)
            evaluated += len(cases)
            changed += len(differing)
    return evaluated, changed


def run_daily_checks(*, today: dt.date | None = None, organisation: Organisation | None = None) -> dict:
    """What the Celery beat task runs each morning, and `manage.py run_daily_checks`.

    Idempotent: a second run the same day creates nothing. The queries do not depend on the number of open
    cases (up to DAILY_BATCH_SIZE per organisation)."""
    today = today or timezone.localdate()
    if organisation is not None:
        organisations = [organisation]
    else:
        organisations = list(Organisation.objects.filter(cases__status=CaseStatus.OPEN).distinct().order_by("pk"))
    evaluated = changed = 0
    for org in organisations:
        done, differing = _daily_checks_for(org, today)
        evaluated += done
        changed += differing
    deviations = raise_automatic_deviations(today=today, organisation=organisation)
    # After raising: a deviation whose cause went away since (the task done the same day) closes with a note.
    close_resolved_deviations(today=today, organisation=organisation)
    return {"evaluated": evaluated, "changed": changed, "deviations": deviations}
