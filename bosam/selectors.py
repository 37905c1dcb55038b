"""Reads on BOSAM. The only place where bosam/ reads case facts (cases.models, read-only).

`next_meeting_date` and `case_ids_on_agendas` are used by cases/ (urgency, the
chair's read access). `agenda_content` is the one description of an agenda:
the web page, the PDF, its cache key and the frozen minutes all come from it,
so the same agenda always renders the same text.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone

from cases import amounts
from cases.explanations import agenda_reason_text, deviation_text, organisation_names
from cases.models import (
    BosamRequest,
    BosamRequestReason,
    BosamRequestStatus,
    Case,
    CaseStatus,
    Deviation,
    DeviationKind,
    Notice,
    NoticeType,
    TaskStatus,
)
from cases.protection import PROTECTED_DESIGNATION, designation_for, household_has_protected_member, protected_household_ids
from cases.rules.deadlines import is_urgent
from cases.rules.routing import KRONOFOGDEN_NOTICES
from cases.system_sentences import parse_closing
from organisation.models import Department, Organisation, Role, User

from .models import Activity, AgendaItem, AgendaSection, Attendance, Meeting, MeetingStatus

# Section 1 groups, most serious first: the meeting reads the eviction dates before the warnings.
NOTICE_TYPE_ORDER = [
    NoticeType.EVICTION_DATE,
    NoticeType.EVICTION_APPLICATION,
    NoticeType.RENT_ARREARS_TERMINATION,
    NoticeType.DISTURBANCE_TERMINATION,
    NoticeType.OTHER_TERMINATION,
    NoticeType.DISTURBANCE_WARNING,
]
ACTIVE_STATUSES = (MeetingStatus.PLANNED, MeetingStatus.STARTED)
# Deviations whose description the application writes from a fixed text (no names, no addresses).
GENERATED_DEVIATION_KINDS = (
    DeviationKind.BOSAM_ABSENCE, DeviationKind.TASK_OVERDUE, DeviationKind.NO_REPORT_OF_CONCERN, DeviationKind.EVICTION_WITHOUT_CONTACT,
)
# Roles that take part in BOSAM and may read its agendas (the chair and the departments' staff).
PARTICIPANT_ROLES = (Role.HYRESRADGIVARE, Role.HANDLAGGARE, Role.CHEF)


# --- used by cases/ ------------------------------------------------------------------


def next_meeting_date(organisation: Organisation, today: dt.date) -> dt.date | None:
    """The next planned (or running) meeting on or after today."""
    return (
        Meeting.objects.filter(organisation=organisation, date__gte=today, status__in=ACTIVE_STATUSES)
        .order_by("date", "time")
        .values_list("date", flat=True)
        .first()
    )


def case_ids_on_agendas(organisation: Organisation) -> QuerySet:
    """Ids of cases on any (not struck) agenda item of the organisation's meetings; usable in `pk__in`."""
    return AgendaItem.objects.filter(meeting__organisation=organisation, removed_at__isnull=True).values("case_id")


# --- meetings ----------------------------------------------------------------------


def previous_meeting(meeting: Meeting) -> Meeting | None:
    return (
        Meeting.objects.filter(series_id=meeting.series_id, date__lt=meeting.date)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("-date", "-time")
        .first()
    )


def agenda_since(meeting: Meeting) -> dt.date:
    """Section 1 and 5 cover what happened after the previous meeting (or one interval back)."""
    previous = previous_meeting(meeting)
    return previous.date if previous else meeting.date - dt.timedelta(days=meeting.series.interval_days)


def meetings_to_prepare(today: dt.date) -> QuerySet[Meeting]:
    """Planned meetings today or later (the agenda date is checked per series' lead time by the service)."""
    return Meeting.objects.filter(status=MeetingStatus.PLANNED, date__gte=today).select_related("series", "organisation")


def case_by_number(organisation: Organisation, number: str) -> Case | None:
    return Case.objects.filter(organisation=organisation, number=number.strip()).first()


