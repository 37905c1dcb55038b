"""Swedish working-day calendar and legal deadlines (pure; no database)."""

from datetime import date

import pytest

from cases.rules.deadlines import age_on, is_urgent, recovery_deadline
from cases.rules.workdays import (
    add_working_days,
    is_working_day,
    midsommarafton,
    next_working_day_on_or_after,
    non_working_holidays,
    working_days_between,
)


@pytest.mark.parametrize(
    "day, expected",
    [
        (date(2026, 6, 19), False),  # Midsommarafton 2026
        (date(2027, 6, 25), False),  # Midsommarafton 2027
        (date(2028, 6, 23), False),  # Midsommarafton 2028
        (date(2026, 6, 18), True),  # Thursday before Midsommarafton
        (date(2026, 6, 22), True),  # Monday after Midsommar
        (date(2026, 12, 24), False),  # Julafton (Thursday)
        (date(2026, 12, 25), False),  # Juldagen
        (date(2027, 12, 24), False),  # Julafton (Friday)
        (date(2026, 12, 31), False),  # Nyårsafton (Thursday)
        (date(2027, 12, 31), False),  # Nyårsafton (Friday)
        (date(2027, 1, 1), False),  # Nyårsdagen
        (date(2027, 1, 6), False),  # Trettondedag jul
        (date(2026, 4, 3), False),  # Långfredagen
        (date(2026, 4, 6), False),  # Annandag påsk
        (date(2026, 4, 7), True),  # Tuesday after Easter
        (date(2026, 5, 1), False),  # Första maj
        (date(2026, 5, 14), False),  # Kristi himmelsfärds dag 2026
        (date(2027, 5, 6), False),  # Kristi himmelsfärds dag 2027
        (date(2028, 6, 6), False),  # Nationaldagen on a Tuesday
        (
            date(2027, 6, 7),
            True,
        ),  # Monday after Nationaldagen (on a Sunday) - no substitute day
        (date(2026, 3, 14), False),  # Saturday
        (date(2026, 3, 15), False),  # Sunday
        (date(2026, 3, 16), True),  # ordinary Monday
        (date(2026, 12, 23), True),  # day before Julafton is a working day
        (date(2026, 5, 23), False),  # Pingstafton is a Saturday anyway
        (date(2026, 1, 5), True),  # Trettondagsafton is a working day
    ],
)
def test_is_working_day(day, expected):
    assert is_working_day(day) is expected


@pytest.mark.parametrize(
    "year, expected",
    [
        (2026, date(2026, 6, 19)),
        (2027, date(2027, 6, 25)),
        (2028, date(2028, 6, 23)),
        (2029, date(2029, 6, 22)),
    ],
)
def test_midsommarafton(year, expected):
    assert midsommarafton(year) == expected
    assert expected in non_working_holidays(year)


def test_holiday_set_has_no_plain_sundays():
    # the holidays package can list every Sunday as a holiday; we do not want that in the set
    assert date(2026, 3, 15) not in non_working_holidays(2026)
    assert {
        date(2026, 12, 24),
        date(2026, 12, 31),
        date(2026, 6, 19),
    } <= non_working_holidays(2026)


@pytest.mark.parametrize(
    "day, expected",
    [
        (date(2026, 3, 16), date(2026, 3, 16)),
        (date(2026, 3, 14), date(2026, 3, 16)),
        (date(2026, 12, 24), date(2026, 12, 28)),
        (date(2026, 12, 31), date(2027, 1, 4)),
        (date(2026, 4, 3), date(2026, 4, 7)),
        (date(2026, 6, 19), date(2026, 6, 22)),
    ],
)
def test_next_working_day_on_or_after(day, expected):
    assert next_working_day_on_or_after(day) == expected


@pytest.mark.parametrize(
    "start, n, expected",
    [
        (date(2026, 3, 16), 1, date(2026, 3, 17)),
        (date(2026, 3, 13), 1, date(2026, 3, 16)),  # Friday + 1 -> Monday
        (date(2026, 3, 14), 1, date(2026, 3, 16)),  # Saturday + 1 -> Monday
        (date(2026, 3, 16), 5, date(2026, 3, 23)),
        (date(2026, 12, 23), 1, date(2026, 12, 28)),  # over Christmas
        (date(2026, 12, 14), 10, date(2026, 12, 30)),
        (
            date(2026, 12, 30),
            1,
            date(2027, 1, 4),
        ),  # over Nyårsafton, Nyårsdagen and a weekend
        (date(2027, 1, 4), 5, date(2027, 1, 12)),  # over Trettondedag jul
        (date(2026, 4, 2), 1, date(2026, 4, 7)),  # over Easter
        (date(2026, 5, 13), 1, date(2026, 5, 15)),  # over Ascension Day
        (date(2026, 3, 14), 0, date(2026, 3, 16)),
        (date(2026, 3, 16), -1, date(2026, 3, 13)),
    ],
)
def test_add_working_days(start, n, expected):
    assert add_working_days(start, n) == expected


