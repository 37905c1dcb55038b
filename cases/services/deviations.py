"""Deviations (R8): raised automatically once per key, or recorded by hand."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from organisation.models import Organisation

from .. import system_sentences
from ..models import (
    Case,
    CaseStatus,
    Deviation,
    DeviationKind,
    Task,
    TaskKind,
    TaskStatus,
)
from ..rules import routing
from ..rules.workdays import add_working_days
from .plan import plan_config_for

if TYPE_CHECKING:

    from organisation.models import User

MANDATORY_TASK_KINDS = [k.value for k in TaskKind if k not in (TaskKind.MANUAL, TaskKind.CONSULT_TENANCY_ADVISOR, TaskKind.BOSAM_ACTIVITY)]


def _deviation_once(*, organisation_id, case_id, kind, key, text: dict, today) -> bool:
    """`text`: system_sentences.deviation(…) (the application's sentence) or {"description": …}."""
    try:
        with transaction.atomic():
            Deviation.objects.create(organisation_id=organisation_id, case_id=case_id, kind=kind, dedupe_key=key, occurred_on=today, **text)
        return True
    except IntegrityError:
        return False


def _deviations_once(rows: list[dict], *, today: dt.date) -> int:
    """Raise each deviation (organisation_id, case_id, kind, key, text: its sentence) unless its key exists: two queries
    whatever the number. Returns how many were new. A second worker at the same moment is stopped by the unique key
    (ignore_conflicts), so each cause gives one deviation."""
    if not rows:
        return 0
    keys = {row["key"] for row in rows}
    existing = set(Deviation.objects.filter(dedupe_key__in=keys).values_list("organisation_id", "dedupe_key"))
    new = [row for row in rows if (row["organisation_id"], row["key"]) not in existing]
    Deviation.objects.bulk_create(
        [
            Deviation(organisation_id=row["organisation_id"], case_id=row["case_id"], kind=row["kind"], dedupe_key=row["key"],
                      occurred_on=today, **row["text"])
            for row in new
        ],
        ignore_conflicts=True,
    )
    return len(new)


def raise_automatic_deviations(*, today: dt.date, organisation: Organisation | None = None) -> int:
    """R8: overdue mandatory tasks, eviction dates reached without contact, no orosanmälan in time."""
    overdue = Task.objects.filter(status=TaskStatus.OPEN, due_date__lt=today, kind__in=MANDATORY_TASK_KINDS, case__status=CaseStatus.OPEN)
    evictions = Case.objects.filter(status=CaseStatus.OPEN, eviction_date__lte=today, contact_established_on__isnull=True)
    if organisation is not None:
        overdue = overdue.filter(case__organisation=organisation)
        evictions = evictions.filter(organisation=organisation)
    rows = [
        {
            "organisation_id": task.case.organisation_id, "case_id": task.case_id, "kind": DeviationKind.TASK_OVERDUE,
            "key": f"task-overdue-{task.pk}",
            "text": system_sentences.deviation("task_overdue", task=task.kind, date=task.due_date),
        }
        for task in overdue.select_related("case").only("id", "kind", "due_date", "case__id", "case__organisation_id", "case__number")
    ]
    rows += _no_report_of_concern(today=today, organisation=organisation)
    rows += [
        {
            "organisation_id": case.organisation_id, "case_id": case.pk, "kind": DeviationKind.EVICTION_WITHOUT_CONTACT,
            "key": f"eviction-without-contact-{case.pk}",
            "text": system_sentences.deviation("eviction_without_contact", date=case.eviction_date),
        }
        for case in evictions.only("id", "organisation_id", "eviction_date")
    ]
    return _deviations_once(rows, today=today)


def _no_report_of_concern(*, today: dt.date, organisation: Organisation | None) -> list[dict]:
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
    rows = []
    for case in cases:
        if case.organisation_id not in configs:  # once per organisation (setdefault would ask for it per case)
            configs[case.organisation_id] = plan_config_for(case.organisation)
        config = configs[case.organisation_id]
        limit = add_working_days(case.first_received, config.report_of_concern_deviation_working_days)
        if today <= limit:
            continue
        rows.append({
            "organisation_id": case.organisation_id, "case_id": case.pk, "kind": DeviationKind.NO_REPORT_OF_CONCERN,
            "key": f"no-report-of-concern-{case.pk}",
            "text": system_sentences.deviation("no_report_of_concern", date=limit),
        })
    return rows


def deviation_record(
    *, organisation: Organisation, user: User, description: str, case: Case | None = None, occurred_on: dt.date | None = None
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
    sentence: str = "",
    params: dict | None = None,
    description: str = "",
    case: Case | None = None,
    occurred_on: dt.date | None = None,
) -> bool:
    """An automatic deviation (R8) raised at most once per `key`; for other apps (BOSAM absence). True if new.
    Its description is a sentence of system_sentences.DEVIATION_SENTENCES with `params` (worded when shown),
    or, without `sentence`, the `description` as given."""
    text = system_sentences.deviation(sentence, **(params or {})) if sentence else {"description": description}
    return _deviation_once(
        organisation_id=organisation.pk,
        case_id=case.pk if case else None,
        kind=kind,
        key=key,
        text=text,
        today=occurred_on or timezone.localdate(),
    )


def _cause_gone(deviation: Deviation, tasks: dict[int, Task], cases: dict[int, Case]) -> tuple[str, dict] | None:
    """Why an automatic deviation's cause is gone, as the note to write (a sentence id of
    system_sentences.CLOSING_SENTENCES and its params, worded when shown); None while it stands.

    Only what undoes the deviation itself counts: the overdue task done (or its due date moved) by the day the
    check raised it, the contact established or the eviction date moved by the day the date was reached. A task
    done days late is still a deviation, and stays for people to handle."""
    raised = deviation.occurred_on
    closing = system_sentences.closing
    if deviation.kind == DeviationKind.TASK_OVERDUE:
        task = tasks.get(int(deviation.dedupe_key.rsplit("-", 1)[1]))
        if task is None:
            return closing("task_gone")
        if task.status != TaskStatus.OPEN and task.completed_at and timezone.localdate(task.completed_at) <= raised:
            return closing("task_done_same_day", date=timezone.localdate(task.completed_at))
        if task.status == TaskStatus.OPEN and task.due_date >= raised:
            return closing("task_due_moved", date=task.due_date)
    elif deviation.kind == DeviationKind.EVICTION_WITHOUT_CONTACT:
        case = cases.get(deviation.case_id)
        if case is None:
            return None
        if case.contact_established_on is not None and case.contact_established_on <= raised:
            return closing("contact_registered_late", date=case.contact_established_on)
        if case.eviction_date is None or case.eviction_date > raised:
            return closing("eviction_date_changed")
    return None


KEY_PREFIXES = {DeviationKind.TASK_OVERDUE: "task-overdue-", DeviationKind.EVICTION_WITHOUT_CONTACT: "eviction-without-contact-"}


def close_resolved_deviations(*, today: dt.date | None = None, organisation: Organisation | None = None) -> int:
    """Close (DISMISSED, with a note and a history step by no user) every automatic deviation whose cause is gone
    and that nobody has touched: still NEW, no step in its history. Idempotent. Returns how many were closed."""
    from ..models import DeviationEvent, DeviationStatus

    # A deviation of a deleted case (gallrat, case_number kept) is history: its task is gone, not its cause.
    candidates = Deviation.objects.filter(automatic=True, status=DeviationStatus.NEW, kind__in=list(KEY_PREFIXES),
                                          case_number="").exclude(dedupe_key="").filter(events__isnull=True)
    if organisation is not None:
        candidates = candidates.filter(organisation=organisation)
    candidates = list(candidates)
    if not candidates:
        return 0
    task_ids = [int(d.dedupe_key.rsplit("-", 1)[1]) for d in candidates if d.kind == DeviationKind.TASK_OVERDUE]
    tasks = {t.pk: t for t in Task.objects.filter(pk__in=task_ids)}
    cases = {c.pk: c for c in Case.objects.filter(pk__in=[d.case_id for d in candidates if d.case_id])}
    now = timezone.now()
    notes = {d.pk: note for d in candidates if (note := _cause_gone(d, tasks, cases)) is not None}
    if not notes:
        return 0
    with transaction.atomic():
        # Re-checked under the lock: a person may have taken one up since the list was read.
        still_new = list(
            Deviation.objects.select_for_update()
            .filter(pk__in=list(notes), status=DeviationStatus.NEW)
            .filter(~Exists(DeviationEvent.objects.filter(deviation=OuterRef("pk"))))
        )
        for deviation in still_new:
            deviation.status = DeviationStatus.DISMISSED
            deviation.status_comment = ""
            deviation.status_sentence, deviation.status_params = notes[deviation.pk]
            deviation.status_changed_at = now
            deviation.status_changed_by = None
        Deviation.objects.bulk_update(still_new, ["status", "status_comment", "status_sentence", "status_params", "status_changed_at",
                                                  "status_changed_by"])
        DeviationEvent.objects.bulk_create([
            DeviationEvent(deviation=d, from_status=DeviationStatus.NEW, to_status=DeviationStatus.DISMISSED,
                           comment_sentence=notes[d.pk][0], comment_params=notes[d.pk][1], user=None, at=now)
            for d in still_new
        ])
    return len(still_new)
