"""Valid test personnummer in the 98xx series, written YYYYMMDD-98DC as people type them.

The digits come from devdata.pins, the one test-personnummer generator."""

from __future__ import annotations

import datetime as dt

from devdata.pins import test_pin as _test_pin


def test_pin(birth: dt.date, digit: int) -> str:
    """YYYYMMDD-98DC: ten numbers per birth date (digit 0–9), all in the test series."""
    if not 0 <= digit <= 9:
        raise ValueError("digit must be 0–9")
    return _test_pin(birth, 980 + digit, separator="-")
