"""Reads for imports. Every query is bound to the user's organisation."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from cases.models import CaseStatus, MemberRole, Notice, Person
from organisation.models import Organisation

from .models import MappingPreset, NoticeImport

CHUNK = 500  # SQLite allows 999 parameters per query


def _chunks(values: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def imports_for(organisation: Organisation) -> QuerySet[NoticeImport]:
    return NoticeImport.objects.filter(organisation=organisation).select_related("created_by", "landlord")


def import_get(organisation: Organisation, pk: int) -> NoticeImport | None:
    return imports_for(organisation).filter(pk=pk).first()


def preset_mapping(organisation: Organisation, landlord_id: int | None) -> dict[str, str]:
    if not landlord_id:
        return {}
    preset = MappingPreset.objects.filter(organisation=organisation, landlord_id=landlord_id).first()
    return dict(preset.mapping) if preset else {}


def notice_keys(organisation: Organisation, references: Iterable[str]) -> dict[str, str]:
    """{row key: case number} of the notices already registered with one of these landlord references
    (by import, form or API alike: a notice typed in by hand is not imported a second time)."""
    from .validation import notice_key_parts

    keys: dict[str, str] = {}
    refs = sorted({r for r in references if r})
    for chunk in _chunks(refs):
        notices = (
            Notice.objects.filter(case__organisation=organisation, landlord_reference__in=chunk, landlord__isnull=False)
            .values_list("landlord__org_number", "landlord_reference", "notice_type", "document_date", "termination_date",
                         "warning_date", "eviction_date", "case__number")
        )
        for org_number, reference, notice_type, *dates, number in notices:
            keys[notice_key_parts(org_number, reference, notice_type, dates)] = number
    return keys


def open_cases_by_tenant_number(organisation: Organisation, numbers: Iterable[str]) -> dict[str, str]:
    """{personnummer: number of the open case} for tenants with an open case (what notice_register joins).

    Two queries per chunk, each by its own index: the persons by personnummer (the organisation checked here, as in
    cases.services.intake.tenant_household_ids), then the open cases of their households. Joined in one query,
    PostgreSQL started from the organisation's households whenever its statistics knew the organisation as small (a
    district's first lists): 51 s for the preview of a 5,000-row list joining the cases of the list before it."""
    from cases.models import Case

    found: dict[str, str] = {}
    for chunk in _chunks(sorted({n for n in numbers if n})):
        households: dict[int, list[str]] = {}
        rows = Person.objects.filter(
            personal_identity_number__in=chunk, role__in=[MemberRole.TENANT, MemberRole.CO_TENANT],
        ).values_list("personal_identity_number", "household_id", "organisation_id")
        for number, household_id, organisation_id in rows:
            if organisation_id == organisation.pk:
                households.setdefault(household_id, []).append(number)
        if not households:
            continue
        open_cases = Case.objects.filter(household_id__in=list(households), status=CaseStatus.OPEN).values_list(
            "household_id", "number")
        for household_id, number in open_cases:
            for tenant_number in households[household_id]:
                found[tenant_number] = number
    return found


def import_progress(notice_import: NoticeImport) -> dict[str, int]:
    """{"done", "total"}. While the commit runs its rows are invisible (one transaction), so the worker
    reports progress through Celery's result backend (files under var/ with the embedded broker, or Redis)."""
    total = notice_import.progress_total
    if notice_import.status == "DONE":
        return {"done": total, "total": total}
    if notice_import.status != "RUNNING" or not notice_import.task_id:
        return {"done": 0, "total": total}
    from celery.result import AsyncResult

    try:
        info = AsyncResult(notice_import.task_id).info
    except Exception:  # a result backend that cannot be read only means no progress to show yet
        info = None
    done = int(info.get("done", 0)) if isinstance(info, dict) else 0
    return {"done": min(done, total), "total": total}


def outcome_counts(notice_import: NoticeImport) -> dict[str, int]:
    from django.db.models import Count

    if notice_import.outcome_counts:
        # Frozen by retention before rows went (imports/retention.py): the counts stay what they were.
        return {outcome: notice_import.outcome_counts.get(outcome, 0)
                for outcome in ("NEW_HOUSEHOLD", "JOINS_CASE", "ALREADY_IMPORTED", "ERROR")}
    counts = dict(notice_import.rows.values_list("outcome").annotate(n=Count("id")).values_list("outcome", "n"))
    return {outcome: counts.get(outcome, 0) for outcome in ("NEW_HOUSEHOLD", "JOINS_CASE", "ALREADY_IMPORTED", "ERROR")}
