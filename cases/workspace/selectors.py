"""Reads for the case workers' workspace: lists and the case page (its timeline: timeline.py).

Every list starts from cases.access.visible_cases.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Case as DbCase
from django.db.models import (
    Count,
    DateField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Least
from django.utils import timezone
from django.utils.translation import gettext as _

from organisation.models import Role, Unit
from organisation.roles import user_roles

from ..access import visible_cases
from ..models import (
    Assignment,
    AssignmentRole,
    Case,
    CaseStatus,
    Household,
    Notice,
    Person,
    RoutingDecision,
    Task,
    TaskKind,
    TaskStatus,
)
from ..protection import household_has_protected_member, protected_household_ids
from ..rules.caseload import earliest_legal_date
from ..rules.identity import InvalidIdentityNumber, normalize_personal_identity_number
from .timeline import TIMELINE_FILTERS, CaseRecords, case_timeline

if TYPE_CHECKING:

    from organisation.models import User

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
    "legal": ("next_legal_date", "next_deadline", "number"),
    # No contact yet (NULL) first, on PostgreSQL and SQLite alike.
    "contact": (F("contact_established_on").asc(nulls_first=True), "next_deadline", "number"),
    "mytasks": ("-my_task_count", "next_deadline", "number"),
}


def _open_tasks_for(user: User) -> Q:
    condition = Q(assignee_id=user.pk)
    if user.unit_id:
        condition |= Q(unit_id=user.unit_id)
    return condition


MY_TABS = ("mine", "unit")


def my_cases(user: User, tab: str = "unit") -> QuerySet[Case]:
    """tab "mine": cases where the user is named on an active assignment or has an open task of their own;
    tab "unit": cases where the user's unit holds an active assignment or an open task (or the user does)."""
    if tab == "mine":
        assigned = Assignment.objects.filter(user_id=user.pk, case=OuterRef("pk"), ended_at__isnull=True)
        tasked = Task.objects.filter(assignee_id=user.pk, case=OuterRef("pk"), status=TaskStatus.OPEN)
        return visible_cases(user).filter(Q(Exists(assigned)) | Q(Exists(tasked)))
    unit_condition = Q(user_id=user.pk)
    if user.unit_id:
        unit_condition |= Q(unit_id=user.unit_id)
    assigned = Assignment.objects.filter(unit_condition, case=OuterRef("pk"), ended_at__isnull=True)
    tasked = Task.objects.filter(_open_tasks_for(user), case=OuterRef("pk"), status=TaskStatus.OPEN)
    return visible_cases(user).filter(Q(Exists(assigned)) | Q(Exists(tasked)))


def _unassigned_in_unit(unit_id) -> Exists:
    """The unit holds the case but no (active) person does: the unit's queue. A deactivated person's
    cases count here until someone takes them (issue 15 §3)."""
    return Exists(Assignment.objects.filter(case=OuterRef("pk"), unit_id=unit_id, ended_at__isnull=True).filter(
        Q(user__isnull=True) | Q(user__is_active=False)))


def overview_cases(user: User) -> QuerySet[Case]:
    """Hyresrådgivare: every case of the organisation; chef: the department's (visible_cases decides)."""
    return visible_cases(user)


def _ahead(field: str, today: dt.date):
    return DbCase(When(**{f"{field}__gte": today}, then=F(field)), default=Value(_NO_DATE), output_field=DateField())