@pytest.mark.parametrize(
    "start, end, expected",
    [
        (date(2026, 3, 16), date(2026, 3, 16), 0),
        (date(2026, 3, 16), date(2026, 3, 23), 5),
        (date(2026, 12, 14), date(2026, 12, 30), 10),
        (date(2026, 12, 23), date(2027, 1, 4), 4),  # 28, 29, 30 Dec and 4 Jan
        (date(2026, 3, 23), date(2026, 3, 16), -5),
    ],
)
def test_working_days_between(start, end, expected):
    assert working_days_between(start, end) == expected


@pytest.mark.parametrize("n", [0, 1, 7, 10, 30])
def test_working_days_between_inverts_add_working_days(n):
    start = date(2026, 12, 14)
    assert working_days_between(start, add_working_days(start, n)) == n


# --- deadlines ---------------------------------------------------------------


@pytest.mark.parametrize(
    "served, received, expected",
    [
        (date(2026, 3, 2), date(2026, 3, 2), date(2026, 3, 23)),
        (
            date(2026, 3, 2),
            date(2026, 3, 5),
            date(2026, 3, 26),
        ),  # received later: counts from received
        (
            date(2026, 3, 5),
            date(2026, 3, 2),
            date(2026, 3, 26),
        ),  # served later: counts from served
        (date(2026, 3, 7), None, date(2026, 3, 30)),  # 28 March is a Saturday
        (
            date(2026, 12, 3),
            date(2026, 12, 3),
            date(2026, 12, 28),
        ),  # 24 Dec Julafton -> Monday 28
        (
            date(2026, 12, 10),
            date(2026, 12, 10),
            date(2027, 1, 4),
        ),  # 31 Dec Nyårsafton -> Monday 4 Jan
        (
            date(2026, 12, 11),
            date(2026, 12, 11),
            date(2027, 1, 4),
        ),  # 1 Jan -> Monday 4 Jan
        (
            date(2026, 5, 29),
            date(2026, 5, 29),
            date(2026, 6, 22),
        ),  # 19 June Midsommarafton -> 22 June
        (None, date(2026, 3, 2), None),
    ],
)
def test_recovery_deadline(served, received, expected):
    assert recovery_deadline(served, received) == expected


@pytest.mark.parametrize(
    "recovery, eviction, meeting, expected",
    [
        (None, None, date(2026, 3, 20), False),
        (date(2026, 3, 19), None, date(2026, 3, 20), True),  # before the next meeting
        (
            date(2026, 3, 20),
            None,
            date(2026, 3, 20),
            False,
        ),  # on the meeting day: BOSAM can act
        (date(2026, 3, 25), None, date(2026, 3, 20), False),
        (None, date(2026, 3, 18), date(2026, 3, 20), True),
        (date(2026, 3, 1), None, date(2026, 3, 20), True),  # already passed, still open
        (date(2026, 3, 30), None, None, True),  # within 14 days, no meeting planned
        (date(2026, 3, 31), None, None, False),  # 15 days away
        (None, date(2026, 3, 10), None, True),  # passed
    ],
)
def test_is_urgent(recovery, eviction, meeting, expected):
    assert (
        is_urgent(
            today=date(2026, 3, 16),
            recovery_deadline=recovery,
            eviction_date=eviction,
            next_meeting_date=meeting,
        )
        is expected
    )


@pytest.mark.parametrize(
    "born, on, expected",
    [
        (date(1986, 3, 14), date(2026, 3, 13), 39),
        (date(1986, 3, 14), date(2026, 3, 14), 40),
        (date(2008, 2, 29), date(2026, 2, 28), 17),
        (date(2008, 2, 29), date(2026, 3, 1), 18),
    ],
)
def test_age_on(born, on, expected):
    assert age_on(born, on) == expected
