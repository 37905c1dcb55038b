"""Writes on BOSAM: planning meetings, preparing agendas, the meeting itself.

Case data is changed only through cases.services (tasks, assignments,
deviations); this module owns meetings, agenda items, attendance and activities.
Every service is safe to run twice: planning relies on the unique
(series, scheduled_date), preparing on comparing with what is there, the
e-mail on the `agenda_notified_at` guard, closing on the status.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import services as case_services
from cases import system_sentences
from cases.audit import audit_log
from cases.models import AssignmentRole, AuditAction, Case, DeviationKind, NotificationKind, Task, TaskKind, TaskStatus
from cases.rules.workdays import add_working_days, next_working_day_on_or_after
from cases.services.notifications import Work, notify_work
from organisation.models import Department, Organisation, Unit

from . import selectors
from .models import Activity, AgendaItem, AgendaSection, Attendance, Meeting, MeetingSeries, MeetingStatus

if TYPE_CHECKING:
    from django.http import HttpRequest

    from organisation.models import User

logger = logging.getLogger(__name__)

PLANNING_HORIZON_WEEKS = 12
POSITION_STEP = 10


class MeetingLocked(Exception):
    """The change is no longer allowed: the agenda is fixed once the meeting started, the minutes once closed."""


# --- planning ------------------------------------------------------------------------


def in_pause(series: MeetingSeries, day: dt.date) -> bool:
    """Is the day in the summer pause (ISO weeks, inclusive; a pause may run over New Year)?"""
    if series.pause_from_week is None or series.pause_to_week is None:
        return False
    week = day.isocalendar().week
    if series.pause_from_week <= series.pause_to_week:
        return series.pause_from_week <= week <= series.pause_to_week
    return week >= series.pause_from_week or week <= series.pause_to_week


def series_dates(series: MeetingSeries, start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """(nominal date, actual date) of the series' meetings with a nominal date in [start, end].

    The nominal dates are every `interval_days` from the first chosen weekday on or
    after the start date. A nominal date on a holiday or de-facto holiday moves to
    the next working day; a meeting in the pause (nominal or moved) is skipped."""
    anchor = series.start_date + dt.timedelta(days=(series.weekday - series.start_date.weekday()) % 7)
    step = series.interval_days
    skipped = max(0, -(-(start - anchor).days // step))  # ceiling division: the first nominal date >= start
    day = anchor + dt.timedelta(days=skipped * step)
    result = []
    while day <= end:
        actual = next_working_day_on_or_after(day)
        if not (in_pause(series, day) or in_pause(series, actual)):
            result.append((day, actual))
        day += dt.timedelta(days=step)
    return result


def plan_meetings(*, today: dt.date | None = None, organisation: Organisation | None = None, weeks: int = PLANNING_HORIZON_WEEKS) -> dict:
    """Keep the next `weeks` weeks of meetings planned for every series. Idempotent.

    Never moves a meeting the chair edited, one that started or took place, or a
    cancelled one (it stays cancelled: the unique nominal date stops it coming back)."""
    today = today or timezone.localdate()
    end = today + dt.timedelta(weeks=weeks)
    series_qs = MeetingSeries.objects.all()
    if organisation is not None:
        series_qs = series_qs.filter(organisation=organisation)
    created = moved = removed = 0
    for series in series_qs:
        # A week back, so that a holiday meeting moved forward into the window is kept.
        dates = [(n, a) for n, a in series_dates(series, today - dt.timedelta(days=7), end) if a >= today] if series.is_active else []
        for nominal, actual in dates:
            meeting = Meeting.objects.filter(series=series, scheduled_date=nominal).first()
            if meeting is None:
                try:
                    with transaction.atomic():
                        Meeting.objects.create(
                            organisation_id=series.organisation_id, series=series, scheduled_date=nominal,
                            date=actual, time=series.time, place=series.place,
                        )
                    created += 1
                except IntegrityError:  # planned by a concurrent run
                    pass
                continue
            if meeting.status != MeetingStatus.PLANNED or meeting.edited_by_chair or meeting.date < today:
                continue
            if (meeting.date, meeting.time, meeting.place) != (actual, series.time, series.place):
                meeting.date, meeting.time, meeting.place = actual, series.time, series.place
                meeting.save(update_fields=["date", "time", "place"])
                moved += 1
        # The series was changed (or paused): untouched future meetings that no longer fit go away.
        stale = Meeting.objects.filter(
            series=series, status=MeetingStatus.PLANNED, edited_by_chair=False, date__gte=today, scheduled_date__lte=end,
        ).exclude(scheduled_date__in=[n for n, _a in dates])
        for meeting in stale:
            if not meeting.activities.exists() and not meeting.attendance.exists():
                meeting.delete()
                removed += 1
    return {"created": created, "moved": moved, "removed": removed}


# --- the agenda ----------------------------------------------------------------------


def agenda_date(meeting: Meeting) -> dt.date:
    """The day the agenda is prepared and sent: N working days before the meeting."""
    return add_working_days(meeting.date, -meeting.series.agenda_lead_working_days)


def _fallback_key(item: AgendaItem) -> tuple:
    # Items the chair added that the rules would not pick: last in their section.
    return (True, 99, True, dt.date.max, item.case.number)


def _renumber(meeting: Meeting, sort_keys: dict[int, tuple]) -> int:
    """Positions 10, 20, 30 … per section in the natural order. Returns how many changed."""
    changed = []
    items = list(meeting.items.filter(removed_at__isnull=True).select_related("case"))
    for section in AgendaSection:
        in_section = [i for i in items if i.section == section]
        in_section.sort(key=lambda i: sort_keys.get(i.case_id) or _fallback_key(i))
        for index, item in enumerate(in_section, start=1):
            if item.position != index * POSITION_STEP:
                item.position = index * POSITION_STEP
                changed.append(item)
    AgendaItem.objects.bulk_update(changed, ["position"])
    return len(changed)


@transaction.atomic
def agenda_prepare(*, meeting: Meeting, today: dt.date | None = None, user: User | None = None) -> dict:
    """Build or refresh the agenda (sections 1 and 2) from the cases as they are now.

    Keeps what the chair did: struck items stay struck, added items stay, and once
    the chair has reordered, new items go to the end of their section."""
    today = today or timezone.localdate()
    meeting = Meeting.objects.select_for_update().select_related("series").get(pk=meeting.pk)
    if not meeting.agenda_editable:
        raise MeetingLocked(_("Mötet har börjat; dagordningen kan inte längre ändras."))
    candidates, left_out = selectors.agenda_selection(meeting, today=today)
    wanted = {c["case_id"]: c for c in candidates}
    existing = {i.case_id: i for i in meeting.items.all()}
    dropped = 0
    for case_id, item in existing.items():
        # A case that left the rules' selection (closed, cancelled) leaves the agenda unless the chair put it there or worked on it.
        if case_id not in wanted and not item.added_by_chair and not item.is_removed and not item.note and not item.activities.exists():
            item.delete()
            dropped += 1
    next_position = {s: (max([i.position for i in existing.values() if i.section == s], default=0)) for s in AgendaSection}
    # Written in bulk: the query count stays the same however many cases the agenda has.
    to_create, to_update = [], []
    for candidate in candidates:
        item = existing.get(candidate["case_id"])
        if item is None:
            next_position[candidate["section"]] += POSITION_STEP
            to_create.append(AgendaItem(
                meeting=meeting, case_id=candidate["case_id"], section=candidate["section"],
                notice_type=candidate["notice_type"], urgent=candidate["urgent"], children_count=candidate["children_count"],
                position=next_position[candidate["section"]],
            ))
            continue
        facts = {
            "notice_type": candidate["notice_type"], "urgent": candidate["urgent"], "children_count": candidate["children_count"],
        }
        if not item.added_by_chair:
            facts["section"] = candidate["section"]
        if any(getattr(item, name) != value for name, value in facts.items()):
            for name, value in facts.items():
                setattr(item, name, value)
            to_update.append(item)
    AgendaItem.objects.bulk_create(to_create)
    AgendaItem.objects.bulk_update(to_update, ["notice_type", "urgent", "children_count", "section"])
    added, updated = len(to_create), len(to_update)
    reordered = 0 if meeting.order_edited else _renumber(meeting, {c["case_id"]: c["sort_key"] for c in candidates})
    on_agenda = set(meeting.items.filter(removed_at__isnull=True).values_list("case_id", flat=True))
    other_open = len(left_out - on_agenda)
    if meeting.agenda_prepared_at is None or added or updated or dropped or reordered or other_open != meeting.other_open_count:
        meeting.agenda_prepared_at = timezone.now()
        meeting.other_open_count = other_open
        meeting.save(update_fields=["agenda_prepared_at", "other_open_count"])
    return {"added": added, "updated": updated, "dropped": dropped, "reordered": reordered}


def agenda_refresh_for_case(case_id: int, *, today: dt.date | None = None) -> int:
    return agenda_refresh_for_cases([case_id], today=today)


def agenda_refresh_for_cases(case_ids: list[int], *, today: dt.date | None = None) -> int:
    """Cases closed, changed urgency or got a notice (cases.hooks.case_changed): every prepared agenda of their
    organisations that has not started yet follows. Cheap when nothing changes for the agenda: the cases alone are
    compared with their items; only a difference refreshes the whole agenda (its order, the count), once however
    many cases changed. Returns how many agendas were refreshed. Safe to run twice."""
    today = today or timezone.localdate()
    if not case_ids:
        return 0
    # The cases' organisations as a subquery: one statement for the usual answer, no prepared agenda ahead.
    organisation_ids = Case.objects.filter(pk__in=case_ids).order_by().values("organisation_id")
    meetings = Meeting.objects.filter(
        organisation_id__in=organisation_ids, status=MeetingStatus.PLANNED, date__gte=today, agenda_prepared_at__isnull=False,
    ).select_related("series")
    refreshed = 0
    for meeting in meetings:
        candidates, _left_out = selectors.agenda_selection(meeting, today=today, case_ids=case_ids)
        items = {item.case_id: item for item in meeting.items.filter(case_id__in=case_ids)}
        if _agenda_differs({c["case_id"]: c for c in candidates}, items):
            agenda_prepare(meeting=meeting, today=today)
            refreshed += 1
    return refreshed


def _agenda_differs(wanted: dict[int, dict], items: dict[int, AgendaItem]) -> bool:
    """Whether the agenda's items of these cases differ from what the selection wants of them."""
    for case_id in set(wanted) | set(items):
        item, want = items.get(case_id), wanted.get(case_id)
        if item is not None and (item.is_removed or item.added_by_chair):
            continue  # the chair decided about this case on this agenda
        if item is None or want is None:
            return True
        if any(getattr(item, name) != want[name] for name in ("section", "notice_type", "urgent", "children_count")):
            return True
    return False