def case_list_rows(queryset: QuerySet[Case], *, today: dt.date | None = None, user: User | None = None) -> QuerySet[Case]:
    """What a list row shows, in a fixed number of queries whatever the number of rows:
    the case with its lead unit and household (one join), members and open tasks with their
    person (two prefetches), nearest deadline, nearest legal date ahead, overdue flag and the
    user's own open tasks (subqueries). Whether the user's unit has the case unassigned: case_list_filter, for the
    unit's tab only."""
    today = today or timezone.localdate()
    open_tasks = Task.objects.filter(case=OuterRef("pk"), status=TaskStatus.OPEN)
    next_task_due = Subquery(open_tasks.order_by("due_date").values("due_date")[:1], output_field=DateField())
    mine = open_tasks.filter(assignee_id=user.pk) if user is not None else open_tasks.none()
    return (
        queryset.select_related("household", "lead_unit")
        .annotate(
            next_legal_date=Least(
                _ahead("recovery_deadline", today), _ahead("reply_deadline", today), _ahead("eviction_date", today),
                output_field=DateField(),
            ),
            my_task_count=Coalesce(Subquery(mine.order_by().values("case").annotate(n=Count("pk")).values("n")[:1]), Value(0)),
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
                queryset=Task.objects.filter(status=TaskStatus.OPEN).select_related("unit", "assignee").order_by("due_date", "id"),
                to_attr="open_tasks",
            ),
            Prefetch(
                "assignments",
                queryset=Assignment.objects.filter(ended_at__isnull=True).select_related("user").order_by("id"),
                to_attr="active_assignments",
            ),
        )
    )


def rows_for_display(cases: Iterable[Case], user: User, *, today: dt.date | None = None) -> list[Case]:
    """A page of case_list_rows, each case given what its row shows (no queries: read from the
    prefetched tasks and the case's own dates): the earliest legal date with kind and days left,
    the user's own open tasks (all of them), the unit's unassigned ones, and how many others there are."""
    today = today or timezone.localdate()
    rows = list(cases)
    for case in rows:
        case.legal_date = earliest_legal_date(recovery_deadline=case.recovery_deadline, reply_deadline=case.reply_deadline,
                                              eviction_date=case.eviction_date, today=today)
        tasks = getattr(case, "open_tasks", [])
        case.my_tasks = [t for t in tasks if t.assignee_id == user.pk]
        case.unit_tasks = [t for t in tasks if t.assignee_id != user.pk and user.unit_id and t.unit_id == user.unit_id]
        case.other_task_count = len(tasks) - len(case.my_tasks) - len(case.unit_tasks)
    return rows


def case_list_page(rows: QuerySet[Case], number, per_page: int, *, searched_within: QuerySet[Case] | None = None) -> Page:
    """A page of the list. A number past the end gives the last page, as Paginator.get_page does.

    After a search (`searched_within`: the list's rows before its filters, case_list_rows of the user's cases) in
    two steps (issue 16): the page's ids with the list's total (COUNT(*) OVER ()) from the search, then those rows
    with what they show. The search's own count ran the name search again (20 of 55 ms at 1,000,000 notices, a
    common surname over all statuses); reading whole rows for every match (household, unit, before the top 25 were
    taken) cost 56 ms of SQL where the ids cost 40. Not for the other lists: an index gives their first rows and
    their count alone, where the window would read every matching case."""
    paginator = Paginator(rows, per_page)
    if searched_within is None:
        return paginator.get_page(number)
    try:
        number = max(int(number), 1)
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * per_page
    found = list(rows.annotate(list_total=Window(Count("pk"))).values_list("pk", "list_total")[start:start + per_page])
    if not found and number > 1:
        return paginator.get_page(number)
    by_id = {case.pk: case for case in searched_within.filter(pk__in=[pk for pk, _total in found])}
    paginator.count = found[0][1] if found else 0  # what the paginator would otherwise count
    return Page([by_id[pk] for pk, _total in found if pk in by_id], number, paginator)


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
    contact: str = ""  # "yes" | "no" | "": contact with the household established
    legal_within: int | None = None  # a legal date within this many days
    my_tasks: bool = False  # only cases where I have an open task
    queue_of_unit: int | None = None  # the unit's tab: this unit's queue (its cases no one in it holds) first


