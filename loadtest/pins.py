"""Valid test personnummer in the 98xx series (Luhn check digit as in tests/factories.py)."""

from __future__ import annotations

import datetime as dt


def luhn_digit(nine: str) -> str:
    total = 0
    for i, ch in enumerate(nine):
        product = int(ch) * (2 if i % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return str((10 - total % 10) % 10)


def test_pin(birth: dt.date, digit: int) -> str:
    """YYYYMMDD-98DC: ten numbers per birth date (digit 0–9), all in the test series."""
    if not 0 <= digit <= 9:
        raise ValueError("digit must be 0–9")
    nine = birth.strftime("%y%m%d") + f"98{digit}"
    return f"{birth:%Y%m%d}-98{digit}{luhn_digit(nine)}"
