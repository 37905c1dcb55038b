"""The statistics of the follow-up (R8, R9): every figure of GET /api/v1/statistics/, computed from live data.

Definitions (also in docs/api.md). A period is [from, to], both days included.
- notices: notices received (received_date) in the period.
- households: the distinct households those notices went to; `with_children`: with at least one member of role
  CHILD; `repeat`: already known before the period, i.e. the household, or a household where one of its tenants
  (by personnummer) was a tenant, had a notice received before `from`.
- children: the CHILD members of those households, each counted once per household and period however many notices
  arrived; `by_residence` by child_residence (LIVING, ALTERNATING, VISITING; a child without one is in `total` only).
- outcomes: cases closed in the period, by outcome code.
- evictions: EvictionOutcome rows with eviction_date in the period; `executed` = result EXECUTED;
  `executed_with_children` = of those, households with children; `children_present` and `social_services_present`
  = of the executions with children, those where children / the social services were present.
- first_contact_working_days: cases whose first notice was received in the period and that have an established
  contact: working days from that first notice to the first established contact (contact_established_on), the median
  (mean of the two middle values for an even count) and the 90th percentile (nearest rank). null without data.
- contacted_before_recovery_deadline: of the cases whose first notice was received in the period and that have a
  recovery deadline, those with an established contact on or before it; `share` = count / those cases, 3 decimals.
- debt_bands: notices in the period with a debt amount: UNDER_10000 (< 10 000 kr), 10000_20000 (10 000–19 999.99),
  20000_50000 (20 000–49 999.99), OVER_50000 (50 000 and more).
- landlord_kinds: notices in the period with a landlord, by the landlord's kind.
- deviations: deviations that occurred in the period, by kind.

Scope: one or several organisations (several only at city level), optionally the cases whose lead unit has one of
the given unit codes (a unit, or every unit of a department).
"""

from __future__ import annotations

import datetime as dt
import math
import statistics as pystats
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from cases.models import (
    ChildResidence,
    DeviationKind,
    EvictionOutcome,
    EvictionResult,
    LandlordKind,
    MemberRole,
    Notice,
    NoticeChannel,
    NoticeType,
    Outcome,
    Person,
    SenderKind,
)

from . import aggregates
from .aggregates import additive_figures

DEBT_BANDS = (
    ("UNDER_10000", Decimal("0"), Decimal("10000")),
    ("10000_20000", Decimal("10000"), Decimal("20000")),
    ("20000_50000", Decimal("20000"), Decimal("50000")),
    ("OVER_50000", Decimal("50000"), None),
)
TENANT_ROLES = (MemberRole.TENANT, MemberRole.CO_TENANT)
ADULT_ROLES = (MemberRole.TENANT, MemberRole.CO_TENANT, MemberRole.OTHER_ADULT)
DEFAULT_SUPPRESSION_THRESHOLD = 5


@dataclass(frozen=True)
class Scope:
    organisation_ids: tuple[int, ...]
    unit_codes: tuple[str, ...] | None = None  # None: every unit
    areas: tuple[str, ...] | None = None  # None: every area (Household.area; protected households have none)

    def cases(self):
        return aggregates._cases(self.organisation_ids, self.unit_codes, self.areas)


@dataclass
class Figures:
    """The API's figures plus the sample sizes suppression needs, and the dashboard's extra figures."""

    data: dict
    extra: dict = field(default_factory=dict)
    samples: dict = field(default_factory=dict)


def months_between(date_from: dt.date, date_to: dt.date) -> list[str]:
    months, y, m = [], date_from.year, date_from.month
    while (y, m) <= (date_to.year, date_to.month):
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def _zeros(choices) -> dict[str, int]:
    return {c.value: 0 for c in choices}


def _counts(queryset, field_name: str, choices) -> dict[str, int]:
    out = _zeros(choices)
    for value, n in queryset.order_by().values_list(field_name).annotate(n=Count("id")):
        if value in out:
            out[value] += n
    return out


def median(values: list[int]) -> float | int | None:
    if not values:
        return None
    m = pystats.median(values)
    return int(m) if float(m).is_integer() else float(m)


