"""The figures that add up over days, as rows (organisation, day, unit code, metric, code, count) — computed live
from the cases, or read from the nightly DailyAggregate table for the days it covers.

The nightly task (followup.tasks.aggregate_days_task) writes one organisation-day at a time: it deletes that day's
rows and writes them again in one transaction, so running it twice changes nothing. It keeps the written days
contiguous and recomputes the last STATISTICS_AGGREGATE_REFRESH_DAYS days every night, because a late registration
(an eviction outcome recorded a few days after the eviction, a notice registered late) still belongs to its day."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Case as When_
from django.db.models import CharField, Count, Exists, F, Max, Min, OuterRef, Q, Value, When
from django.db.models.functions import TruncDate

from cases.models import (
    Case,
    CaseStatus,
    ChildResidence,
    Contact,
    ContactChannel,
    Deviation,
    EvictionOutcome,
    EvictionResult,
    MemberRole,
    Notice,
    PaymentCommitment,
    PaymentDecision,
    Person,
)
from cases.protection import protected_household_ids
from cases.rules.workdays import working_days_between

from .models import AggregatedDay, CaseFact, DailyAggregate, HouseholdDay

# organisation id, day, unit code, area, metric, code, count
Row = tuple[int, dt.date, str, str, str, str, int]
NOTICE_METRICS = {"notice_type": "notice_type", "sender_kind": "sender_kind", "channel": "channel", "landlord_kind": "landlord__kind"}
TENANT_ROLES = (MemberRole.TENANT, MemberRole.CO_TENANT)
ADULT_ROLES = (MemberRole.TENANT, MemberRole.CO_TENANT, MemberRole.OTHER_ADULT)
# Payment commitments (issue 11): counted on the day of each step.
PAYMENT_COMMITMENT_CODES = ("applications", "granted", "denied", "sent")


def opaque_key(kind: str, organisation_id: int, pk: int) -> str:
    """A stable, non-reversible key for a household or case in the stored statistics (HMAC with SECRET_KEY)."""
    message = f"{kind}:{organisation_id}:{pk}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:32]


def area_expression(household_path: str):
    """The household's area for statistics; blank for a household with a protected member (an area known only
    through one would tell where it lives), the same rule as the case list's area filter."""
    prefix = f"{household_path}__" if household_path else ""
    # Asked per row of the household (the partial index on protected members), not as a set of every protected
    # household of the installation: hashing that set cost 2 ms in each statistics query at 1M notices.
    protected = Exists(Person.objects.filter(household_id=OuterRef(f"{prefix}id"), protected_identity=True))
    return When_(When(protected, then=Value("")), default=F(f"{prefix}area"), output_field=CharField())


def _cases(organisation_ids: Iterable[int], unit_codes, areas=None):
    cases = Case.objects.filter(organisation_id__in=list(organisation_ids))
    if unit_codes is not None:
        cases = cases.filter(lead_unit__code__in=unit_codes)
    if areas is not None:
        cases = cases.filter(household__area__in=areas).exclude(household_id__in=protected_household_ids())
    return cases