def case_list_filter(
    queryset: QuerySet[Case], filters: CaseFilters, *, today: dt.date | None = None, organisation_id: int | None = None
) -> QuerySet[Case]:
    """Apply the list's filters, search and sorting. Expects case_list_rows' annotations. `organisation_id`, the
    organisation the queryset is limited to, lets the name search read only that organisation's persons."""
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
        # A household with protected identity is never found by where it lives: otherwise
        # the filter would tell its area, which the list itself hides (issue 10, defect 6).
        qs = qs.filter(household__area=filters.area).exclude(household_id__in=protected_household_ids())
    if filters.unit is not None:
        qs = qs.filter(Exists(Assignment.objects.filter(case=OuterRef("pk"), unit=filters.unit, ended_at__isnull=True)))
    qs = _work_filter(qs, filters, today)
    if filters.q:
        qs = qs.filter(_search_condition(qs, filters.q, today, organisation_id))
    return _sorted(qs, filters)


def _sorted(qs: QuerySet[Case], filters: CaseFilters) -> QuerySet[Case]:
    ordering = CASE_SORTS.get(filters.sort, CASE_SORTS["priority"])
    if filters.queue_of_unit is None:
        return qs.order_by(*ordering)
    # Only where it sorts (the unit's tab): on every list the EXISTS made PostgreSQL read all the unit's assignments,
    # 24 ms of the overview's 35 at 1,000,000 notices (issue 16).
    return qs.annotate(unassigned=_unassigned_in_unit(filters.queue_of_unit)).order_by("-unassigned", *ordering)


def _work_filter(qs: QuerySet[Case], filters: CaseFilters, today: dt.date) -> QuerySet[Case]:
    """The filters of "what must I do today" (issue 12 item 2): contact, a legal date soon, my own tasks."""
    if filters.contact == "yes":
        qs = qs.filter(contact_established_on__isnull=False)
    elif filters.contact == "no":
        qs = qs.filter(contact_established_on__isnull=True)
    if filters.legal_within is not None:
        qs = qs.filter(next_legal_date__lte=today + dt.timedelta(days=filters.legal_within))
    if filters.my_tasks:
        qs = qs.filter(my_task_count__gt=0)
    return qs


_CASE_NUMBER_PART = re.compile(r"[0-9][0-9 -]*|-[0-9 -]*")


def _search_condition(queryset: QuerySet[Case], text: str, today: dt.date, organisation_id: int | None = None) -> Q:
    """Case number, a member's name, or a personnummer (any accepted form, matched on the stored 12 digits).

    The cases of the households whose members match (the trigram index on the name, the index on the personnummer),
    read as a filter on the list's household column: with the page read as ids first (case_list_page) PostgreSQL
    goes from the matching persons to their cases (56 ms at 1,000,000 notices, where a self-join on the case ids
    cost 74; with the whole rows it had joined every household of the district, 130 ms).
    A text that can be a case number too (digits and a dash; a personnummer is one) is a union of two id sets, each
    read within the list's own filters (organisation, status, ...) before they meet: an OR of the two made
    PostgreSQL visit every case of the district (docs/benchmarks.md)."""
    text = text.strip()
    try:
        pin = normalize_personal_identity_number(text, today=today)
    except InvalidIdentityNumber:
        pin = None
    base = queryset.order_by()
    sides = []
    if _CASE_NUMBER_PART.fullmatch(text):  # a case number is digits and a dash: a name never matches one
        sides.append(Q(number__icontains=text))
    # The persons of the list's own organisation only (Person.organisation, the trigram index on (organisation,
    # name), issue 16); without an organisation, those of the list's own households.
    persons = Person.of_organisation(organisation_id) if organisation_id is not None else Person.objects.all()
    if pin:
        members = persons.filter(personal_identity_number=pin)
    elif any(ch.isalpha() for ch in text):
        members = persons.filter(name__icontains=text)
    else:
        members = None
    if members is not None:
        if organisation_id is None:
            members = members.filter(household_id__in=base.values("household_id"))
        sides.append(Q(household_id__in=members.values("household_id")))
    if not sides:
        return Q(pk__in=[])
    if len(sides) == 1:
        return sides[0]
    first, *others = (base.filter(side).values("pk") for side in sides)
    return Q(pk__in=first.union(*others))


