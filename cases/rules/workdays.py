"""Swedish working-day calendar (pure; no Django).

Non-working days are Saturdays, Sundays, Swedish public holidays from the
``holidays`` package (country ``SE``, category ``public``) and the de-facto
holidays Midsommarafton (the Friday between 19 and 25 June), Julafton
(24 December) and Nyårsafton (31 December).

Note on ``holidays``: its SE calendar can list every Sunday as a holiday
(``include_sundays``); we pass ``include_sundays=False`` and test the weekday
ourselves. The three eves are in its ``de_facto`` category, which we request;
they are also added explicitly below so that the calendar does not depend on
how a future version of the package categorises them.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta

import holidays


def midsommarafton(year: int) -> date:
    """The Friday between 19 and 25 June."""
    d = date(year, 6, 19)
    return d + timedelta(days=(4 - d.weekday()) % 7)


@functools.lru_cache(maxsize=64)
def non_working_holidays(year: int) -> frozenset[date]:
    """Public and de-facto holidays of one year (weekends not included)."""
    se = holidays.country_holidays(
        "SE", years=year, categories=("public", "de_facto"), include_sundays=False
    )
    days = set(se.keys())
    days.update({midsommarafton(year), date(year, 12, 24), date(year, 12, 31)})
    return frozenset(days)


def is_working_day(d: date) -> bool:
    return d.weekday() < 5 and d not in non_working_holidays(d.year)


def next_working_day_on_or_after(d: date) -> date:
    while not is_working_day(d):
        d += timedelta(days=1)
    return d


def add_working_days(d: date, n: int) -> date:
    """The n-th working day after d (d itself is not counted).

    n == 0 returns d moved to the next working day if it is not one.
    Negative n counts backwards.
    """
    if n == 0:
        return next_working_day_on_or_after(d)
    step = 1 if n > 0 else -1
    remaining = abs(n)
    while remaining:
        d += timedelta(days=step)
        if is_working_day(d):
            remaining -= 1
    return d


def working_days_between(start: date, end: date) -> int:
    """Working days in the interval (start, end]: start excluded, end included.

    So ``working_days_between(d, add_working_days(d, n)) == n`` for n >= 0.
    Negative when end is before start.
    """
    if end < start:
        return -working_days_between(end, start)
    count = 0
    d = start
    while d < end:
        d += timedelta(days=1)
        if is_working_day(d):
            count += 1
    return count