def _payment_commitment_rows(cases, start: dt.date, end: dt.date) -> list[Row]:
    """Applications, decisions and commitments sent (issue 11), each counted on the day of its step."""
    rows: list[Row] = []
    commitments = Counter()
    for org, unit, area, applied, decision, decided, sent in (
        PaymentCommitment.objects.filter(case__in=cases)
        .filter(
            Q(application_received_on__range=(start, end)) | Q(decision_date__range=(start, end))
            | Q(sent_to_landlord_on__range=(start, end))
        )
        .annotate(stat_area=area_expression("case__household"))
        .values_list("case__organisation_id", "case__lead_unit__code", "stat_area", "application_received_on", "decision", "decision_date",
                     "sent_to_landlord_on")
    ):
        key = (org, unit or "", area or "")
        steps = [(applied, "applications"), (decided, {PaymentDecision.GRANTED: "granted", PaymentDecision.DENIED: "denied"}.get(decision)),
                 (sent, "sent")]
        for day, code in steps:
            if day is not None and code and start <= day <= end:
                commitments[(key, day, code)] += 1
    rows += [(org, day, unit, area, "payment_commitment", code, n) for ((org, unit, area), day, code), n in commitments.items()]
    return rows


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight of the day, in the local time zone: with a day's margin either side, a window on the stored time that
    an index or a plain comparison serves before the exact local day is taken (TruncDate)."""
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def live_rows(organisation_ids: Iterable[int], unit_codes, start: dt.date, end: dt.date, areas=None) -> list[Row]:
    """Every additive figure for the days [start, end], from the cases as they are now."""
    from .statistics import debt_band

    organisation_ids = list(organisation_ids)
    cases = _cases(organisation_ids, unit_codes, areas)
    notices = Notice.objects.filter(case__in=cases, received_date__gte=start, received_date__lte=end).annotate(
        stat_area=area_expression("case__household")
    )
    rows: list[Row] = []
    for metric, field in NOTICE_METRICS.items():
        source = notices.exclude(landlord__isnull=True) if metric == "landlord_kind" else notices
        for r in source.order_by().values("case__organisation_id", "received_date", "case__lead_unit__code", "stat_area", field).annotate(
            n=Count("id")
        ):
            rows.append((r["case__organisation_id"], r["received_date"], r["case__lead_unit__code"] or "", r["stat_area"] or "", metric,
                         r[field], r["n"]))
    debt = Counter()
    for org, day, unit, area, amount in notices.exclude(debt_amount__isnull=True).values_list(
        "case__organisation_id", "received_date", "case__lead_unit__code", "stat_area", "debt_amount"
    ):
        debt[(org, day, unit or "", area or "", debt_band(amount))] += 1
    rows += [(org, day, unit, area, "debt_band", band, n) for (org, day, unit, area, band), n in debt.items()]

    closed = (
        cases.exclude(outcome="")
        .filter(closed_at__gte=_day_start(start - dt.timedelta(days=1)), closed_at__lt=_day_start(end + dt.timedelta(days=2)))
        .annotate(day=TruncDate("closed_at"), stat_area=area_expression("household"))
        .filter(day__gte=start, day__lte=end).order_by().values("organisation_id", "day", "lead_unit__code", "stat_area", "outcome")
        .annotate(n=Count("id"))
    )
    rows += [(r["organisation_id"], r["day"], r["lead_unit__code"] or "", r["stat_area"] or "", "outcome", r["outcome"], r["n"])
             for r in closed]

    has_children = Exists(Person.objects.filter(household_id=OuterRef("case__household_id"), role=MemberRole.CHILD))
    evictions = Counter()
    for org, day, unit, area, with_children, children_present, social_present in (
        EvictionOutcome.objects.filter(case__in=cases, eviction_date__gte=start, eviction_date__lte=end, result=EvictionResult.EXECUTED)
        .annotate(with_children=has_children, stat_area=area_expression("case__household"))
        .values_list("case__organisation_id", "eviction_date", "case__lead_unit__code", "stat_area", "with_children", "children_present",
                     "social_services_present")
    ):
        key = (org, day, unit or "", area or "")
        evictions[(*key, "executed")] += 1
        if with_children:
            evictions[(*key, "executed_with_children")] += 1
            evictions[(*key, "children_present")] += bool(children_present)
            evictions[(*key, "social_services_present")] += bool(social_present)
    rows += [(org, day, unit, area, "eviction", code, n) for (org, day, unit, area, code), n in evictions.items() if n]

    rows += _payment_commitment_rows(cases, start, end)

    deviations = Deviation.objects.filter(organisation_id__in=organisation_ids, occurred_on__gte=start, occurred_on__lte=end)
    if unit_codes is not None:
        deviations = deviations.filter(case__lead_unit__code__in=unit_codes)
    if areas is not None:
        deviations = deviations.filter(case__in=cases)
    deviations = deviations.annotate(stat_area=area_expression("case__household"))
    for r in deviations.order_by().values("organisation_id", "occurred_on", "case__lead_unit__code", "stat_area", "kind").annotate(
        n=Count("id")
    ):
        rows.append((r["organisation_id"], r["occurred_on"], r["case__lead_unit__code"] or "", r["stat_area"] or "", "deviation_kind",
                     r["kind"], r["n"]))
    return rows


# --- the figures that are not additive: households and first contacts (issue 13) -------------------


@dataclass(frozen=True)
class HouseholdRow:
    key: str
    day: dt.date
    children: int
    by_residence: tuple[tuple[str, int], ...]
    adults: int
    known_since: dt.date


@dataclass(frozen=True)
class CaseRow:
    key: str
    first_notice_day: dt.date
    contact_working_days: int | None
    has_recovery_deadline: bool
    contacted_before_deadline: bool
    visited_before_deadline: bool


def _notices_in(organisation_ids, unit_codes, start, end, areas=None):
    return Notice.objects.filter(case__in=_cases(organisation_ids, unit_codes, areas), received_date__gte=start, received_date__lte=end)


def _household_day_values(organisation_ids, unit_codes, start, end, areas=None) -> list[dict]:
    """(organisation, day, unit, area, household) of the notices received in [start, end], distinct."""
    notices = _notices_in(organisation_ids, unit_codes, start, end, areas)
    return list(
        notices.annotate(stat_area=area_expression("case__household")).order_by()
        .values("case__organisation_id", "received_date", "case__lead_unit__code", "stat_area", "case__household_id").distinct()
    )


def _known_since(organisation_ids, household_ids: set[int], households) -> dict[int, dt.date]:
    """The first day each household, or a household where one of its tenants (by personnummer) was a tenant, had a
    notice: the same three queries whatever the number of households, none or many (`households` is the query of
    their ids, used as a subquery: an empty Python list would skip the query and change the count)."""
    organisation_ids = list(organisation_ids)
    tenants = Person.objects.filter(household_id__in=households, role__in=TENANT_ROLES).exclude(personal_identity_number="")
    pins_by_household: dict[int, set[str]] = defaultdict(set)
    for household_id, pin in tenants.values_list("household_id", "personal_identity_number"):
        pins_by_household[household_id].add(pin)
    same_tenants = Person.objects.filter(
        personal_identity_number__in=tenants.values("personal_identity_number"), role__in=TENANT_ROLES,
        household__organisation_id__in=organisation_ids,
    )
    households_by_pin: dict[str, set[int]] = defaultdict(set)
    for household_id, pin in same_tenants.values_list("household_id", "personal_identity_number"):
        households_by_pin[pin].add(household_id)
    # The households by id (an OR of the two subqueries read every notice of the organisations); 0, no household,
    # keeps the query when there are none, so that the count stays one number.
    all_households = set(household_ids) | {h for hs in households_by_pin.values() for h in hs}
    first = dict(
        Notice.objects.filter(case__household_id__in=sorted(all_households) or [0], case__organisation_id__in=organisation_ids)
        .order_by().values_list("case__household_id").annotate(first=Min("received_date"))
    )
    known = {}
    for household_id in household_ids:
        days = [first[household_id]] if household_id in first else []
        for pin in pins_by_household.get(household_id, ()):
            days += [first[h] for h in households_by_pin.get(pin, ()) if h in first]
        if days:
            known[household_id] = min(days)
    return known


def _household_members(households) -> dict[int, dict]:
    """Children, their residence and adults per household; `households` is a query of ids (one query always)."""
    members: dict[int, dict] = defaultdict(lambda: {"children": 0, "adults": 0, "residence": Counter()})
    for household_id, role, residence in Person.objects.filter(household_id__in=households).values_list(
        "household_id", "role", "child_residence"
    ):
        if role == MemberRole.CHILD:
            members[household_id]["children"] += 1
            if residence in ChildResidence.values:
                members[household_id]["residence"][residence] += 1
        elif role in ADULT_ROLES:
            members[household_id]["adults"] += 1
    return members


def live_household_days(organisation_ids, unit_codes, start, end, areas=None) -> list[HouseholdDay]:
    """Unsaved HouseholdDay rows for [start, end] from the cases as they are now."""
    values = _household_day_values(organisation_ids, unit_codes, start, end, areas)
    household_ids = {v["case__household_id"] for v in values}
    households = _notices_in(organisation_ids, unit_codes, start, end, areas).values("case__household_id")
    members = _household_members(households)
    known = _known_since(organisation_ids, household_ids, households)
    rows = []
    for v in values:
        household_id, org = v["case__household_id"], v["case__organisation_id"]
        m = members[household_id]
        rows.append(HouseholdDay(
            organisation_id=org, day=v["received_date"], unit_code=v["case__lead_unit__code"] or "", area=v["stat_area"] or "",
            household_key=opaque_key("household", org, household_id), children=m["children"],
            children_living=m["residence"][ChildResidence.LIVING], children_alternating=m["residence"][ChildResidence.ALTERNATING],
            children_visiting=m["residence"][ChildResidence.VISITING], adults=m["adults"],
            known_since=min(known.get(household_id, v["received_date"]), v["received_date"]),
        ))
    return rows


def live_case_facts(cases) -> list[CaseFact]:
    """Unsaved CaseFact rows for the given cases (those with a notice)."""
    facts = list(
        cases.annotate(first_notice=Min("notices__received_date"), stat_area=area_expression("household"))
        .filter(first_notice__isnull=False)
        .values("id", "organisation_id", "first_notice", "lead_unit__code", "stat_area", "contact_established_on", "recovery_deadline")
    )
    deadline_by_case = {c["id"]: c["recovery_deadline"] for c in facts if c["recovery_deadline"] is not None}
    # A subquery, not the ids: one query also when no case has a deadline (the count stays one number).
    visits = Contact.objects.filter(case__in=cases.filter(recovery_deadline__isnull=False).values("pk"),
                                    channel=ContactChannel.VISIT).values_list("case_id", "date")
    visited = {case_id for case_id, day in visits if case_id in deadline_by_case and day <= deadline_by_case[case_id]}
    rows = []
    for c in facts:
        contact, deadline = c["contact_established_on"], c["recovery_deadline"]
        rows.append(CaseFact(
            organisation_id=c["organisation_id"], case_key=opaque_key("case", c["organisation_id"], c["id"]),
            first_notice_day=c["first_notice"], unit_code=c["lead_unit__code"] or "", area=c["stat_area"] or "",
            contact_working_days=max(0, working_days_between(c["first_notice"], contact)) if contact else None,
            has_recovery_deadline=deadline is not None,
            contacted_before_deadline=bool(deadline and contact and contact <= deadline),
            visited_before_deadline=c["id"] in visited,
        ))
    return rows


def _stored(model, organisation_ids, unit_codes, areas):
    rows = model.objects.filter(organisation_id__in=list(organisation_ids))
    if unit_codes is not None:
        rows = rows.filter(unit_code__in=unit_codes)
    if areas is not None:
        rows = rows.filter(area__in=areas)
    return rows


def stored_and_live(organisation_ids, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """(last stored day, first live day) of the period: the days up to the first come from the nightly tables, the days
    from the second live; either part may be empty (then its last day is before its first). Both parts are always
    read, an empty one too, so that a page costs the same queries however much of its period is stored."""
    through = aggregated_through(organisation_ids)
    if through is None:
        return start - dt.timedelta(days=1), start
    return min(end, through), max(start, through + dt.timedelta(days=1))


HOUSEHOLD_DAY_FIELDS = ("household_key", "day", "children", "children_living", "children_alternating", "children_visiting", "adults",
                        "known_since")
CASE_FACT_FIELDS = ("case_key", "first_notice_day", "contact_working_days", "has_recovery_deadline", "contacted_before_deadline",
                    "visited_before_deadline")


def household_rows(organisation_ids, unit_codes, start: dt.date, end: dt.date, areas=None) -> list[HouseholdRow]:
    """One row per household with a notice in the period (its latest day in it): stored days from HouseholdDay, the
    rest live — the same keys both ways, so a household is counted once. The stored days are read as plain values
    (a year of a large district is thousands of rows; model instances cost a third of the page)."""
    stored_end, live_start = stored_and_live(organisation_ids, start, end)
    days = list(_stored(HouseholdDay, organisation_ids, unit_codes, areas).filter(day__gte=start, day__lte=stored_end)
                .values_list(*HOUSEHOLD_DAY_FIELDS))
    days += [tuple(getattr(row, name) for name in HOUSEHOLD_DAY_FIELDS)
             for row in live_household_days(organisation_ids, unit_codes, live_start, end, areas)]
    latest: dict[str, tuple] = {}
    known_since: dict[str, dt.date] = {}
    for row in days:
        key, day, known = row[0], row[1], row[7]
        known_since[key] = min(known, known_since.get(key, known))
        if key not in latest or day >= latest[key][1]:
            latest[key] = row
    return [
        HouseholdRow(key, day, children, ((ChildResidence.LIVING, living), (ChildResidence.ALTERNATING, alternating),
                     (ChildResidence.VISITING, visiting)), adults, known_since[key])
        for key, (_key, day, children, living, alternating, visiting, adults, _known) in latest.items()
    ]


def case_rows(organisation_ids, unit_codes, start: dt.date, end: dt.date, areas=None) -> list[CaseRow]:
    """The cases whose first notice came in the period: stored facts for the aggregated days (as plain values), the
    rest live."""
    stored_end, live_start = stored_and_live(organisation_ids, start, end)
    rows = [CaseRow(*values) for values in
            _stored(CaseFact, organisation_ids, unit_codes, areas).filter(first_notice_day__gte=start, first_notice_day__lte=stored_end)
            .values_list(*CASE_FACT_FIELDS)]
    rows += [CaseRow(*(getattr(f, name) for name in CASE_FACT_FIELDS))
             for f in live_case_facts(first_notice_in(_cases(organisation_ids, unit_codes, areas), live_start, end))]
    return rows


def first_notice_in(cases, start: dt.date, end: dt.date):
    """Those of the cases whose first notice was received in [start, end]: a notice in the period and none before it,
    found from the period's notices (the index on the received date). A minimum over every case of the organisation
    read its whole history, for a day's figures too."""
    in_period = Notice.objects.filter(received_date__gte=start, received_date__lte=end).values("case_id")
    return cases.filter(pk__in=in_period).exclude(Exists(Notice.objects.filter(case_id=OuterRef("pk"), received_date__lt=start)))