def agenda_notify(*, meeting: Meeting) -> bool:
    """Tell the participants once that the agenda is ready. No personal data in the e-mail:
    only the meeting, counts and a link (the agenda itself is behind the login)."""
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().select_related("series").get(pk=meeting.pk)
        if meeting.agenda_notified_at is not None or meeting.agenda_prepared_at is None:
            return False
        recipients = selectors.participant_addresses(meeting)
        items = meeting.items.filter(removed_at__isnull=True)
        context = {
            "series": meeting.series.name,
            "date": meeting.date.isoformat(),
            "time": meeting.time.strftime("%H:%M"),
            "place": meeting.place,
            "count": items.count(),
            "children": items.filter(children_count__gt=0).count(),
            "urgent": items.filter(urgent=True).count(),
            # An e-mail is read outside the app: the link must be absolute.
            "link": settings.SITE_URL.rstrip("/") + reverse("bosam:meeting_detail", args=[meeting.pk]),
        }
        subject = _("%(series)s %(date)s: dagordningen är klar") % context
        body = _(
            "Dagordningen för %(series)s den %(date)s kl. %(time)s (%(place)s) är klar.\n\n"
            "Ärenden: %(count)s, varav %(children)s barnfamiljer och %(urgent)s brådskande.\n\n"
            "Logga in för att läsa dagordningen: %(link)s\n\n"
            "Dagordningen omfattas av sekretess enligt OSL 26 kap. 1 § och skickas därför inte med e-post."
        ) % context
        if recipients:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
        meeting.agenda_notified_at = timezone.now()
        meeting.save(update_fields=["agenda_notified_at"])
        return True