def percentile_nearest_rank(values: list[int], p: float) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def debt_band(amount: Decimal) -> str:
    for code, low, high in DEBT_BANDS:
        if amount >= low and (high is None or amount < high):
            return code
    return DEBT_BANDS[0][0]


def compute(scope: Scope, date_from: dt.date, date_to: dt.date) -> Figures:
    """Every figure for the period. The figures that add up over days come from the nightly aggregates for the days
    they cover and from live data for the rest (followup.aggregates); households, children and contact times are
    distinct counts over the whole period, from the stored household-days and case facts for the aggregated days and
    live for the rest, keyed alike (followup.aggregates.household_rows, case_rows), so they survive retention too."""
    additive, months = additive_figures(scope.organisation_ids, scope.unit_codes, date_from, date_to, scope.areas)

    def counted(metric: str, choices) -> dict[str, int]:
        return {c.value: additive[metric][c.value] for c in choices}

    notice_figures = {
        "total": sum(additive["notice_type"].values()),
        "by_type": counted("notice_type", NoticeType),
        "by_sender_kind": counted("sender_kind", SenderKind),
        "by_month": {month: months[month] for month in months_between(date_from, date_to)},
    }

    # Households and first contacts: per household-day and per case, stored without personal data for the
    # aggregated days (they survive retention) and live for the rest (followup.aggregates).
    households = aggregates.household_rows(scope.organisation_ids, scope.unit_codes, date_from, date_to, scope.areas)
    with_children = [h for h in households if h.children]
    residence = _zeros(ChildResidence)
    for h in households:
        for code, n in h.by_residence:
            residence[code] += n
    repeat = [h for h in households if h.known_since < date_from]

    outcomes = counted("outcome", Outcome)
    evictions = {code: additive["eviction"][code]
                 for code in ("executed", "executed_with_children", "children_present", "social_services_present")}
    payment_commitments = {code: additive["payment_commitment"][code] for code in aggregates.PAYMENT_COMMITMENT_CODES}

    # Cases whose first notice came in the period: how fast the first contact came.
    first_cases = aggregates.case_rows(scope.organisation_ids, scope.unit_codes, date_from, date_to, scope.areas)
    waits = [c.contact_working_days for c in first_cases if c.contact_working_days is not None]
    with_deadline = [c for c in first_cases if c.has_recovery_deadline]
    in_time = [c for c in with_deadline if c.contacted_before_deadline]
    visited = [c for c in with_deadline if c.visited_before_deadline]

    data = {
        "period": {"from": date_from.isoformat(), "to": date_to.isoformat()},
        "notices": notice_figures,
        "households": {"total": len(households), "with_children": len(with_children), "repeat": len(repeat)},
        "children": {"total": sum(h.children for h in households), "by_residence": residence},
        "outcomes": outcomes,
        "evictions": evictions,
        "first_contact_working_days": {"median": median(waits), "p90": percentile_nearest_rank(waits, 90)},
        "contacted_before_recovery_deadline": {
            "count": len(in_time), "share": round(len(in_time) / len(with_deadline), 3) if with_deadline else None,
        },
        "debt_bands": {code: additive["debt_band"][code] for code, _low, _high in DEBT_BANDS},
        "landlord_kinds": counted("landlord_kind", LandlordKind),
        "deviations": counted("deviation_kind", DeviationKind),
        # Issue 11: applications for ekonomiskt bistånd for a payment commitment, decisions and commitments sent.
        "payment_commitments": payment_commitments,
    }
    extra = {
        "notices_by_channel": counted("channel", NoticeChannel),
        "single_adult_with_children": sum(1 for h in with_children if h.adults == 1),
        "home_visits_before_deadline": len(visited),
        "cases_with_first_notice": len(first_cases),
    }
    extra.update(bosam_figures(scope, date_from, date_to))
    samples = {"first_contact": len(waits), "recovery_deadline": len(with_deadline)}
    return Figures(data=data, extra=extra, samples=samples)


