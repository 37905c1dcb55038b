"""Retention (gallring, issue 15 §6): when a closed case is due for deletion, and who is kept for research. Pure.

SoL 12 kap. (and the municipality's document management plan): a case is deleted in the calendar year after the
year in which its last entry became older than the retention period (default five years). People born on the 5th,
15th or 25th of a month are kept (the research exception; SFS 2001:937 and the municipal archive's decision), a
setting because some municipalities are exempted differently.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def deletion_year(last_entry: dt.date, years: int) -> int:
    """The calendar year in which a case whose last entry was on `last_entry` is deleted."""
    return add_years(last_entry, years).year + 1


def is_due(last_entry: dt.date, today: dt.date, years: int) -> bool:
    """Is the case due for deletion on `today`? (From 1 January of its deletion year.)"""
    return today.year >= deletion_year(last_entry, years)


def kept_for_research(birth_dates: Iterable[dt.date | None], research_days: Iterable[int]) -> bool:
    """True when one of the people was born on one of the research days of a month (e.g. 5, 15, 25)."""
    days = set(research_days)
    return bool(days) and any(born is not None and born.day in days for born in birth_dates)
