"""Retention (gallring, issue 15 §6): deleting closed cases whose time is up, and old audit rows.

- `retention_plan(today=...)` lists what is due (read only): the closed cases whose last entry became older than
  RETENTION_YEARS before this calendar year (cases/rules/retention.py), except those of a household where someone
  was born on one of RETENTION_RESEARCH_DAYS (kept for research).
- `retention_summary(plan)` is what the system administrator sees: counts by year of the last entry and lead unit,
  never a name or a case number.
- `retention_run(today=..., execute=False)` is the dry run by default; with execute=True it first brings the
  statistics aggregates up to date (cases.hooks.before_retention: followup's nightly aggregation, so that the
  steering group's figures for past years survive), then deletes the due cases in batches, each in one transaction:
  the audit rows are severed (action, time, user and case number stay), the documents go from storage after the
  commit, a DeletedCase row records number, dates and counts, and a household with no case left goes with its
  persons and involvements. Running it twice deletes nothing more (the deleted cases are gone; the state is
  re-checked inside each batch). Audit rows older than AUDIT_RETENTION_YEARS are deleted too.
- Deviations outlive their case like audit rows (`sever_deviations`): the link goes, the case number and lead unit
  stay, and free text that may name people (manual descriptions, an override's reason, handling comments) is
  cleared; the register shows them as "gallrat" and the period report keeps counting them.
- The other apps remove what they keep of a deleted case through cases.hooks (`cases_deleting`): bosam its
  frozen minutes' rows and stored PDFs, imports the rows and the kept file. Their own periods (the rows of
  imports that never became a case) run once per run (`retention_sweep`). See docs/retention.md.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from .. import hooks
from ..models import (
    AuditEvent,
    Case,
    CaseStatus,
    Consent,
    Contact,
    DeletedCase,
    Deviation,
    DeviationEvent,
    DeviationKind,
    EvictionOutcome,
    Household,
    Notice,
    Person,
    SentLetter,
    Task,
)
from ..rules import retention as rules
from ..rules.identity import InvalidIdentityNumber, birth_date_from_identity_number

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DueCase:
    case_id: int
    organisation_id: int
    unit_code: str
    last_entry: dt.date


@dataclass
class RetentionPlan:
    today: dt.date
    due: list[DueCase] = field(default_factory=list)
    kept_for_research: int = 0
    audit_cutoff: dt.datetime | None = None
    audit_due: int = 0


def _day(value) -> dt.date | None:
    if value is None:
        return None
    return timezone.localdate(value) if isinstance(value, dt.datetime) else value


def last_entries(case_ids: list[int]) -> dict[int, dt.date]:
    """The date of the last entry of each case: the latest of its opening and closing, notices (received or
    registered), contacts, completed tasks, letters sent, eviction outcomes, consents and deviations. One query per kind."""
    latest: dict[int, dt.date] = {}

    def merge(rows):
        for case_id, *values in rows:
            for value in values:
                day = _day(value)
                if day is not None and (case_id not in latest or day > latest[case_id]):
                    latest[case_id] = day

    merge(Case.objects.filter(pk__in=case_ids).values_list("pk", "opened_at", "closed_at"))
    sources = [
        (Notice, ("received_date", "registered_at")), (Contact, ("date", "created_at")), (Task, ("completed_at",)),
        (SentLetter, ("sent_on",)), (EvictionOutcome, ("eviction_date", "recorded_at")), (Consent, ("recorded_at",)),
        (Deviation, ("occurred_on",)),
    ]
    for model, fields in sources:
        aggregates = {f"last_{name}": Max(name) for name in fields}
        merge(
            model.objects.filter(case_id__in=case_ids).order_by().values("case_id").annotate(**aggregates)
            .values_list("case_id", *aggregates)
        )
    return latest


def _birth_dates_by_household(household_ids) -> dict[int, list[dt.date | None]]:
    births: dict[int, list[dt.date | None]] = defaultdict(list)
    for household_id, born, pin in Person.objects.filter(household_id__in=household_ids).values_list(
        "household_id", "birth_date", "personal_identity_number"
    ):
        if born is None and pin:
            try:
                born = birth_date_from_identity_number(pin)
            except (InvalidIdentityNumber, ValueError):
                born = None
        births[household_id].append(born)
    return births


def due_cases(*, today: dt.date, case_ids: list[int] | None = None, organisation_id: int | None = None) -> tuple[list[DueCase], int]:
    """The closed cases due for deletion on `today` (optionally among `case_ids`, or of one organisation), and how
    many due ones are kept for research."""
    closed = Case.objects.filter(status=CaseStatus.CLOSED)
    if organisation_id is not None:
        closed = closed.filter(organisation_id=organisation_id)
    if case_ids is not None:
        closed = closed.filter(pk__in=case_ids)
    rows = list(closed.order_by("pk").values_list("pk", "organisation_id", "household_id", "lead_unit__code"))
    latest = last_entries([r[0] for r in rows])
    years = settings.RETENTION_YEARS
    due_rows = [r for r in rows if r[0] in latest and rules.is_due(latest[r[0]], today, years)]
    births = _birth_dates_by_household({r[2] for r in due_rows})
    due, kept = [], 0
    for case_id, organisation_id, household_id, unit_code in due_rows:
        if rules.kept_for_research(births.get(household_id, []), settings.RETENTION_RESEARCH_DAYS):
            kept += 1
            continue
        due.append(DueCase(case_id, organisation_id, unit_code or "", latest[case_id]))
    return due, kept


def audit_cutoff(today: dt.date) -> dt.datetime:
    """Audit rows from before this moment are past the audit log's own retention period."""
    start = rules.add_years(today, -settings.AUDIT_RETENTION_YEARS)
    return dt.datetime.combine(start, dt.time.min, tzinfo=timezone.get_current_timezone())