def search_kinds(text: str, *, today: dt.date | None = None) -> list[str]:
    """What the list's search box matched on, for the audit log (the text is never logged)."""
    text = (text or "").strip()
    if not text:
        return ["lista"]
    try:
        normalize_personal_identity_number(text, today=today or timezone.localdate())
    except InvalidIdentityNumber:
        return ["ärendenummer", "namn"]
    return ["personnummer"]


def filters_summary(filters: CaseFilters) -> str:
    """The list's filters for the audit log: status, notice type, area, unit and flags; not the query."""
    parts = []
    for name in ("status", "notice_type", "children", "area", "sort", "contact", "legal_within"):
        value = getattr(filters, name, "")
        if value:
            parts.append(f"{name}={value}")
    if filters.unit is not None:
        parts.append(f"unit={filters.unit.code}")
    for name in ("urgent", "overdue", "my_tasks"):
        if getattr(filters, name, False):
            parts.append(name)
    return ", ".join(parts)


def case_list_areas(user: User) -> list[str]:
    """The areas to filter by: those of the organisation's households (district names, no personal data), not of
    protected households only: an area known only through one would name where it lives.

    A district has tens of areas and tens of thousands of households: the query jumps from one area to the next in
    the index (organisation, area, id) and asks, for each, whether one household there has no protected member. A
    DISTINCT over the households read the whole index on every list page (8-10 ms at 1,000,000 notices, issue 16)."""
    with connection.cursor() as cursor:
        cursor.execute(_AREAS_SQL, {"organisation": user.organisation_id})
        return [area for (area,) in cursor.fetchall()]


# PostgreSQL and SQLite alike (the demo); the tables of Household and Person. The check per area is a scalar
# subquery with LIMIT 1: as an EXISTS, PostgreSQL made it one anti-join over all the district's households (21 ms at
# 1,000,000 notices, where this is 0.6).
_AREAS_SQL = """
        WITH RECURSIVE areas(area) AS (
            SELECT MIN(area) FROM cases_household WHERE organisation_id = %(organisation)s AND area > ''
            UNION ALL
            SELECT (SELECT MIN(h.area) FROM cases_household h WHERE h.organisation_id = %(organisation)s AND h.area > areas.area)
            FROM areas WHERE areas.area IS NOT NULL
        )
        SELECT areas.area FROM areas
        WHERE areas.area IS NOT NULL AND (
            SELECT 1 FROM cases_household h WHERE h.organisation_id = %(organisation)s AND h.area = areas.area
            AND NOT EXISTS (SELECT 1 FROM cases_person p WHERE p.household_id = h.id AND p.protected_identity) LIMIT 1
        ) = 1
        ORDER BY areas.area"""


def case_units(user: User) -> QuerySet[Unit]:
    return Unit.objects.filter(organisation_id=user.organisation_id, is_active=True).order_by("name")


def can_see_overview(user: User) -> bool:
    return bool(user_roles(user) & {Role.HYRESRADGIVARE, Role.CHEF})


def works_cases(user: User) -> bool:
    return bool(user_roles(user) & {Role.HYRESRADGIVARE, Role.HANDLAGGARE, Role.CHEF})


# --- the case page ---


def next_legal_date(case: Case, today) -> tuple[str, object] | None:
    """The nearest legal date still ahead (or today): (what, date), or None."""
    dates = [
        (case.recovery_deadline, _("Återvinningsfrist")),
        (case.reply_deadline, _("Svarsfrist till Kronofogden")),
        (case.eviction_date, _("Avhysningsdatum")),
    ]
    ahead = sorted((d, label) for d, label in dates if d is not None and d >= today)
    return (ahead[0][1], ahead[0][0]) if ahead else None