def statistics_areas(organisation_ids) -> list[str]:
    """The areas to filter the statistics by: of the organisations' households (not protected ones) and of the stored
    days (so an area stays after its cases are gone)."""
    from cases.models import Household

    live = set(
        Household.objects.filter(organisation_id__in=list(organisation_ids)).exclude(area="")
        .exclude(id__in=protected_household_ids()).values_list("area", flat=True).distinct()
    )
    stored = set(DailyAggregate.objects.filter(organisation_id__in=list(organisation_ids)).exclude(area="")
                 .values_list("area", flat=True).distinct())
    return sorted(live | stored)


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


def additive_figures(organisation_ids, unit_codes, start: dt.date, end: dt.date, areas=None) -> tuple[dict[str, Counter], Counter]:
    """{metric: Counter(code → n)} and Counter(YYYY-MM → notices) for the period: stored days from the table, the
    rest (today, or days not yet written) live."""
    stored_end, live_start = stored_and_live(organisation_ids, start, end)
    stored = _stored(DailyAggregate, organisation_ids, unit_codes, areas).filter(day__gte=start, day__lte=stored_end)
    rows: list[tuple[dt.date, str, str, int]] = list(stored.values_list("day", "metric", "code", "count"))
    rows += [(day, metric, code, n)
             for _org, day, _unit, _area, metric, code, n in live_rows(organisation_ids, unit_codes, live_start, end, areas)]
    figures: dict[str, Counter] = defaultdict(Counter)
    months: Counter = Counter()
    for day, metric, code, n in rows:
        figures[metric][code] += n
        if metric == "notice_type":
            months[f"{day:%Y-%m}"] += n
    return figures, months