def prepare_agendas(*, today: dt.date | None = None, organisation: Organisation | None = None, render_pdf: bool = True) -> dict:
    """The beat task: for every planned meeting whose agenda date has come, prepare
    (or refresh) the agenda, tell the participants once, and render the PDF into the cache."""
    from .pdf import document_pdf

    today = today or timezone.localdate()
    meetings = selectors.meetings_to_prepare(today)
    if organisation is not None:
        meetings = meetings.filter(organisation=organisation)
    prepared = notified = 0
    for meeting in meetings:
        if agenda_date(meeting) > today:
            continue
        agenda_prepare(meeting=meeting, today=today)
        prepared += 1
        notified += agenda_notify(meeting=meeting)
        if render_pdf:
            try:
                document_pdf(Meeting.objects.get(pk=meeting.pk), "AGENDA")
            except Exception:  # the PDF is rendered again on request; a failure here must not stop the other meetings
                logger.exception("Could not pre-render the agenda PDF of meeting %s", meeting.pk)
    return {"prepared": prepared, "notified": notified}


def _lock(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("series").get(pk=meeting.pk)


@transaction.atomic
def agenda_item_add(
    *, meeting: Meeting, user: User, case: Case, section: str, reason: str, request: HttpRequest | None = None,
) -> AgendaItem:
    meeting = _lock(meeting)
    if not meeting.agenda_editable:
        raise MeetingLocked(_("Mötet har börjat; dagordningen kan inte längre ändras."))
    if case.organisation_id != meeting.organisation_id:
        raise ValueError("case of another organisation")
    item = meeting.items.filter(case=case).first()
    last = max(meeting.items.filter(section=section).values_list("position", flat=True), default=0)
    if item is None:
        item = AgendaItem.objects.create(
            meeting=meeting, case=case, section=section, position=last + POSITION_STEP, notice_type=case.latest_notice_type,
            children_count=case.children_count, added_by_chair=True, added_reason=reason[:300],
        )
    else:  # struck earlier: the chair puts it back
        item.section, item.position, item.added_by_chair, item.added_reason = section, last + POSITION_STEP, True, reason[:300]
        item.added_sentence, item.added_params = "", {}
        item.removed_at, item.removed_reason = None, ""
        item.save()
    audit_log(user=user, action=AuditAction.CASE_CHANGE, case=case, request=request,
              detail=f"BOSAM {meeting.date}: lagd på dagordningen: {reason}")
    return item


@transaction.atomic
def agenda_item_remove(*, item: AgendaItem, user: User, reason: str, request: HttpRequest | None = None) -> AgendaItem:
    meeting = _lock(item.meeting)
    if not meeting.agenda_editable:
        raise MeetingLocked(_("Mötet har börjat; dagordningen kan inte längre ändras."))
    item = AgendaItem.objects.select_related("case").get(pk=item.pk)
    item.removed_at = timezone.now()
    item.removed_reason = reason[:300]
    item.save(update_fields=["removed_at", "removed_reason"])
    audit_log(user=user, action=AuditAction.CASE_CHANGE, case=item.case, request=request,
              detail=f"BOSAM {meeting.date}: struken från dagordningen: {reason}")
    return item


@transaction.atomic
def agenda_item_restore(*, item: AgendaItem, user: User, request: HttpRequest | None = None) -> AgendaItem:
    """Undo a strike while the agenda can still change: the item is back where it was."""
    meeting = _lock(item.meeting)
    if not meeting.agenda_editable:
        raise MeetingLocked(_("Mötet har börjat; dagordningen kan inte längre ändras."))
    item = AgendaItem.objects.select_related("case").get(pk=item.pk)
    if item.removed_at is None:
        return item
    item.removed_at, item.removed_reason = None, ""
    item.save(update_fields=["removed_at", "removed_reason"])
    audit_log(user=user, action=AuditAction.CASE_CHANGE, case=item.case, request=request,
              detail=f"BOSAM {meeting.date}: strykningen ångrad")
    return item


@transaction.atomic
def agenda_item_move(*, item: AgendaItem, user: User, direction: str) -> None:
    """Swap the item with its neighbour above ("up") or below ("down") in its section."""
    meeting = _lock(item.meeting)
    if not meeting.agenda_editable:
        raise MeetingLocked(_("Mötet har börjat; dagordningen kan inte längre ändras."))
    siblings = list(meeting.items.filter(section=item.section, removed_at__isnull=True).order_by("position", "id"))
    index = next(i for i, s in enumerate(siblings) if s.pk == item.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings, start=1):
        sibling.position = position * POSITION_STEP
    AgendaItem.objects.bulk_update(siblings, ["position"])
    if not meeting.order_edited:
        meeting.order_edited = True
        meeting.save(update_fields=["order_edited"])


# --- the meeting ---------------------------------------------------------------------


@transaction.atomic
def meeting_reschedule(*, meeting: Meeting, user: User, date: dt.date, time: dt.time, place: str) -> Meeting:
    meeting = _lock(meeting)
    if meeting.status != MeetingStatus.PLANNED:
        raise MeetingLocked(_("Bara ett planerat möte kan flyttas."))
    meeting.date, meeting.time, meeting.place = date, time, place
    meeting.edited_by_chair = True  # planning leaves it alone from now on
    meeting.save(update_fields=["date", "time", "place", "edited_by_chair"])
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, user: User, reason: str) -> Meeting:
    meeting = _lock(meeting)
    if meeting.status != MeetingStatus.PLANNED:
        raise MeetingLocked(_("Bara ett planerat möte kan ställas in."))
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancel_reason = reason[:300]
    meeting.cancelled_at = timezone.now()
    meeting.edited_by_chair = True
    meeting.save(update_fields=["status", "cancel_reason", "cancelled_at", "edited_by_chair"])
    return meeting


