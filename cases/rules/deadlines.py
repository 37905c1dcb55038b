"""Legal deadlines and urgency (pure; no Django). See docs/domain/deadlines.md."""

from __future__ import annotations

from datetime import date, timedelta

from cases.rules.workdays import next_working_day_on_or_after

RECOVERY_PERIOD_DAYS = 21


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


def is_urgent(
    *,
    today: date,
    recovery_deadline: date | None,
    eviction_date: date | None,
    next_meeting_date: date | None,
    fallback_days: int = 14,
) -> bool:
    """True if the recovery deadline or the eviction date falls before the next
    BOSAM meeting (or, with no meeting planned, within ``fallback_days`` of
    today). A date already passed (the case still being open) is urgent too."""
    limit = (
        next_meeting_date
        if next_meeting_date is not None
        else today + timedelta(days=fallback_days)
    )
    for d in (recovery_deadline, eviction_date):
        if d is None:
            continue
        if d < today:
            return True
        if next_meeting_date is not None and d < limit:
            return True
        if next_meeting_date is None and d <= limit:
            return True
    return False


def age_on(birth_date: date, on_date: date) -> int:
    """Age in whole years on on_date (a 29 February birthday counts from 1 March)."""
    years = on_date.year - birth_date.year
    if (on_date.month, on_date.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years
