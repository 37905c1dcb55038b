"""Reads for the case workers' workspace: lists, the case page, the audit review.

Every list starts from cases.access.visible_cases. (Kept apart from
cases/selectors.py, which the intake area owns, so that two people editing at
once cannot overwrite each other.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    DateField,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models import (
    Case as CaseWhen,
)
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from organisation.models import Role, Unit
from organisation.roles import user_roles

from .access import visible_cases
from .identity import InvalidIdentityNumber, normalize_personal_identity_number
from .models import (
    Assignment,
    AuditAction,
    AuditEvent,
    Case,
    CaseStatus,
    Household,
    Notice,
    Person,
    RoutingDecision,
    Task,
    TaskStatus,
)

# A date far in the future stands in for "no date" when sorting by the nearest deadline:
# PostgreSQL's LEAST skips NULLs but SQLite's MIN() does not.
_NO_DATE = dt.date(9999, 12, 31)

CASE_SORTS = {
    # key: (label is in the form; ordering)
    "priority": ("-overdue", "-urgent", "next_deadline", "number"),
    "deadline": ("next_deadline", "number"),
    "number": ("number",),
    "-number": ("-number",),
    "opened": ("opened_at", "number"),
    "-opened": ("-opened_at", "-number"),
    "children": ("-children_count", "next_deadline", "number"),
    "area": ("household__area", "next_deadline", "number"),
}


def _open_tasks_for(user) -> Q:
    condition = Q(assignee_id=user.pk)
    if user.unit_id:
        condition |= Q(unit_id=user.unit_id)
    return condition


def my_cases(user) -> QuerySet[Case]:
    """Cases where the user or the user's unit holds an active assignment, or has an open task."""
    unit_condition = Q(user_id=user.pk)
    if user.unit_id:
        unit_condition |= Q(unit_id=user.unit_id)
    assigned = Assignment.objects.filter(unit_condition, case=OuterRef("pk"), ended_at__isnull=True)
    tasked = Task.objects.filter(_open_tasks_for(user), case=OuterRef("pk"), status=TaskStatus.OPEN)
    return visible_cases(user).filter(Q(Exists(assigned)) | Q(Exists(tasked)))


def overview_cases(user) -> QuerySet[Case]:
    """Hyresrådgivare: every case of the organisation; chef: the department's (visible_cases decides)."""
    return visible_cases(user)


def case_list_rows(queryset: QuerySet[Case], *, today: dt.date | None = None) -> QuerySet[Case]:
    """What a list row shows, in a fixed number of queries whatever the number of rows:
    the case with its lead unit and household (one join), members and open tasks
    (two prefetches), nearest deadline and overdue flag (subqueries)."""
    today = today or timezone.localdate()
    open_tasks = Task.objects.filter(case=OuterRef("pk"), status=TaskStatus.OPEN)
    next_task_due = Subquery(open_tasks.order_by("due_date").values("due_date")[:1], output_field=DateField())
    return (
        queryset.select_related("household", "lead_unit")
        .annotate(
            next_task_due=next_task_due,
            overdue=Exists(open_tasks.filter(due_date__lt=today)),
            next_deadline=Least(
                Coalesce("eviction_date", Value(_NO_DATE)),
                Coalesce("recovery_deadline", Value(_NO_DATE)),
                Coalesce("reply_deadline", Value(_NO_DATE)),
                Coalesce(next_task_due, Value(_NO_DATE)),
                output_field=DateField(),
            ),
        )
        .prefetch_related(
            Prefetch("household__members", queryset=Person.objects.order_by("id")),
            Prefetch(
                "tasks",
                queryset=Task.objects.filter(status=TaskStatus.OPEN).select_related("unit").order_by("due_date", "id"),
                to_attr="open_tasks",
            ),
        )
    )


@dataclass
class CaseFilters:
    status: str = CaseStatus.OPEN  # "" = all
    notice_type: str = ""
    children: str = ""  # "yes" | "no" | ""
    urgent: bool = False
    overdue: bool = False
    area: str = ""
    unit: Unit | None = None
    q: str = ""
    sort: str = "priority"