def case_page_data(case: Case, *, show: str = "", everything: bool = True, today=None) -> dict:
    """Everything the case page shows, each relation loaded once; `show` filters the timeline (?visa=)."""
    today = today or timezone.localdate()
    household: Household = case.household
    members = list(household.members.order_by("id"))
    notices = list(case.notices.select_related("landlord", "registered_by").order_by("received_date", "id"))
    decisions = list(RoutingDecision.objects.filter(case=case).order_by("created_at", "id"))
    assignments = list(case.assignments.select_related("unit", "user").order_by("created_at", "id"))
    tasks = list(case.tasks.select_related("unit", "assignee", "completed_by__unit", "undone_by").order_by("due_date", "id"))
    contacts = list(case.contacts.select_related("created_by").order_by("date", "id"))
    consents = list(case.consents.select_related("recorded_by").order_by("given_on", "id"))
    deviations = list(case.deviations.select_related("created_by").order_by("occurred_on", "id"))

    # The units the plan's explanations name are the case's (assigned or with a task): their current names.
    unit_names = {u.code: u.name for u in [case.lead_unit, *(a.unit for a in assignments), *(t.unit for t in tasks)] if u}
    timeline = case_timeline(
        case,
        CaseRecords(
            notices=notices,
            decisions=decisions,
            assignments=assignments,
            tasks=tasks,
            contacts=contacts,
            consents=consents,
            deviations=deviations,
            unit_names=unit_names,
        ),
        show=show,
        everything=everything,
    )
    active_assignments = [a for a in assignments if a.ended_at is None]
    open_tasks = [t for t in tasks if t.status == TaskStatus.OPEN]

    landlords = {n.landlord_id: n.landlord for n in notices if n.landlord_id}
    sent_letters = list(case.sent_letters.select_related("created_by").order_by("sent_on", "id"))
    return {
        "household": household,
        "members": members,
        "protected_identity": household_has_protected_member(members),
        # The letters as sent (issue 11): served from the stored file, never re-rendered.
        "sent_letters": sent_letters,
        # "Klart i dag": what may still be undone (issue 12 item 4); who may is decided per reader.
        "done_today": [t for t in tasks if t.status == TaskStatus.DONE and t.completed_at and timezone.localdate(t.completed_at) == today],
        "letter_task_ids": {letter.task_id for letter in sent_letters},
        # Which language an open letter will be written in (issue 14 §3); nothing to say without a preference.
        "letter_language_note": _letter_language_note(case, household, open_tasks),
        "notices": notices,
        "landlords": list(landlords.values()),
        "references": [n for n in notices if n.landlord_reference or n.kronofogden_reference],
        "active_assignments": active_assignments,
        "open_tasks": open_tasks,
        # The summary header (issue 12, item 3)
        "lead_assignment": next((a for a in active_assignments if a.role == AssignmentRole.LEAD), None),
        "next_legal": next_legal_date(case, today),
        "next_task": min(open_tasks, key=lambda t: (t.due_date, t.pk), default=None),
        "timeline": timeline.entries,
        "upcoming": timeline.upcoming,
        "timeline_shown": timeline.shown,
        "timeline_hidden": timeline.hidden,
        "timeline_filters": [(key, label) for key, (label, _kinds) in TIMELINE_FILTERS.items()],
    }


def _letter_language_note(case: Case, household: Household, open_tasks: list[Task]) -> str:
    if not household.preferred_language or not any(t.kind == TaskKind.SEND_LETTER for t in open_tasks):
        return ""
    from ..intake.letters import letter_language_note

    return letter_language_note(case.organisation, household.preferred_language)


def case_open_tasks(case: Case) -> list[Task]:
    """The case's open tasks, nearest due first (what closing the case would cancel)."""
    return list(case.tasks.filter(status=TaskStatus.OPEN).select_related("unit", "assignee").order_by("due_date", "id"))


def notice_with_attachment(case: Case, notice_pk: int) -> Notice | None:
    return case.notices.filter(pk=notice_pk).exclude(attachment="").first()


def household_member(case: Case, person_pk: int) -> Person | None:
    return Person.objects.filter(pk=person_pk, household_id=case.household_id).first()