def participant_addresses(meeting: Meeting) -> list[str]:
    """Who is told that the agenda is ready: staff of the participating departments, the chairs, and extra addresses."""
    series = meeting.series
    staff = User.objects.filter(
        organisation_id=meeting.organisation_id, is_active=True,
        unit__department__in=series.departments.all(), groups__name__in=[r.value for r in PARTICIPANT_ROLES],
    )
    chairs = User.objects.filter(organisation_id=meeting.organisation_id, is_active=True, groups__name=Role.BOSAM_ORDFORANDE)
    addresses = set(staff.exclude(email="").values_list("email", flat=True))
    addresses |= set(chairs.exclude(email="").values_list("email", flat=True))
    addresses |= set(series.recipient_addresses())
    return sorted(addresses)


# --- the agenda: candidates --------------------------------------------------------


def _key_date(case: Case) -> dt.date:
    dates = [d for d in (case.eviction_date, case.recovery_deadline, case.reply_deadline) if d]
    return min(dates) if dates else dt.date.max


def _rank(notice_type: str) -> int:
    return NOTICE_TYPE_ORDER.index(notice_type) if notice_type in NOTICE_TYPE_ORDER else len(NOTICE_TYPE_ORDER)


def agenda_sort_key(section: str, notice_type: str, children: int, urgent: bool, case: Case) -> tuple:
    """Families with children first in every section (R9); section 1 then by notice type;
    then urgent first, the nearest eviction date or recovery deadline first, the case number last."""
    group = _rank(notice_type) if section == AgendaSection.NEW_NOTICES else 0
    return (children == 0, group, not urgent, _key_date(case), case.number)


def _discussion_threshold(meeting: Meeting, after_meetings: int) -> dt.date | None:
    """The date of the N-th most recent held meeting of the series before this one: a case not discussed
    since then (and open since before then) comes up in section 2 again. None: fewer meetings held."""
    held = list(
        Meeting.objects.filter(series_id=meeting.series_id, status=MeetingStatus.CLOSED, date__lt=meeting.date)
        .order_by("-date").values_list("date", flat=True)[:after_meetings]
    )
    return held[-1] if len(held) == after_meetings else None


def _request_entry(unit: str, reason: str) -> dict:
    """A unit's request as the agenda shows it: the unit and the reason's label, never free text (issue 12 §5).
    A code that is not one (minutes locked before the reasons were codes) reads as "Annat"."""
    code = reason if reason in BosamRequestReason.values else BosamRequestReason.OTHER
    return {"unit": unit, "reason": code, "reason_label": str(BosamRequestReason(code).label)}


def bosam_requests_for(meeting: Meeting, case_ids=None) -> dict[int, list[dict]]:
    """The units' requests the meeting's agenda shows, by case: the open ones (they stand until a meeting
    discusses the case) and those this meeting handled."""
    requests = (
        BosamRequest.objects.filter(case__organisation_id=meeting.organisation_id)
        .filter(Q(status=BosamRequestStatus.OPEN) | Q(status=BosamRequestStatus.HANDLED, handled_meeting_id=meeting.pk))
        .select_related("unit").order_by("requested_at", "id")
    )
    if case_ids is not None:
        requests = requests.filter(case_id__in=case_ids)
    result: dict[int, list[dict]] = defaultdict(list)
    for r in requests:
        result[r.case_id].append(_request_entry(r.unit.name, r.reason))
    return result


def open_request_case_ids(meeting: Meeting, case_ids=None) -> set[int]:
    """Cases with an open request of a unit: section 2 until a meeting discusses them."""
    requests = BosamRequest.objects.filter(case__organisation_id=meeting.organisation_id, status=BosamRequestStatus.OPEN)
    if case_ids is not None:
        requests = requests.filter(case_id__in=case_ids)
    return set(requests.values_list("case_id", flat=True))


