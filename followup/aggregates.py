"""The figures that add up over days, as rows (organisation, day, unit code, metric, code, count) — computed live
from the cases, or read from the nightly DailyAggregate table for the days it covers.

The nightly task (followup.tasks.aggregate_days_task) writes one organisation-day at a time: it deletes that day's
rows and writes them again in one transaction, so running it twice changes nothing. It keeps the written days
contiguous and recomputes the last STATISTICS_AGGREGATE_REFRESH_DAYS days every night, because a late registration
(an eviction outcome recorded a few days after the eviction, a notice registered late) still belongs to its day."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, Exists, Max, Min, OuterRef
from django.db.models.functions import TruncDate

from cases.models import Case, Deviation, EvictionOutcome, EvictionResult, MemberRole, Notice, Person

from .models import AggregatedDay, DailyAggregate

Row = tuple[int, dt.date, str, str, str, int]  # organisation id, day, unit code, metric, code, count
NOTICE_METRICS = {"notice_type": "notice_type", "sender_kind": "sender_kind", "channel": "channel", "landlord_kind": "landlord__kind"}


def _cases(organisation_ids: Iterable[int], unit_codes):
    cases = Case.objects.filter(organisation_id__in=list(organisation_ids))
    if unit_codes is not None:
        cases = cases.filter(lead_unit__code__in=unit_codes)
    return cases


def live_rows(organisation_ids: Iterable[int], unit_codes, start: dt.date, end: dt.date) -> list[Row]:
    """Every additive figure for the days [start, end], from the cases as they are now."""
    from .statistics import debt_band

    organisation_ids = list(organisation_ids)
    cases = _cases(organisation_ids, unit_codes)
    notices = Notice.objects.filter(case__in=cases, received_date__gte=start, received_date__lte=end)
    rows: list[Row] = []
    for metric, field in NOTICE_METRICS.items():
        source = notices.exclude(landlord__isnull=True) if metric == "landlord_kind" else notices
        for r in source.order_by().values("case__organisation_id", "received_date", "case__lead_unit__code", field).annotate(n=Count("id")):
            rows.append((r["case__organisation_id"], r["received_date"], r["case__lead_unit__code"] or "", metric, r[field], r["n"]))
    debt = Counter()
    for org, day, unit, amount in notices.exclude(debt_amount__isnull=True).values_list(
        "case__organisation_id", "received_date", "case__lead_unit__code", "debt_amount"
    ):
        debt[(org, day, unit or "", debt_band(amount))] += 1
    rows += [(org, day, unit, "debt_band", band, n) for (org, day, unit, band), n in debt.items()]

    closed = (
        cases.exclude(outcome="").filter(closed_at__isnull=False).annotate(day=TruncDate("closed_at"))
        .filter(day__gte=start, day__lte=end).order_by().values("organisation_id", "day", "lead_unit__code", "outcome")
        .annotate(n=Count("id"))
    )
    rows += [(r["organisation_id"], r["day"], r["lead_unit__code"] or "", "outcome", r["outcome"], r["n"]) for r in closed]

    has_children = Exists(Person.objects.filter(household_id=OuterRef("case__household_id"), role=MemberRole.CHILD))
    evictions = Counter()
    for org, day, unit, with_children, children_present, social_present in (
        EvictionOutcome.objects.filter(case__in=cases, eviction_date__gte=start, eviction_date__lte=end, result=EvictionResult.EXECUTED)
        .annotate(with_children=has_children)
        .values_list("case__organisation_id", "eviction_date", "case__lead_unit__code", "with_children", "children_present",
                     "social_services_present")
    ):
        key = (org, day, unit or "")
        evictions[(*key, "executed")] += 1
        if with_children:
            evictions[(*key, "executed_with_children")] += 1
            evictions[(*key, "children_present")] += bool(children_present)
            evictions[(*key, "social_services_present")] += bool(social_present)
    rows += [(org, day, unit, "eviction", code, n) for (org, day, unit, code), n in evictions.items() if n]

    deviations = Deviation.objects.filter(organisation_id__in=organisation_ids, occurred_on__gte=start, occurred_on__lte=end)
    if unit_codes is not None:
        deviations = deviations.filter(case__lead_unit__code__in=unit_codes)
    for r in deviations.order_by().values("organisation_id", "occurred_on", "case__lead_unit__code", "kind").annotate(n=Count("id")):
        rows.append((r["organisation_id"], r["occurred_on"], r["case__lead_unit__code"] or "", "deviation_kind", r["kind"], r["n"]))
    return rows


def aggregated_through(organisation_ids: Iterable[int]) -> dt.date | None:
    """The last day written for every one of the organisations (None if one of them has none)."""
    organisation_ids = list(organisation_ids)
    latest = dict(
        AggregatedDay.objects.filter(organisation_id__in=organisation_ids).order_by()
        .values_list("organisation_id").annotate(last=Max("day"))
    )
    if not organisation_ids or set(latest) != set(organisation_ids):
        return None
    return min(latest.values())


def additive_figures(organisation_ids, unit_codes, start: dt.date, end: dt.date) -> tuple[dict[str, Counter], Counter]:
    """{metric: Counter(code → n)} and Counter(YYYY-MM → notices) for the period: stored days from the table, the
    rest (today, or days not yet written) live."""
    through = aggregated_through(organisation_ids)
    rows: list[tuple[dt.date, str, str, int]] = []
    live_start = start
    if through is not None and through >= start:
        stored = DailyAggregate.objects.filter(organisation_id__in=list(organisation_ids), day__gte=start, day__lte=min(end, through))
        if unit_codes is not None:
            stored = stored.filter(unit_code__in=unit_codes)
        rows += list(stored.values_list("day", "metric", "code", "count"))
        live_start = through + dt.timedelta(days=1)
    if live_start <= end:
        rows += [(day, metric, code, n) for _org, day, _unit, metric, code, n in live_rows(organisation_ids, unit_codes, live_start, end)]
    figures: dict[str, Counter] = defaultdict(Counter)
    months: Counter = Counter()
    for day, metric, code, n in rows:
        figures[metric][code] += n
        if metric == "notice_type":
            months[f"{day:%Y-%m}"] += n
    return figures, months


# --- the nightly writing ---------------------------------------------------------------------------


@transaction.atomic
def aggregate_day(*, organisation_id: int, day: dt.date) -> int:
    """(Re)write one organisation-day; returns the number of rows. Idempotent."""
    from django.utils import timezone

    DailyAggregate.objects.filter(organisation_id=organisation_id, day=day).delete()
    rows = [
        DailyAggregate(organisation_id=org, day=d, unit_code=unit, metric=metric, code=code, count=n)
        for org, d, unit, metric, code, n in live_rows([organisation_id], None, day, day)
    ]
    DailyAggregate.objects.bulk_create(rows)
    AggregatedDay.objects.update_or_create(organisation_id=organisation_id, day=day, defaults={"computed_at": timezone.now()})
    return len(rows)


def first_data_day(organisation_id: int) -> dt.date | None:
    days = [
        Notice.objects.filter(case__organisation_id=organisation_id).aggregate(d=Min("received_date"))["d"],
        Deviation.objects.filter(organisation_id=organisation_id).aggregate(d=Min("occurred_on"))["d"],
        EvictionOutcome.objects.filter(case__organisation_id=organisation_id).aggregate(d=Min("eviction_date"))["d"],
    ]
    opened = Case.objects.filter(organisation_id=organisation_id).aggregate(d=Min("opened_at"))["d"]
    if opened is not None:
        from django.utils import timezone

        days.append(timezone.localdate(opened))
    days = [d for d in days if d is not None]
    return min(days) if days else None


def aggregate_pending(*, today: dt.date, organisation_ids: Iterable[int], refresh_days: int) -> dict[int, int]:
    """Write every day up to yesterday that is not written yet, and rewrite the last `refresh_days` days.
    Returns {organisation id: days written}."""
    yesterday = today - dt.timedelta(days=1)
    written = {}
    for organisation_id in organisation_ids:
        last = AggregatedDay.objects.filter(organisation_id=organisation_id).aggregate(d=Max("day"))["d"]
        if last is None:
            start = first_data_day(organisation_id) or yesterday
        else:
            start = min(last + dt.timedelta(days=1), yesterday - dt.timedelta(days=refresh_days - 1))
        day, count = start, 0
        while day <= yesterday:
            aggregate_day(organisation_id=organisation_id, day=day)
            day += dt.timedelta(days=1)
            count += 1
        written[organisation_id] = count
    return written