def case_list_filter(queryset: QuerySet[Case], filters: CaseFilters, *, today: dt.date | None = None) -> QuerySet[Case]:
    """Apply the list's filters, search and sorting. Expects case_list_rows' annotations."""
    today = today or timezone.localdate()
    qs = queryset
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.notice_type:
        qs = qs.filter(latest_notice_type=filters.notice_type)
    if filters.children == "yes":
        qs = qs.filter(children_count__gt=0)
    elif filters.children == "no":
        qs = qs.filter(children_count=0)
    if filters.urgent:
        qs = qs.filter(urgent=True)
    if filters.overdue:
        qs = qs.filter(overdue=True)
    if filters.area:
        qs = qs.filter(household__area=filters.area)
    if filters.unit is not None:
        qs = qs.filter(Exists(Assignment.objects.filter(case=OuterRef("pk"), unit=filters.unit, ended_at__isnull=True)))
    if filters.q:
        qs = qs.filter(_search_condition(filters.q, today))
    return qs.order_by(*CASE_SORTS.get(filters.sort, CASE_SORTS["priority"]))


def _search_condition(text: str, today: dt.date) -> Q:
    """Case number, a member's name, or a personnummer (any accepted form, matched on the stored 12 digits)."""
    text = text.strip()
    condition = Q(number__icontains=text)
    members = Person.objects.filter(household=OuterRef("household"))
    try:
        pin = normalize_personal_identity_number(text, today=today)
    except InvalidIdentityNumber:
        pin = None
    if pin:
        condition |= Exists(members.filter(personal_identity_number=pin))
    else:
        condition |= Exists(members.filter(name__icontains=text))
    return condition


def case_list_areas(user) -> list[str]:
    """The areas to filter by: those of the organisation's households (district names, no
    personal data). Read from households with an index rather than from the visible cases,
    whose DISTINCT grew with ten years of history (docs/benchmarks.md)."""
    areas = Household.objects.filter(organisation_id=user.organisation_id).exclude(area="")
    return list(areas.order_by("area").values_list("area", flat=True).distinct())


def case_units(user) -> QuerySet[Unit]:
    return Unit.objects.filter(organisation_id=user.organisation_id, is_active=True).order_by("name")


def can_see_overview(user) -> bool:
    return bool(user_roles(user) & {Role.HYRESRADGIVARE, Role.CHEF})


def works_cases(user) -> bool:
    return bool(user_roles(user) & {Role.HYRESRADGIVARE, Role.HANDLAGGARE, Role.CHEF})


# --- the case page ---


@dataclass
class TimelineEntry:
    at: dt.datetime
    kind: str  # notice | decision | assignment | assignment_end | task | task_done | contact | consent | deviation | bosam
    obj: object