def can_reinstate(meeting: Meeting, *, today: dt.date | None = None) -> bool:
    """A cancellation is undone the same day, for a meeting still ahead."""
    today = today or timezone.localdate()
    return (
        meeting.status == MeetingStatus.CANCELLED and meeting.cancelled_at is not None
        and timezone.localdate(meeting.cancelled_at) == today and meeting.date >= today
    )


@transaction.atomic
def meeting_reinstate(*, meeting: Meeting, user: User) -> Meeting:
    """Undo a cancellation made today: the meeting is planned again, its agenda as it was."""
    meeting = _lock(meeting)
    if not can_reinstate(meeting):
        raise MeetingLocked(_("Bara ett möte som ställdes in i dag kan återställas."))
    meeting.status = MeetingStatus.PLANNED
    meeting.cancel_reason = ""
    meeting.cancelled_at = None
    meeting.save(update_fields=["status", "cancel_reason", "cancelled_at"])
    return meeting


def _start(meeting: Meeting) -> None:
    """The meeting starts with the first thing recorded at it: from then on the agenda is fixed."""
    if meeting.status == MeetingStatus.PLANNED:
        meeting.status = MeetingStatus.STARTED
        meeting.started_at = timezone.now()
        meeting.save(update_fields=["status", "started_at"])