def retention_plan(*, today: dt.date, organisation_id: int | None = None) -> RetentionPlan:
    due, kept = due_cases(today=today, organisation_id=organisation_id)
    cutoff = audit_cutoff(today)
    audit = AuditEvent.objects.filter(at__lt=cutoff)
    if organisation_id is not None:
        audit = audit.filter(organisation_id=organisation_id)
    return RetentionPlan(today=today, due=due, kept_for_research=kept, audit_cutoff=cutoff, audit_due=audit.count())


def retention_summary(plan: RetentionPlan) -> list[dict]:
    """Counts by year of the last entry and lead unit code, sorted: what the system administrator may see."""
    counts = Counter((d.last_entry.year, d.unit_code) for d in plan.due)
    return [{"year": year, "unit_code": unit, "count": n} for (year, unit), n in sorted(counts.items())]


@dataclass
class RetentionResult:
    today: dt.date
    executed: bool
    due: int = 0
    kept_for_research: int = 0
    deleted_cases: int = 0
    deleted_households: int = 0
    deleted_documents: int = 0
    severed_audit_events: int = 0
    deleted_audit_events: int = 0
    severed_deviations: int = 0
    summary: list[dict] = field(default_factory=list)
    # What the other apps removed (cases.hooks): e.g. {"import_rows_deleted": 12, "minutes_scrubbed": 3}.
    other: dict[str, int] = field(default_factory=dict)


def retention_run(*, today: dt.date, execute: bool = False, batch_size: int | None = None) -> RetentionResult:
    """The dry run (default) or the deletion of everything due on `today`; see the module docstring."""
    plan = retention_plan(today=today)
    result = RetentionResult(today=today, executed=execute, due=len(plan.due), kept_for_research=plan.kept_for_research,
                             summary=retention_summary(plan))
    if not execute:
        result.other = hooks.retention_sweep(today, False)
        return result
    if plan.due:
        # The statistics of past years come from the aggregates: write them before their sources go.
        hooks.before_retention(today)
    size = batch_size or settings.RETENTION_BATCH_SIZE
    ids = [d.case_id for d in plan.due]
    for start in range(0, len(ids), size):
        batch = _delete_batch(ids[start:start + size], today=today)
        result.deleted_cases += batch.deleted
        result.deleted_households += batch.households
        result.deleted_documents += batch.documents
        result.severed_audit_events += batch.severed_audit
        result.severed_deviations += batch.severed_deviations
        hooks.merge_counts(result.other, batch.other)
    result.deleted_audit_events = AuditEvent.objects.purge_before(plan.audit_cutoff)
    hooks.merge_counts(result.other, hooks.retention_sweep(today, True))
    logger.info("Retention %s: %s cases, %s households, %s documents deleted; %s audit rows severed, %s deleted",
                today, result.deleted_cases, result.deleted_households, result.deleted_documents,
                result.severed_audit_events, result.deleted_audit_events)
    return result


# Deviations whose description the application writes from a fixed text (no names, no addresses): kept after the
# case is deleted. Any other description (a manual deviation, an override with its reason) is free text and goes.
GENERATED_DEVIATION_KINDS = (
    DeviationKind.BOSAM_ABSENCE, DeviationKind.TASK_OVERDUE, DeviationKind.NO_REPORT_OF_CONCERN,
    DeviationKind.EVICTION_WITHOUT_CONTACT, DeviationKind.ABSENT_AT_EVICTION_WITH_CHILDREN,
)
# What stands in a cleared free-text field that must not be empty (a closed deviation's comment).
CLEARED_TEXT = "gallrat"


