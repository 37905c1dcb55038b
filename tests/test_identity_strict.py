"""Issue 10, defect 9 and the strict parser of defect 15 (pure; no database)."""

from datetime import date

import pytest
from stdnum import luhn

from cases.rules.identity import MESSAGES, InvalidIdentityNumber, normalize_personal_identity_number


def ten(yymmdd: str, serial: str = "981") -> str:
    return yymmdd + serial + luhn.calc_check_digit(yymmdd + serial)


def test_plus_follows_the_year_the_person_turns_100_not_the_birthday():
    """Defect 9: on 2026-12-01 `261215+9810` was stored as born 1826 and opened a second
    case for the person registered as 19261215…; the `+` applies from 1 January 2026."""
    number = ten("261215")
    today = date(2026, 12, 1)
    plus = normalize_personal_identity_number(number[:6] + "+" + number[6:], today=today)
    assert plus == "19" + number
    assert normalize_personal_identity_number("19" + number, today=today) == plus
    # A hyphen (or none) on the same day is the same person, too.
    assert normalize_personal_identity_number(number[:6] + "-" + number[6:], today=today) == plus


@pytest.mark.parametrize(
    ("yymmdd", "today", "born"),
    [
        ("260101", date(2026, 1, 1), "1926"),  # turns 100 today: '+' since today
        ("261231", date(2026, 1, 1), "1926"),  # turns 100 at the end of the year: '+' already
        ("900101", date(2026, 12, 31), "1890"),  # 1990 is not 100: '+' means 1890
        ("860314", date(2026, 3, 16), "1886"),
    ],
)
def test_plus_century_by_year(yymmdd, today, born):
    number = ten(yymmdd)
    assert normalize_personal_identity_number(number[:6] + "+" + number[6:], today=today)[:4] == born


def test_plus_for_someone_turning_100_only_next_year_is_refused():
    number = ten("270101")  # 1927 turns 100 in 2027; '+' would mean 1827
    with pytest.raises(InvalidIdentityNumber) as excinfo:
        normalize_personal_identity_number(number[:6] + "+" + number[6:], today=date(2026, 12, 31))
    assert excinfo.value.code == "implausible_year"


def test_plus_only_on_the_ten_digit_form():
    """Defect 15: `+` was silently ignored on 12-digit numbers."""
    number = "19" + ten("860314")
    with pytest.raises(InvalidIdentityNumber) as excinfo:
        normalize_personal_identity_number(number[:8] + "+" + number[8:], today=date(2026, 3, 16))
    assert excinfo.value.code == "plus_on_12"
    assert str(excinfo.value) == MESSAGES["plus_on_12"]


@pytest.mark.parametrize("century", ["16", "17", "18"])
def test_an_implausible_birth_year_is_refused(century):
    """Defect 15: birth year 1600 passed."""
    with pytest.raises(InvalidIdentityNumber) as excinfo:
        normalize_personal_identity_number(century + ten("700101"), today=date(2026, 3, 16))
    assert excinfo.value.code == "implausible_year"