def _check_minutes_editable(meeting: Meeting) -> None:
    if not meeting.minutes_editable:
        raise MeetingLocked(_("Protokollet är låst; mötet kan inte längre ändras."))


@transaction.atomic
def meeting_start(*, meeting: Meeting, user: User) -> Meeting:
    meeting = _lock(meeting)
    _check_minutes_editable(meeting)
    _start(meeting)
    return meeting


@transaction.atomic
def attendance_record(*, meeting: Meeting, user: User, rows: list[tuple[Department, bool, str]]) -> Meeting:
    """R5: present or not, per participating department. Absences become deviations when the minutes close."""
    meeting = _lock(meeting)
    _check_minutes_editable(meeting)
    allowed = set(meeting.series.departments.values_list("pk", flat=True))
    for department, present, representative in rows:
        if department.pk not in allowed:
            raise ValueError("department does not take part in the series")
        Attendance.objects.update_or_create(
            meeting=meeting, department=department, defaults={"present": present, "representative": representative[:200]},
        )
    _start(meeting)
    return meeting


def _requests_handled(meeting: Meeting, case_ids, user: User | None) -> int:
    """The meeting discussed these cases: the units' open requests for them are handled (issue 12 §5)."""
    return case_services.bosam_requests_handle(case_ids=case_ids, meeting_id=meeting.pk, meeting_date=meeting.date, user=user)


@transaction.atomic
def item_note_save(*, item: AgendaItem, user: User, note: str) -> AgendaItem:
    meeting = _lock(item.meeting)
    _check_minutes_editable(meeting)
    fields = {"note": note, "discussed": True, "carried_to": None} if note.strip() else {"note": note}
    AgendaItem.objects.filter(pk=item.pk).update(**fields)
    _start(meeting)
    if fields.get("discussed"):
        _requests_handled(meeting, [item.case_id], user)
    for name, value in fields.items():
        setattr(item, name, value)
    return item