def agenda_selection(meeting: Meeting, *, today: dt.date, case_ids: list[int] | None = None) -> tuple[list[dict], set[int]]:
    """The cases the agenda should hold (sections 1 and 2) in their natural order, and the ids of the
    other open cases at risk it leaves out (the agenda shows their number).

    Section 1: open cases with a notice received since the previous meeting (R4), grouped by the type
    of the latest such notice. Section 2 (issue 12): only the other open cases still under threat that
    need the forum: at the Kronofogden stage, urgent for this meeting, with a unit's open request (it stands
    until a meeting discusses the case), or not discussed at the last N held meetings (plan setting
    `bosam_review_after_meetings`). The chair's own items are kept by
    `agenda_prepare` whatever this says. `case_ids` limits the selection to those cases (a case changed)."""
    from cases.services import plan_config_for

    since = agenda_since(meeting)
    new_types: dict[int, str] = {}
    notices = (
        Notice.objects.filter(
            case__organisation_id=meeting.organisation_id, case__status=CaseStatus.OPEN,
            received_date__gt=since, received_date__lte=max(today, meeting.date),
        )
        .exclude(notice_type=NoticeType.EVICTION_CANCELLED)
        .order_by("received_date", "id")
        .values_list("case_id", "notice_type")
    )
    if case_ids is not None:
        notices = notices.filter(case_id__in=case_ids)
    for case_id, notice_type in notices:
        new_types[case_id] = notice_type  # the latest wins
    requested = open_request_case_ids(meeting, case_ids)
    cases = (
        Case.objects.filter(organisation_id=meeting.organisation_id, status=CaseStatus.OPEN)
        .filter(
            Q(pk__in=list(new_types) + list(requested)) | ~Q(latest_notice_type__in=["", NoticeType.EVICTION_CANCELLED])
        )
        .only("id", "number", "children_count", "eviction_date", "recovery_deadline", "reply_deadline", "latest_notice_type",
              "opened_at")
    )
    if case_ids is not None:
        cases = cases.filter(pk__in=case_ids)
    threshold = _discussion_threshold(meeting, plan_config_for(meeting.organisation).bosam_review_after_meetings)
    last_discussed: dict[int, dt.date] = {}
    if threshold is not None:
        discussed = (
            AgendaItem.objects.filter(meeting__series_id=meeting.series_id, meeting__status=MeetingStatus.CLOSED, discussed=True)
            .values_list("case_id", "meeting__date")
        )
        if case_ids is not None:
            discussed = discussed.filter(case_id__in=case_ids)
        for case_id, date in discussed:
            last_discussed[case_id] = max(date, last_discussed.get(case_id, date))
    result, others = [], set()
    for case in cases:
        section = AgendaSection.NEW_NOTICES if case.pk in new_types else AgendaSection.AT_RISK
        notice_type = new_types.get(case.pk, case.latest_notice_type)
        urgent = is_urgent(
            today=today, recovery_deadline=case.recovery_deadline, eviction_date=case.eviction_date, next_meeting_date=meeting.date,
            reply_deadline=case.reply_deadline,
        )
        if section == AgendaSection.AT_RISK and not (
            urgent or case.latest_notice_type in KRONOFOGDEN_NOTICES or case.pk in requested
            or (threshold is not None and timezone.localdate(case.opened_at) < threshold
                and last_discussed.get(case.pk, dt.date.min) < threshold)
        ):
            others.add(case.pk)
            continue
        result.append({
            "case_id": case.pk, "section": section, "notice_type": notice_type, "urgent": urgent,
            "children_count": case.children_count,
            "sort_key": agenda_sort_key(section, notice_type, case.children_count, urgent, case),
        })
    result.sort(key=lambda c: (c["section"] != AgendaSection.NEW_NOTICES, c["sort_key"]))
    return result, others


def agenda_candidates(meeting: Meeting, *, today: dt.date) -> list[dict]:
    """The cases the agenda should hold (see agenda_selection)."""
    return agenda_selection(meeting, today=today)[0]


# --- the agenda: its content -------------------------------------------------------


def format_kronor(amount: Decimal | None) -> str:
    # The one Swedish amount format of the application (issue 12 item 8).
    return amounts.format_kronor(amount)


def _iso(d: dt.date | None) -> str:
    return d.isoformat() if d else ""


