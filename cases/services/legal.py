"""Writes at the end of the legal process (issue 11): the eviction day's outcome and the
payment commitment (betalningsförbindelse).

Both re-evaluate the case afterwards, so urgency, flags and tasks follow at once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from organisation.models import Unit

from .. import system_sentences
from ..audit import audit_log
from ..models import (
    AuditAction,
    Case,
    DeviationKind,
    EvictionOutcome,
    EvictionResult,
    Notice,
    NoticeType,
    PaymentCommitment,
    PaymentDecision,
    RoutingDecision,
    Task,
    TaskKind,
    TaskStatus,
)
from ..rules import routing
from ..rules.workdays import add_working_days
from .actions import _check_version, _touch
from .deviations import _deviation_once
from .evaluation import case_reevaluate
from .plan import plan_config_for

if TYPE_CHECKING:
    from django.http import HttpRequest

    from organisation.models import User


@dataclass
class EvictionOutcomeData:
    result: str  # EvictionResult
    children_present: bool | None = None
    social_services_present: bool | None = None
    destination: str = ""  # EvictionDestination
    note: str = ""


def _eviction_notice(case: Case, eviction_date: dt.date) -> Notice | None:
    """The EVICTION_DATE notice of this date that has no outcome yet (one outcome per notice)."""
    return (
        case.notices.filter(notice_type=NoticeType.EVICTION_DATE, eviction_date=eviction_date, eviction_outcome__isnull=True)
        .order_by("-received_date", "-id")
        .first()
    )


@transaction.atomic
def eviction_outcome_record(
    *,
    case: Case,
    user: User,
    data: EvictionOutcomeData,
    task: Task | None = None,
    request: HttpRequest | None = None,
    expected_version: int | None = None,
    today: dt.date | None = None,
) -> EvictionOutcome:
    """What happened on the eviction day (R8/R9). Completes the EVICTION_OUTCOME task;
    children present at an executed eviction without the social services is a deviation
    (ABSENT_AT_EVICTION_WITH_CHILDREN); an executed eviction of a family gives the child &
    youth unit a FOLLOW_UP_AFTER_EVICTION task."""
    today = today or timezone.localdate()
    case = Case.objects.select_for_update().select_related("organisation").get(pk=case.pk)
    _check_version(case, expected_version)
    if task is None:
        task = case.tasks.filter(kind=TaskKind.EVICTION_OUTCOME, status=TaskStatus.OPEN).order_by("due_date").first()
    eviction_date = case.eviction_date
    if eviction_date is None:
        # The date was cancelled meanwhile: the outcome is for the latest date there was.
        latest = case.notices.filter(notice_type=NoticeType.EVICTION_DATE, eviction_date__isnull=False).order_by("-received_date", "-id")
        eviction_date = latest.values_list("eviction_date", flat=True).first() or today
    outcome = EvictionOutcome.objects.create(
        case=case,
        notice=_eviction_notice(case, eviction_date),
        eviction_date=eviction_date,
        result=data.result,
        children_present=data.children_present,
        social_services_present=data.social_services_present,
        destination=data.destination,
        note=data.note,
        recorded_by=user,
    )
    if task is not None and task.status == TaskStatus.OPEN:
        task.status = TaskStatus.DONE
        task.completed_at = timezone.now()
        task.completed_by = user
        note = system_sentences.task_note("eviction_result_note", result=data.result, note=data.note) if data.note else (
            system_sentences.task_note("eviction_result", result=data.result))
        for attr, value in note.items():
            setattr(task, attr, value)
        task.save(update_fields=["status", "completed_at", "completed_by", *note])
    executed = data.result == EvictionResult.EXECUTED
    if executed and data.children_present and data.social_services_present is False:
        _deviation_once(
            organisation_id=case.organisation_id,
            case_id=case.pk,
            kind=DeviationKind.ABSENT_AT_EVICTION_WITH_CHILDREN,
            key=f"absent-at-eviction-{outcome.pk}",
            text=system_sentences.deviation("absent_at_eviction_with_children", date=eviction_date),
            today=today,
        )
    if executed and case.children_count:
        config = plan_config_for(case.organisation)
        aktuell_child_unit = (
            case.household.involvements.filter(ended__isnull=True, unit__code__in=routing.CHILD_AND_YOUTH_UNITS)
            .values_list("unit__code", flat=True)
            .first()
        )
        unit = Unit.objects.get(organisation=case.organisation, code=aktuell_child_unit or config.child_intake_unit)
        Task.objects.create(
            case=case,
            kind=TaskKind.FOLLOW_UP_AFTER_EVICTION,
            unit=unit,
            due_date=add_working_days(today, config.due_days(TaskKind.FOLLOW_UP_AFTER_EVICTION)),
            rules=["R9"],
            plan_version=config.version,
            created_by=user,
        )
    audit_log(user=user, action=AuditAction.TASK_COMPLETE, case=case, request=request, detail=f"EVICTION_OUTCOME {data.result}")
    _touch(case)
    case_reevaluate(case, trigger=RoutingDecision.Trigger.TASK, today=today)
    return outcome


@dataclass
class PaymentCommitmentData:
    application_received_on: dt.date | None = None
    decision: str = ""  # PaymentDecision or ""
    decision_date: dt.date | None = None
    sent_to_landlord_on: dt.date | None = None
    amount: Decimal | None = None


@transaction.atomic
def payment_commitment_record(
    *,
    case: Case,
    user: User,
    data: PaymentCommitmentData,
    request: HttpRequest | None = None,
    expected_version: int | None = None,
    today: dt.date | None = None,
) -> PaymentCommitment:
    """Record (or update) the case's payment commitment: application, decision, sending."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _check_version(case, expected_version)
    sent = data.sent_to_landlord_on if data.decision == PaymentDecision.GRANTED else None
    commitment, _created = PaymentCommitment.objects.update_or_create(
        case=case,
        defaults={
            "application_received_on": data.application_received_on,
            "decision": data.decision,
            "decision_date": data.decision_date if data.decision else None,
            "sent_to_landlord_on": sent,
            "amount": data.amount,
            "recorded_by": user,
        },
    )
    if data.decision:
        # D2: the decision completes Ekonomiskt bistånd's task.
        for task in case.tasks.filter(kind=TaskKind.PAYMENT_DECISION, status=TaskStatus.OPEN):
            task.status = TaskStatus.DONE
            task.completed_at = timezone.now()
            task.completed_by = user
            note = system_sentences.task_note("payment_decision", decision=data.decision)
            for attr, value in note.items():
                setattr(task, attr, value)
            task.save(update_fields=["status", "completed_at", "completed_by", *note])
    audit_log(user=user, action=AuditAction.CASE_CHANGE, case=case, request=request,
              detail=f"PAYMENT_COMMITMENT {data.decision or 'PENDING'}")
    _touch(case)
    case_reevaluate(case, trigger=RoutingDecision.Trigger.MANUAL, today=today)
    return commitment