# --- the nightly writing ---------------------------------------------------------------------------


# The nightly run catches up in blocks of days: every figure is read per day anyway, and one pass over a block costs
# about what one day costs (a first run on an installation with years of history would otherwise take hours).
CATCH_UP_BLOCK_DAYS = 31


def aggregate_day(*, organisation_id: int, day: dt.date) -> int:
    """(Re)write one organisation-day; returns the number of rows. Idempotent."""
    return aggregate_days(organisation_id=organisation_id, start=day, end=day)


@transaction.atomic
def aggregate_days(*, organisation_id: int, start: dt.date, end: dt.date) -> int:
    """(Re)write the organisation's days [start, end], each as its own stored day; returns the number of figure rows.
    Idempotent, and the same rows as writing the days one by one."""
    from django.utils import timezone

    DailyAggregate.objects.filter(organisation_id=organisation_id, day__gte=start, day__lte=end).delete()
    rows = [
        DailyAggregate(organisation_id=org, day=d, unit_code=unit, area=area, metric=metric, code=code, count=n)
        for org, d, unit, area, metric, code, n in live_rows([organisation_id], None, start, end)
    ]
    DailyAggregate.objects.bulk_create(rows)
    HouseholdDay.objects.filter(organisation_id=organisation_id, day__gte=start, day__lte=end).delete()
    HouseholdDay.objects.bulk_create(live_household_days([organisation_id], None, start, end))
    case_facts_write(live_case_facts(first_notice_in(Case.objects.filter(organisation_id=organisation_id), start, end)))
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    AggregatedDay.objects.filter(organisation_id=organisation_id, day__gte=start, day__lte=end).delete()
    now = timezone.now()
    AggregatedDay.objects.bulk_create([AggregatedDay(organisation_id=organisation_id, day=day, computed_at=now) for day in days])
    return len(rows)


