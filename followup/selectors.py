"""Reads of the deviations register. Every list starts from followup.access.visible_deviations(user)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet

from cases.explanations import deviation_text
from cases.models import Deviation, DeviationKind
from organisation.models import Department, Unit

from .access import visible_deviations

if TYPE_CHECKING:

    from organisation.models import User

# Sort keys the list accepts (?sort=…), mapped to orderings; "-" first means newest/highest first.
SORTS = {
    "date": ["occurred_on", "id"],
    "-date": ["-occurred_on", "-id"],
    "kind": ["kind", "-occurred_on", "-id"],
    "status": ["status", "-occurred_on", "-id"],
    "case": ["case__number", "case_number", "-occurred_on", "-id"],
    "unit": ["case__lead_unit__name", "case_unit__name", "-occurred_on", "-id"],
}
DEFAULT_SORT = "-date"

# Descriptions the application writes from a fixed text (no names, no addresses): shown to the steering group.
GENERATED_KINDS = {
    DeviationKind.BOSAM_ABSENCE, DeviationKind.TASK_OVERDUE, DeviationKind.NO_REPORT_OF_CONCERN,
    DeviationKind.EVICTION_WITHOUT_CONTACT, DeviationKind.ABSENT_AT_EVICTION_WITH_CHILDREN,
}


@dataclass
class DeviationFilters:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    kind: str = ""
    unit: Unit | None = None
    department: Department | None = None
    status: str = ""
    children: bool | None = None
    sort: str = DEFAULT_SORT


def deviation_rows(user: User, filters: DeviationFilters | None = None) -> QuerySet[Deviation]:
    """The register's rows for this user, filtered and sorted, with what a row shows in one query."""
    filters = filters or DeviationFilters()
    rows = visible_deviations(user).select_related("case", "case__lead_unit", "case_unit", "created_by", "status_changed_by")
    if filters.date_from:
        rows = rows.filter(occurred_on__gte=filters.date_from)
    if filters.date_to:
        rows = rows.filter(occurred_on__lte=filters.date_to)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.status:
        rows = rows.filter(status=filters.status)
    # A deviation of a deleted case (gallrat) is filtered by the lead unit its case had.
    if filters.unit is not None:
        rows = rows.filter(Q(case__lead_unit=filters.unit) | Q(case__isnull=True, case_unit=filters.unit))
    if filters.department is not None:
        rows = rows.filter(Q(case__lead_unit__department=filters.department)
                           | Q(case__isnull=True, case_unit__department=filters.department))
    if filters.children is True:
        rows = rows.filter(case__children_count__gt=0)
    elif filters.children is False:
        rows = rows.exclude(case__children_count__gt=0)
    return rows.order_by(*SORTS.get(filters.sort, SORTS[DEFAULT_SORT]))


def counts_by_kind(rows: QuerySet[Deviation]) -> list[tuple[str, str, int]]:
    """(code, label, count) for every kind, zeros included, in codes.md order."""
    counts = dict(rows.order_by().values_list("kind").annotate(n=Count("id")))
    return [(kind.value, kind.label, counts.get(kind.value, 0)) for kind in DeviationKind]


def shown_description(deviation: Deviation, *, case_contents: bool, names: tuple[Mapping, Mapping] = ({}, {})) -> str:
    """What a reader of the register may see of the description, in the reader's language: everything for the
    roles that work cases; for the steering group only the application's own fixed texts. `names`:
    cases.explanations.organisation_names (the units' and departments' current names)."""
    if case_contents or deviation.kind in GENERATED_KINDS:
        return deviation_text(deviation, *names)
    return ""


def register_units(user: User) -> QuerySet[Unit]:
    return Unit.objects.filter(organisation_id=user.organisation_id).order_by("name")


def register_departments(user: User) -> QuerySet[Department]:
    return Department.objects.filter(organisation_id=user.organisation_id).order_by("name")