def bosam_figures(scope: Scope, date_from: dt.date, date_to: dt.date) -> dict:
    """BOSAM (R4–R6): meetings held (minutes closed), cases discussed, activities decided and done on time.
    BOSAM is the organisation's forum: for a unit or department scope these are None (not split by unit)."""
    from bosam.models import Activity, AgendaItem, Meeting, MeetingStatus

    if scope.unit_codes is not None:
        return {"bosam_meetings": None, "bosam_cases_discussed": None, "bosam_activities": None, "bosam_activities_on_time": None}
    meetings = Meeting.objects.filter(organisation_id__in=scope.organisation_ids, status=MeetingStatus.CLOSED,
                                      date__gte=date_from, date__lte=date_to)
    discussed = AgendaItem.objects.filter(meeting__in=meetings, removed_at__isnull=True).values("case_id").distinct().count()
    activities = list(Activity.objects.filter(meeting__in=meetings).values_list("task__status", "task__completed_at", "task__due_date"))
    on_time = sum(1 for status, completed, due in activities if status == "DONE" and completed and timezone.localdate(completed) <= due)
    return {"bosam_meetings": meetings.count(), "bosam_cases_discussed": discussed, "bosam_activities": len(activities),
            "bosam_activities_on_time": on_time}


def _zeros_codes(codes) -> dict[str, int]:
    return dict.fromkeys(codes, 0)


# --- statistical disclosure control ("för publicering") --------------------------------


def suppress(figures: Figures, threshold: int = DEFAULT_SUPPRESSION_THRESHOLD) -> Figures:
    """Counts from 1 to threshold-1 become None; so do the figures computed from too few cases
    (a share whose count is hidden, a median over fewer cases than the threshold). Zero stays zero."""

    def hide(value):
        if isinstance(value, dict):
            return {k: hide(v) for k, v in value.items()}
        if isinstance(value, bool) or not isinstance(value, int):
            return value
        return None if 0 < value < threshold else value

    not_counts = ("period", "first_contact_working_days", "contacted_before_recovery_deadline")
    data = {k: (v if k in not_counts else hide(v)) for k, v in figures.data.items()}
    if figures.samples.get("first_contact", 0) < threshold:
        data["first_contact_working_days"] = {"median": None, "p90": None}
    contacted = figures.data["contacted_before_recovery_deadline"]
    count = hide(contacted["count"])
    share_hidden = count is None or figures.samples.get("recovery_deadline", 0) < threshold
    data["contacted_before_recovery_deadline"] = {"count": count, "share": None if share_hidden else contacted["share"]}
    return Figures(data=data, extra=hide(figures.extra), samples=figures.samples)


# --- drill-down: the cases behind a figure ------------------------------------------------


def case_ids_for_figure(scope: Scope, date_from: dt.date, date_to: dt.date, figure: str):
    """The ids of the cases a figure counts (a queryset of ids), or None for a figure without a drill-down.
    The caller intersects them with the cases the user may see (cases.access.visible_cases)."""
    cases = scope.cases()
    notices = Notice.objects.filter(case__in=cases, received_date__gte=date_from, received_date__lte=date_to)
    executed = EvictionOutcome.objects.filter(
        case__in=cases, eviction_date__gte=date_from, eviction_date__lte=date_to, result=EvictionResult.EXECUTED
    )
    has_children = Exists(Person.objects.filter(household_id=OuterRef("household_id"), role=MemberRole.CHILD))
    kind, _sep, code = figure.partition(":")
    if kind in ("notices", "households"):
        return notices.values("case_id")
    if kind == "with_children":
        return cases.filter(pk__in=notices.values("case_id")).filter(has_children).values("pk")
    if kind == "notice_type" and code in NoticeType.values:
        return notices.filter(notice_type=code).values("case_id")
    if kind == "outcome" and code in Outcome.values:
        return cases.filter(closed_at__date__gte=date_from, closed_at__date__lte=date_to, outcome=code).values("pk")
    if kind == "executed":
        return executed.values("case_id")
    if kind == "executed_with_children":
        return cases.filter(pk__in=executed.values("case_id")).filter(has_children).values("pk")
    return None
