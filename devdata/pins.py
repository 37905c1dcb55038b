"""The one generator of test personnummer, used by the tests' factories, the load test,
the benchmarks, seed_demo and generate_data.

Only serials 900–999 (Skatteverket's test series lie there; docs/domain/deadlines.md): a
number made here can never be a real person's. The check digit is the Luhn digit of the ten
digits YYMMDDNNN, from python-stdnum as in cases/rules/identity.py.
"""

from __future__ import annotations

import datetime as dt

from stdnum import luhn

LOWEST_TEST_SERIAL = 900


def test_pin(birth: dt.date | str, serial: int, *, samordning: bool = False, separator: str = "") -> str:
    """YYYYMMDD[separator]NNNC for a birth date (a date or 'YYYYMMDD') and a serial 900–999.

    `samordning` adds 60 to the day (a samordningsnummer). `separator="-"` gives the
    written form 19860314-9801 that people type into a form."""
    if not LOWEST_TEST_SERIAL <= serial <= 999:
        raise ValueError(f"test serials are {LOWEST_TEST_SERIAL}–999, not {serial}")
    day = birth if isinstance(birth, dt.date) else dt.date(int(birth[:4]), int(birth[4:6]), int(birth[6:8]))
    day_field = day.day + 60 if samordning else day.day
    nine = f"{day:%y%m}{day_field:02d}{serial:03d}"
    return f"{day.year // 100:02d}{nine[:6]}{separator}{nine[6:]}{luhn.calc_check_digit(nine)}"


test_pin.__test__ = False  # a helper, not a pytest test, though its name starts with "test"