def case_facts_write(facts: list[CaseFact]) -> None:
    """Replace the stored facts of these cases (by key)."""
    by_organisation: dict[int, list[str]] = defaultdict(list)
    for fact in facts:
        by_organisation[fact.organisation_id].append(fact.case_key)
    for organisation_id, keys in by_organisation.items():
        CaseFact.objects.filter(organisation_id=organisation_id, case_key__in=keys).delete()
    CaseFact.objects.bulk_create(facts)


@transaction.atomic
def case_facts_refresh(*, organisation_id: int, through: dt.date, refresh_days: int) -> int:
    """Rewrite the stored facts of the cases that can still change: open ones, and those closed within the refresh
    window, whose first notice is on or before `through` (the days already aggregated)."""
    recently = through - dt.timedelta(days=refresh_days)
    cases = (
        Case.objects.filter(organisation_id=organisation_id)
        .filter(Q(status=CaseStatus.OPEN) | Q(closed_at__date__gte=recently))
        .annotate(first=Min("notices__received_date")).filter(first__lte=through)
    )
    facts = live_case_facts(cases)
    case_facts_write(facts)
    return len(facts)


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
            block_end = min(yesterday, day + dt.timedelta(days=CATCH_UP_BLOCK_DAYS - 1))
            aggregate_days(organisation_id=organisation_id, start=day, end=block_end)
            count += (block_end - day).days + 1
            day = block_end + dt.timedelta(days=1)
        case_facts_refresh(organisation_id=organisation_id, through=yesterday, refresh_days=refresh_days)
        written[organisation_id] = count
    return written