@transaction.atomic
def item_discussed_set(*, item: AgendaItem, user: User, discussed: bool) -> AgendaItem:
    """The chair's "behandlad" on an item the meeting went through without a note or an activity (or undoing it)."""
    meeting = _lock(item.meeting)
    _check_minutes_editable(meeting)
    AgendaItem.objects.filter(pk=item.pk).update(discussed=discussed)
    item.discussed = discussed
    if discussed:
        _start(meeting)
        _requests_handled(meeting, [item.case_id], user)
    else:  # undone: the requests this meeting handled for the case stand again
        case_services.bosam_requests_reopen(case_id=item.case_id, meeting_id=meeting.pk, user=user)
    return item


@transaction.atomic
def activity_create(
    *, item: AgendaItem, user: User, what: str, unit: Unit, due_date: dt.date, request: HttpRequest | None = None,
) -> Activity:
    """A decision (R6): a BOSAM_ACTIVITY task for the unit on the case, so its case workers see it.
    A unit not yet on the case is assigned to it; otherwise its staff could not open the case."""
    meeting = _lock(item.meeting)
    _check_minutes_editable(meeting)
    if unit.organisation_id != meeting.organisation_id:
        raise ValueError("unit of another organisation")
    case = Case.objects.get(pk=item.case_id)
    task = case_services.task_create(
        case=case, user=user, kind=TaskKind.BOSAM_ACTIVITY, unit=unit, due_date=due_date, title=what[:300], request=request,
        notify=False,
    )
    if not case.assignments.filter(unit=unit, ended_at__isnull=True).exists():
        case_services.assignment_change(
            case=case, user=user, unit=unit, role=AssignmentRole.ASSIGNED, request=request,
            reason=_("Aktivitet beslutad på BOSAM %(date)s") % {"date": meeting.date.isoformat()}, notify=False,
        )
    activity_notify(task=task, case=case, meeting=meeting, user=user)
    activity = Activity.objects.create(meeting=meeting, item=item, case=case, task=task, created_by=user)
    AgendaItem.objects.filter(pk=item.pk).update(discussed=True)
    _start(meeting)
    _requests_handled(meeting, [case.pk], user)
    return activity


def activity_notify(*, task, case: Case, meeting: Meeting, user: User) -> int:
    """The unit's case workers (not the chair) are told of the activity decided for their unit; a case number only."""
    text = _("BOSAM %(date)s beslutade en aktivitet för din enhet i ärende %(number)s.") % {
        "date": meeting.date.isoformat(), "number": case.number}
    work = Work(case.organisation_id, task.unit_id, task.assignee_id, text, reverse("cases:detail", args=[case.pk]),
                f"bosam-activity:{task.pk}")
    return notify_work([work], kind=NotificationKind.BOSAM_ACTIVITY, actor=user)


def next_meeting_of_series(meeting: Meeting) -> Meeting | None:
    """The series' next planned meeting after this one: where undiscussed items are carried."""
    return (
        Meeting.objects.filter(series_id=meeting.series_id, status=MeetingStatus.PLANNED, date__gt=meeting.date)
        .order_by("date", "time").first()
    )


def _carry_over(meeting: Meeting, items: list[AgendaItem], target: Meeting, user: User, request: HttpRequest | None = None) -> None:
    """Put the items on the target meeting's agenda as the chair's (so that refreshing keeps them)."""
    # The reason is the application's sentence, worded for each reader (cases.system_sentences.AGENDA_SENTENCES).
    reason = system_sentences.agenda_reason("not_discussed", date=meeting.date)
    last = {s: max(target.items.filter(section=s).values_list("position", flat=True), default=0) for s in AgendaSection}
    existing = {i.case_id: i for i in target.items.filter(case_id__in=[i.case_id for i in items])}
    for item in items:
        there = existing.get(item.case_id)
        if there is None:
            last[AgendaSection.AT_RISK] += POSITION_STEP
            AgendaItem.objects.create(
                meeting=target, case_id=item.case_id, section=AgendaSection.AT_RISK, position=last[AgendaSection.AT_RISK],
                notice_type=item.notice_type, urgent=item.urgent, children_count=item.children_count,
                added_by_chair=True, **reason,
            )
        else:  # already there (the rules picked it, or struck): it stays, as the chair's
            there.added_by_chair, there.removed_at, there.removed_reason = True, None, ""
            for attr, value in reason.items():
                setattr(there, attr, value)
            there.save(update_fields=["added_by_chair", *reason, "removed_at", "removed_reason"])
        audit_log(user=user, action=AuditAction.CASE_CHANGE, case=item.case, request=request,
                  detail=f"BOSAM {meeting.date}: inte behandlat, flyttat till {target.date}")
    AgendaItem.objects.filter(pk__in=[i.pk for i in items]).update(carried_to=target)


