"""Legal deadlines and urgency (pure; no Django). See docs/domain/deadlines.md and docs/domain/legal-steps.md."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from cases.rules.routing import KRONOFOGDEN_NOTICES
from cases.rules.workdays import add_working_days, next_working_day_on_or_after

RECOVERY_PERIOD_DAYS = 21
# R6: BOSAM meets as a rule every other week. With no meeting planned at all, a date
# within this many days is urgent (the meeting that would have seen it is missing).
NO_MEETING_HORIZON_DAYS = 14
# Default of PlanConfig.urgency_fallback_days: urgent within this many working days, whatever the calendar.
URGENCY_WORKING_DAYS = 5

RENT_ARREARS_TERMINATION = "RENT_ARREARS_TERMINATION"
EVICTION_APPLICATION = "EVICTION_APPLICATION"
EVICTION_DATE = "EVICTION_DATE"
EVICTION_CANCELLED = "EVICTION_CANCELLED"
RENT_ARREARS = "RENT_ARREARS"
# Start of the recovery period (PlanConfig.recovery_period_start)
RECEIVED, SENT = "RECEIVED", "SENT"


def recovery_deadline(
    served_date: date | None,
    received_date: date | None,
    days: int = RECOVERY_PERIOD_DAYS,
) -> date | None:
    """Later of (served, received by the social services) + days, moved past
    Saturdays, Sundays and holidays (lag 1930:173). None if served_date is
    unknown ("unknown, ask the landlord")."""
    if served_date is None:
        return None
    start = served_date if received_date is None else max(served_date, received_date)
    return next_working_day_on_or_after(start + timedelta(days=days))


def starts_recovery_period(notice) -> bool:
    """A termination for rent arrears, or an application for eviction on rent arrears:
    the application counts as the termination (förordning 1978:314, formulär 1)."""
    if notice.notice_type == RENT_ARREARS_TERMINATION:
        return True
    return notice.notice_type == EVICTION_APPLICATION and getattr(notice, "ground", "") == RENT_ARREARS


def _key(notice) -> tuple:
    """Order of notices: received date, then `order` (NoticeFacts) or the row id."""
    return (notice.received_date, getattr(notice, "order", None) or getattr(notice, "id", None) or 0)


def _in_force(notices) -> list:
    """Notices not followed by a cancellation: an EVICTION_CANCELLED voids every
    Kronofogden notice received before it (a postponement is a cancellation and a new date)."""
    ordered = sorted(notices, key=_key)
    result = []
    for notice in ordered:
        if notice.notice_type == EVICTION_CANCELLED:
            result = [n for n in result if n.notice_type not in KRONOFOGDEN_NOTICES]
        else:
            result.append(notice)
    return result


@dataclass(frozen=True)
class EvictionDateEntry:
    eviction_date: date
    received_date: date
    # "CURRENT" | "CANCELLED" (a cancellation came after it) | "REPLACED" (a later date came)
    status: str


@dataclass(frozen=True)
class CaseDates:
    eviction_date: date | None = None
    recovery_deadline: date | None = None
    # which reading was applied: RECEIVED, or SENT when the notice had a dispatch date
    recovery_deadline_basis: str = ""
    # the deadline under the other reading, when it differs (shown next to the one used)
    recovery_deadline_other: date | None = None
    reply_deadline: date | None = None
    served_date_missing: bool = False
    eviction_history: tuple[EvictionDateEntry, ...] = ()


def current_eviction_notice(notices):
    """The EVICTION_DATE notice (with a date) that is in force: the latest not followed by a cancellation; None."""
    notices = list(notices)
    in_force_ids = {id(n) for n in _in_force(notices)}
    dated = sorted((n for n in notices if n.notice_type == EVICTION_DATE and n.eviction_date), key=_key)
    return next((n for n in reversed(dated) if id(n) in in_force_ids), None)


def case_dates(notices, *, recovery_period_start: str = SENT) -> CaseDates:
    """The legal dates of a case from its notices (objects with notice_type,
    received_date, order or id, served_date, sent_date, eviction_date, reply_deadline, ground).

    - eviction date: the latest EVICTION_DATE not followed by an EVICTION_CANCELLED;
    - recovery deadline: from the latest notice that starts a recovery period;
      ``recovery_period_start`` SENT counts from the landlord's dispatch date
      (falling back to received), RECEIVED from the day the social services received it;
    - reply deadline to Kronofogden: the latest one on a notice still in force.
    """
    notices = list(notices)
    in_force = _in_force(notices)
    in_force_ids = {id(n) for n in in_force}
    dated = sorted((n for n in notices if n.notice_type == EVICTION_DATE and n.eviction_date),
                   key=_key)
    current = next((n for n in reversed(dated) if id(n) in in_force_ids), None)
    history = tuple(
        EvictionDateEntry(
            n.eviction_date, n.received_date,
            "CURRENT" if n is current else ("CANCELLED" if id(n) not in in_force_ids else "REPLACED"),
        )
        for n in dated
    )
    starters = [n for n in notices if starts_recovery_period(n) and (n.notice_type == RENT_ARREARS_TERMINATION or id(n) in in_force_ids)]
    deadline = other = None
    basis = ""
    missing = False
    if starters:
        latest = max(starters, key=_key)
        missing = latest.served_date is None
        by_received = recovery_deadline(latest.served_date, latest.received_date)
        sent = getattr(latest, "sent_date", None)
        by_sent = recovery_deadline(latest.served_date, sent) if sent else by_received
        if recovery_period_start == SENT and sent:
            deadline, basis, other = by_sent, SENT, by_received
        else:
            deadline, basis, other = by_received, RECEIVED, by_sent
        if other == deadline:
            other = None
        if deadline is None:
            basis = ""
    replies = [n for n in in_force if getattr(n, "reply_deadline", None)]
    reply = max(replies, key=_key).reply_deadline if replies else None
    return CaseDates(
        eviction_date=current.eviction_date if current else None,
        recovery_deadline=deadline,
        recovery_deadline_basis=basis,
        recovery_deadline_other=other,
        reply_deadline=reply,
        served_date_missing=missing,
        eviction_history=history,
    )


def is_urgent(
    *,
    today: date,
    recovery_deadline: date | None,
    eviction_date: date | None,
    next_meeting_date: date | None,
    reply_deadline: date | None = None,
    within_working_days: int = URGENCY_WORKING_DAYS,
    fallback_days: int = NO_MEETING_HORIZON_DAYS,
) -> bool:
    """True if the recovery deadline, the reply deadline or the eviction date falls
    on or before the next BOSAM meeting (the caller passes the next meeting that
    has not yet started), or with no meeting planned within ``fallback_days`` of
    today, and in any case within ``within_working_days`` working days of today.
    A date already passed (the case still being open) is urgent too."""
    soon = add_working_days(today, within_working_days)
    limit = next_meeting_date if next_meeting_date is not None else today + timedelta(days=fallback_days)
    for d in (recovery_deadline, reply_deadline, eviction_date):
        if d is None:
            continue
        if d <= today or d <= soon or d <= limit:
            return True
    return False


def days_left(today: date, *dates: date | None) -> int | None:
    """Calendar days from today to the earliest of the dates (negative when passed), for lists."""
    known = [d for d in dates if d is not None]
    return (min(known) - today).days if known else None


def age_on(birth_date: date, on_date: date) -> int:
    """Age in whole years on on_date (a 29 February birthday counts from 1 March)."""
    years = on_date.year - birth_date.year
    if (on_date.month, on_date.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years