def _as_datetime(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return timezone.make_aware(dt.datetime.combine(value, dt.time.min))


def case_page_data(case: Case) -> dict:
    """Everything the case page shows, each relation loaded once."""
    household: Household = case.household
    members = list(household.members.order_by("id"))
    notices = list(case.notices.select_related("landlord", "registered_by").order_by("received_date", "id"))
    decisions = list(RoutingDecision.objects.filter(case=case).order_by("created_at", "id"))
    assignments = list(case.assignments.select_related("unit", "user").order_by("created_at", "id"))
    tasks = list(case.tasks.select_related("unit", "assignee", "completed_by").order_by("due_date", "id"))
    contacts = list(case.contacts.select_related("created_by").order_by("date", "id"))
    consents = list(case.consents.select_related("recorded_by").order_by("given_on", "id"))
    deviations = list(case.deviations.select_related("created_by").order_by("occurred_on", "id"))

    timeline: list[TimelineEntry] = []
    timeline += [TimelineEntry(_as_datetime(n.registered_at), "notice", n) for n in notices]
    timeline += [TimelineEntry(d.created_at, "decision", d) for d in decisions]
    for a in assignments:
        timeline.append(TimelineEntry(a.created_at, "assignment", a))
        if a.ended_at:
            timeline.append(TimelineEntry(a.ended_at, "assignment_end", a))
    for t in tasks:
        timeline.append(TimelineEntry(t.created_at, "task", t))
        if t.completed_at:
            timeline.append(TimelineEntry(t.completed_at, "task_done", t))
    timeline += [TimelineEntry(c.created_at, "contact", c) for c in contacts]
    timeline += [TimelineEntry(c.recorded_at, "consent", c) for c in consents]
    timeline += [TimelineEntry(d.created_at, "deviation", d) for d in deviations]
    # BOSAM answers for its agenda items (imported here: cases/ must load without bosam/).
    from bosam.selectors import case_discussions

    for item in case_discussions(case):
        at = timezone.make_aware(dt.datetime.combine(item.meeting.date, item.meeting.time or dt.time.min))
        timeline.append(TimelineEntry(at, "bosam", item))
    order = {"notice": 0, "decision": 1, "assignment_end": 2, "assignment": 3, "task": 4, "task_done": 5}
    timeline.sort(key=lambda e: (e.at, order.get(e.kind, 9)), reverse=True)

    landlords = {n.landlord_id: n.landlord for n in notices if n.landlord_id}
    return {
        "household": household,
        "members": members,
        "protected_identity": any(m.protected_identity for m in members),
        "notices": notices,
        "landlords": list(landlords.values()),
        "references": [n for n in notices if n.landlord_reference or n.kronofogden_reference],
        "active_assignments": [a for a in assignments if a.ended_at is None],
        "open_tasks": [t for t in tasks if t.status == TaskStatus.OPEN],
        "timeline": timeline,
    }


def notice_with_attachment(case: Case, notice_pk: int) -> Notice | None:
    return case.notices.filter(pk=notice_pk).exclude(attachment="").first()


def household_member(case: Case, person_pk: int) -> Person | None:
    return Person.objects.filter(pk=person_pk, household_id=case.household_id).first()


# --- logguppföljning (audit review) ---

# Actions a head of unit must look at in the monthly review.
HIGHLIGHT_ACTIONS = (AuditAction.PIN_REVEAL, AuditAction.EXPORT, AuditAction.CASE_VIEW_DENIED)


def previous_month(today: dt.date) -> dt.date:
    first = today.replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    start = dt.datetime(month.year, month.month, 1, tzinfo=zone)
    end = dt.datetime(month.year + (month.month == 12), month.month % 12 + 1, 1, tzinfo=zone)
    return start, end


def audit_events_for_review(
    organisation, *, month: dt.date, user=None, unit: Unit | None = None, action: str = "", only_highlighted: bool = False
) -> QuerySet[AuditEvent]:
    start, end = month_bounds(month)
    qs = AuditEvent.objects.filter(organisation=organisation, at__gte=start, at__lt=end)
    if user is not None:
        qs = qs.filter(user=user)
    if unit is not None:
        qs = qs.filter(user_unit=unit)
    if action:
        qs = qs.filter(action=action)
    highlighted = Q(without_assignment=True) | Q(action__in=HIGHLIGHT_ACTIONS)
    if only_highlighted:
        qs = qs.filter(highlighted)
    return (
        qs.select_related("user", "user_unit", "case")
        .annotate(highlighted=CaseWhen(When(highlighted, then=Value(True)), default=Value(False), output_field=BooleanField()))
        .order_by("at", "id")
    )


def audit_review_summary(events: QuerySet[AuditEvent]) -> dict:
    base = events.order_by()
    return {
        "total": base.count(),
        "without_assignment": base.filter(without_assignment=True).count(),
        "reveals": base.filter(action=AuditAction.PIN_REVEAL).count(),
        "exports": base.filter(action=AuditAction.EXPORT).count(),
        "denied": base.filter(action=AuditAction.CASE_VIEW_DENIED).count(),
    }