def _activity_entry(activity: Activity, meeting_date: dt.date | None = None) -> dict:
    task = activity.task
    return {
        "id": activity.pk,
        "case_id": activity.case_id,
        "number": activity.case.number,
        "what": task.title,
        "unit": task.unit.name,
        "unit_code": task.unit.code,
        "department": task.unit.department.name,
        "due_date": _iso(task.due_date),
        "status": task.status,
        "status_label": str(task.get_status_display()),
        "overdue": bool(meeting_date and task.status == TaskStatus.OPEN and task.due_date < meeting_date),
        "decided_on": _iso(activity.meeting.date),
    }


def _item_entry(item: AgendaItem, activities: list[Activity], requests: list[dict] | None = None) -> dict:
    case = item.case
    members = list(case.household.members.all())
    # The agenda goes to every department: a protected person is the case number and
    # "skyddad identitet", no name, and nothing about where they live, not even the area.
    protected = household_has_protected_member(members)
    return {
        "item_id": item.pk,
        "case_id": case.pk,
        "number": case.number,
        "designation": designation_for(members),
        "protected": protected,
        "area": "" if protected else case.household.area,
        "children_count": item.children_count,
        "notice_type": item.notice_type,
        # A break opportunity after "/" (zero-width space): "Tillsägelse/rättelseanmaning" fits its column unbroken.
        "notice_type_label": (
            str(NoticeType(item.notice_type).label).replace("/", "/\u200b") if item.notice_type in NoticeType.values else ""
        ),
        "debt": format_kronor(case.debt_amount),
        "recovery_deadline": _iso(case.recovery_deadline),
        "eviction_date": _iso(case.eviction_date),
        "reply_deadline": _iso(case.reply_deadline),
        "lead_unit": case.lead_unit.name if case.lead_unit else "",
        "urgent": item.urgent,
        "added_by_chair": item.added_by_chair,
        "added_reason": item.shown_added_reason,
        # Kept so that frozen minutes are worded again for each reader (`_reword`).
        "added_sentence": {"id": item.added_sentence, "params": item.added_params} if item.added_sentence else None,
        "note": item.note,
        "discussed": item.discussed,
        "carried_to": _iso(item.carried_to.date) if item.carried_to_id else "",
        "activities": [_activity_entry(a) for a in activities],
        "requests": requests or [],
    }


def _mask_protected(content: dict) -> dict:
    """Locked minutes keep what was decided, but never show a name or area for a household that
    has protected identity now (minutes locked before issue 11, or protection granted later)."""
    entries = [e for section in content.get("sections", []) for e in section.get("items", [])]
    protected_ids = set(
        Case.objects.filter(pk__in=[e["case_id"] for e in entries if "case_id" in e], household_id__in=protected_household_ids())
        .values_list("pk", flat=True)
    )
    for entry in entries:
        if entry.get("case_id") in protected_ids:
            entry.update(designation=str(PROTECTED_DESIGNATION), area="", protected=True)
    return content


def _requests_as_codes(content: dict) -> dict:
    """Locked minutes show a request's reason as its label in the reader's language; minutes locked while the
    reason was free text lose that text here (it may name people: it stays on the case page)."""
    for section in content.get("sections", []):
        for entry in section.get("items", []):
            entry["requests"] = [_request_entry(r.get("unit", ""), r.get("reason", "")) for r in entry.get("requests", [])]
    return content