def undiscussed_items(meeting: Meeting) -> list[AgendaItem]:
    """The agenda items the meeting has not gone through (no note, no activity, not marked "behandlad")."""
    return list(
        meeting.items.filter(removed_at__isnull=True, discussed=False)
        .select_related("case__household").prefetch_related("case__household__members")
        .order_by("section", "position", "id")
    )


@transaction.atomic
def meeting_close(
    *, meeting: Meeting, user: User, carry_over_item_ids: list[int] | None = None, minutes_keeper: str | None = None,
    minutes_checker: str | None = None, request: HttpRequest | None = None,
) -> Meeting:
    """Close the minutes: carry the undiscussed items over, freeze the whole content, raise a deviation
    for every absent department (R5, R8), and mark the discussed cases' BOSAM review (R4) done. Idempotent.

    `carry_over_item_ids`: the undiscussed items to carry over to the series' next meeting (None: all of
    them). An undiscussed item the chair does not carry over was discussed after all (the chair says so)."""
    meeting = _lock(meeting)
    if meeting.status == MeetingStatus.CLOSED:
        return meeting
    _check_minutes_editable(meeting)
    now = timezone.now()
    undiscussed = undiscussed_items(meeting)
    if carry_over_item_ids is None:
        carry = undiscussed
    else:
        wanted = set(carry_over_item_ids)
        carry = [i for i in undiscussed if i.pk in wanted]
    target = next_meeting_of_series(meeting) if carry else None
    if target is not None:
        _carry_over(meeting, carry, target, user, request)
    if carry_over_item_ids is not None:  # the chair left these unticked: they were discussed after all
        carried = {i.pk for i in carry}
        AgendaItem.objects.filter(pk__in=[i.pk for i in undiscussed if i.pk not in carried]).update(discussed=True)
    # Before the minutes freeze, so they show the requests this meeting handled; carried items keep theirs open.
    _requests_handled(meeting, meeting.items.filter(removed_at__isnull=True, discussed=True).values_list("case_id", flat=True), user)

    meeting.status = MeetingStatus.CLOSED
    if minutes_keeper is not None:
        meeting.minutes_keeper = minutes_keeper[:200]
    if minutes_checker is not None:
        meeting.minutes_checker = minutes_checker[:200]
    # Frozen before the fallback below: a meeting nobody started says no opening time, rather than the time of locking.
    meeting.minutes = selectors.agenda_content(meeting)
    if meeting.started_at is None:
        meeting.started_at = now
    meeting.closed_at = now
    meeting.closed_by = user if getattr(user, "is_authenticated", False) else None
    meeting.save(update_fields=["status", "minutes", "started_at", "closed_at", "closed_by", "minutes_keeper", "minutes_checker"])

    present = set(meeting.attendance.filter(present=True).values_list("department_id", flat=True))
    for department in meeting.series.departments.exclude(pk__in=present).order_by("name"):
        case_services.deviation_raise_once(
            organisation=meeting.organisation, kind=DeviationKind.BOSAM_ABSENCE,
            key=f"bosam-absence-{meeting.pk}-{department.pk}", occurred_on=meeting.date,
            sentence="bosam_absence", params={"department": department.code, "name": department.name, "date": meeting.date},
        )
    note = {"note_sentence": "bosam_discussed", "note_params": {"date": meeting.date.isoformat()}}
    discussed = meeting.items.filter(removed_at__isnull=True, discussed=True).values("case_id")
    for task in Task.objects.filter(case_id__in=discussed, kind=TaskKind.BOSAM_REVIEW, status=TaskStatus.OPEN):
        case_services.task_complete(task=task, user=user, request=request, **note)
    return meeting