def sever_deviations(case: Case) -> int:
    """The deviations of a case about to be deleted stay in the register: they keep kind, dates, status, the case
    number and the lead unit, lose the link, and lose every free text that may name people."""
    ids = list(Deviation.objects.filter(case=case).values_list("pk", flat=True))
    if not ids:
        return 0
    deviations = Deviation.objects.filter(pk__in=ids)
    deviations.exclude(kind__in=GENERATED_DEVIATION_KINDS).update(description="")
    # A person's words inside the application's sentence (a routing override's reason) go too.
    for deviation in deviations.exclude(kind__in=GENERATED_DEVIATION_KINDS).filter(params__has_key="reason"):
        deviation.params = {**deviation.params, "reason": CLEARED_TEXT}
        deviation.save(update_fields=["params"])
    deviations.exclude(status_comment="").update(status_comment=CLEARED_TEXT)
    DeviationEvent.objects.filter(deviation_id__in=ids).exclude(comment="").update(comment=CLEARED_TEXT)
    # In one statement: a deviation holds a number of its own only once its case is gone (a DB constraint).
    return deviations.update(case=None, case_number=case.number, case_unit_id=case.lead_unit_id)


def _delete_storage_files(files: list) -> None:
    for storage, name in files:
        try:
            storage.delete(name)
        except OSError:
            logger.exception("Retention could not delete a stored document (%s)", name)


@dataclass
class _Batch:
    deleted: int = 0
    households: int = 0
    documents: int = 0
    severed_audit: int = 0
    severed_deviations: int = 0
    other: dict[str, int] = field(default_factory=dict)


@transaction.atomic
def _delete_batch(case_ids: list[int], *, today: dt.date) -> _Batch:
    # Re-checked inside the transaction: a case reopened, or given a new entry, since the plan was made stays.
    still_due, _kept = due_cases(today=today, case_ids=case_ids)
    due = {d.case_id: d for d in still_due}
    cases = list(Case.objects.select_for_update().filter(pk__in=due).order_by("pk"))
    files, records = [], []
    now = timezone.now()
    batch = _Batch()
    # The other apps first, while the cases, their agenda items and import rows are still there to be found.
    batch.other = hooks.cases_deleting(cases) if cases else {}
    for case in cases:
        notices = list(Notice.objects.filter(case=case).exclude(attachment=""))
        letters = list(SentLetter.objects.filter(case=case))
        documents = [(n.attachment.storage, n.attachment.name) for n in notices] + [(x.file.storage, x.file.name) for x in letters]
        counts = {
            "notices": case.notices.count(), "tasks": case.tasks.count(), "contacts": case.contacts.count(),
            "documents": len(documents), "persons": 0,
            "audit_events_severed": AuditEvent.objects.sever_from_case(case),
            "deviations_severed": sever_deviations(case),
        }
        # The PROTECT relations, in order: the frozen letters (task and case), then the notices, then the case
        # with what cascades from it (tasks, contacts, assignments, decisions, deviations, agenda items …).
        SentLetter.objects.filter(case=case).delete()
        Notice.objects.filter(case=case).delete()
        records.append(DeletedCase(
            organisation_id=case.organisation_id, case_number=case.number, unit_code=due[case.pk].unit_code,
            opened_on=timezone.localdate(case.opened_at), closed_on=_day(case.closed_at),
            last_entry_on=due[case.pk].last_entry, deleted_at=now, counts=counts,
        ))
        case.delete()
        files += documents
    # A household with no case left goes too, with its persons and involvements (cascade); the record of its
    # last deleted case counts the persons.
    record_by_household = {case.household_id: record for case, record in zip(cases, records, strict=True)}
    orphans = list(Household.objects.filter(pk__in=record_by_household, cases__isnull=True))
    persons = Counter(Person.objects.filter(household__in=orphans).values_list("household_id", flat=True))
    for household in orphans:
        record_by_household[household.pk].counts["persons"] = persons[household.pk]
        household.delete()
    DeletedCase.objects.bulk_create(records)
    transaction.on_commit(lambda: _delete_storage_files(files))
    batch.deleted, batch.households, batch.documents = len(records), len(orphans), len(files)
    batch.severed_audit = sum(r.counts["audit_events_severed"] for r in records)
    batch.severed_deviations = sum(r.counts["deviations_severed"] for r in records)
    return batch