def agenda_content(meeting: Meeting) -> dict:
    """Everything the agenda (and, once closed, the minutes) shows, as plain JSON-able data.

    Data minimisation: case number, household designation (initials), area,
    children, notice type, debt, key dates and responsible unit. Never a
    personnummer or a street address; no area for a household with protected identity."""
    if meeting.status == MeetingStatus.CLOSED and meeting.minutes:
        return _reword(_requests_as_codes(_mask_protected(meeting.minutes)), meeting.organisation_id)
    series = meeting.series
    previous = previous_meeting(meeting)
    since = previous.date if previous else meeting.date - dt.timedelta(days=series.interval_days)
    following = (
        Meeting.objects.filter(series_id=meeting.series_id, date__gt=meeting.date, status__in=ACTIVE_STATUSES)
        .order_by("date", "time").only("date", "time", "place").first()
    )
    items = list(
        meeting.items.select_related("case__household", "case__lead_unit", "carried_to")
        .prefetch_related("case__household__members")
        .order_by("section", "position", "id")
    )
    activities_by_item: dict[int, list[Activity]] = defaultdict(list)
    for activity in meeting.activities.select_related("task__unit__department", "case", "meeting").order_by("id"):
        activities_by_item[activity.item_id].append(activity)

    requests = bosam_requests_for(meeting, [i.case_id for i in items])
    sections = []
    for section in AgendaSection:
        entries = [
            _item_entry(i, activities_by_item[i.pk], requests.get(i.case_id))
            for i in items if i.section == section and not i.is_removed
        ]
        sections.append({"code": section.value, "title": str(section.label), "items": entries})
    live = [e for s in sections for e in s["items"]]
    with_children = [e for e in live if e["children_count"]]

    follow_up = _follow_up(meeting, since)
    deviations = _deviations(meeting, since)
    attendance = _attendance(meeting)
    removed = [
        {"item_id": i.pk, "number": i.case.number, "reason": i.removed_reason} for i in items if i.is_removed
    ]
    return {
        "meeting": {
            "id": meeting.pk,
            "date": _iso(meeting.date),
            "time": meeting.time.strftime("%H:%M"),
            "place": meeting.place,
            "series": series.name,
            "status": meeting.status,
            "status_label": str(MeetingStatus(meeting.status).label),
            "since": _iso(since),
        },
        "sections": sections,
        "children": {
            "cases": len(with_children),
            "children": sum(e["children_count"] for e in with_children),
            "numbers": [e["number"] for e in with_children],
        },
        "urgent_count": sum(1 for e in live if e["urgent"]),
        "case_count": len(live),
        "follow_up": [{"department": name, "activities": entries} for name, entries in follow_up.items()],
        "deviations": deviations,
        "attendance": attendance,
        "removed": removed,
        "other_open_count": meeting.other_open_count,
        # The formal items of the minutes (issue 12): opening, attendance (above), previous minutes, next meeting.
        "formal": {
            "opened_at": timezone.localtime(meeting.started_at).strftime("%H:%M") if meeting.started_at else "",
            "previous": {"date": _iso(previous.date), "locked": previous.status == MeetingStatus.CLOSED} if previous else None,
            "next": {"date": _iso(following.date), "time": following.time.strftime("%H:%M"), "place": following.place}
            if following else None,
        },
        "justering": {"keeper": meeting.minutes_keeper, "checker": meeting.minutes_checker},
        "deviation_summary": _deviation_summary(deviations),
    }


def _deviation_summary(deviations: list[dict]) -> list[dict]:
    """The deviations by kind, most frequent first: the agenda shows this, the list goes to an appendix."""
    counts: dict[str, int] = defaultdict(int)
    for deviation in deviations:
        counts[deviation["kind"]] += 1
    return [{"kind": kind, "count": n} for kind, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def _follow_up(meeting: Meeting, since: dt.date) -> dict[str, list]:
    """Activities of earlier meetings still open, or done since the last meeting, by the department that does them."""
    since_start = timezone.make_aware(dt.datetime.combine(since + dt.timedelta(days=1), dt.time.min))
    follow = (
        Activity.objects.filter(meeting__organisation_id=meeting.organisation_id, meeting__date__lt=meeting.date)
        .filter(Q(task__status=TaskStatus.OPEN) | Q(task__completed_at__gte=since_start))
        .select_related("task__unit__department", "case", "meeting")
        # Only the earlier meeting's date is shown: its frozen minutes (large JSON) and the cases' JSON fields stay in the database.
        .defer("meeting__minutes", "case__explanation", "case__flags")
        .order_by("task__unit__department__name", "task__due_date", "id")
    )
    follow_up: dict[str, list] = {}
    for activity in follow:
        follow_up.setdefault(activity.task.unit.department.name, []).append(_activity_entry(activity, meeting.date))
    return follow_up


def _deviations(meeting: Meeting, since: dt.date) -> list[dict]:
    """The organisation's deviations since the last meeting, without free text that may name people.
    A description the application wrote is worded in the active language with the current names; its
    sentence is kept too, so that frozen minutes are worded again for each reader (`_reword`)."""
    names = organisation_names(meeting.organisation_id)
    deviations = []
    for deviation in (
        # From the previous meeting's own day on: an absence there is dated that day.
        Deviation.objects.filter(organisation_id=meeting.organisation_id, occurred_on__gte=since, occurred_on__lte=meeting.date)
        .select_related("case")
        .order_by("occurred_on", "id")
    ):
        deviations.append({
            "date": _iso(deviation.occurred_on),
            "kind": str(deviation.get_kind_display()),
            "number": deviation.shown_case_number,
            # Manual deviations and overrides carry free text that may name people; only generated descriptions are shown.
            "description": deviation_text(deviation, *names) if deviation.kind in GENERATED_DEVIATION_KINDS else "",
            "kind_code": deviation.kind,
            "sentence": {"id": deviation.sentence, "params": deviation.params}
            if deviation.sentence and deviation.kind in GENERATED_DEVIATION_KINDS else None,
        })
    return deviations


def _reword(content: dict, organisation_id: int) -> dict:
    """Frozen minutes in the reader's language: the deviations' kinds and the application's sentences worded
    again (minutes frozen before these were stored keep their words)."""
    names = None
    for entry in content.get("deviations") or ():
        if entry.get("kind_code") in DeviationKind.values:
            entry["kind"] = str(DeviationKind(entry["kind_code"]).label)
        if entry.get("sentence"):
            names = names or organisation_names(organisation_id)
            stored = Deviation(kind=entry.get("kind_code", ""), sentence=entry["sentence"]["id"], params=entry["sentence"]["params"])
            entry["description"] = deviation_text(stored, *names) or entry.get("description", "")
    if content.get("deviations") is not None:
        content["deviation_summary"] = _deviation_summary(content["deviations"])
    for entry in (e for section in content.get("sections") or () for e in section.get("items") or ()):
        _reword_added_reason(entry)
    return content


def _reword_added_reason(entry: dict) -> None:
    """An item's reason in frozen minutes: the application's sentence worded again; minutes frozen before it
    was stored as a sentence are read back from the Swedish words (the chair's own reason stays as written)."""
    stored = entry.get("added_sentence")
    if not stored and entry.get("added_reason"):
        parsed = parse_closing(entry["added_reason"], "agenda")
        stored = {"id": parsed[0], "params": parsed[1]} if parsed else None
    if stored:
        entry["added_reason"] = agenda_reason_text(stored.get("id", ""), stored.get("params") or {}, entry.get("added_reason", ""))


def _attendance(meeting: Meeting) -> list[dict]:
    """Each department of the series, present, absent or not yet recorded."""
    recorded = {a.department_id: a for a in meeting.attendance.all()}
    attendance = []
    for department in Department.objects.filter(pk__in=meeting.series.departments.values("pk")).order_by("name"):
        row = recorded.get(department.pk)
        attendance.append({
            "department_id": department.pk,
            "department": department.name,
            "present": None if row is None else row.present,
            "representative": row.representative if row else "",
        })
    return attendance


def meeting_activities(meeting: Meeting) -> QuerySet[Activity]:
    return meeting.activities.select_related("task__unit", "case").order_by("id")


def meeting_attendance(meeting: Meeting) -> dict[int, Attendance]:
    return {a.department_id: a for a in meeting.attendance.all()}


def case_discussions(case) -> list:
    """The case's BOSAM agenda items with their notes and activities (`decided_activities`), for the case page's
    timeline. Struck items are left out; two queries whatever the case has: a prefetch read nothing for a case never
    on an agenda and three levels for one with activities, so the page's count depended on the case."""
    items = list(AgendaItem.objects.filter(case=case, removed_at__isnull=True).select_related("meeting").order_by("meeting__date"))
    decided = defaultdict(list)
    for activity in Activity.objects.filter(case=case, item__removed_at__isnull=True).select_related("task__unit"):
        decided[activity.item_id].append(activity)
    for item in items:
        item.decided_activities = decided[item.pk]
    return items
