"""Personnummer, samordningsnummer and organisationsnummer (pure; no database).

Only test numbers are used: serials in the 9800-9999 range, check digit
computed here with the Luhn algorithm.
"""

from datetime import date

import pytest
from stdnum import luhn
from stdnum.se import personnummer as stdnum_personnummer

from cases.rules.identity import (
    MESSAGES,
    InvalidIdentityNumber,
    birth_date_from_identity_number,
    format_personal_identity_number,
    is_samordningsnummer,
    mask_personal_identity_number,
    normalize_org_number,
    normalize_personal_identity_number,
)

TODAY = date(2026, 3, 16)


def make_pnr(yymmdd: str, serial: str = "980") -> str:
    """10-digit test number YYMMDDNNNC with a correct check digit."""
    return yymmdd + serial + luhn.calc_check_digit(yymmdd + serial)


def wrong_check_digit(ten: str) -> str:
    return ten[:-1] + str((int(ten[-1]) + 1) % 10)


def test_known_test_number_is_valid_in_stdnum():
    assert stdnum_personnummer.is_valid("19860314-9801")
    assert make_pnr("860314") == "8603149801"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("19860314-9801", "198603149801"),
        ("198603149801", "198603149801"),
        ("860314-9801", "198603149801"),
        ("8603149801", "198603149801"),
        (" 860314 - 9801 ", "198603149801"),
        ("860314+9801", "188603149801"),  # '+': 100 years or older
        (
            make_pnr("100101"),
            "20" + make_pnr("100101"),
        ),  # latest century not in the future
        (make_pnr("260316"), "20" + make_pnr("260316")),  # born today
        (make_pnr("260317"), "19" + make_pnr("260317")),  # tomorrow in 2026 -> 1926
        (
            # Issue 10, defect 9: '+' is written from 1 January of the year the person turns
            # 100, so on 2026-03-16 a '+' for 26-03-17 is born 1926 (this case expected 1826
            # before the fix: the exact-birthday rule, which gave a second case for one person).
            make_pnr("260317")[:6] + "+" + make_pnr("260317")[6:],
            "19" + make_pnr("260317"),
        ),
        (make_pnr("200229"), "20" + make_pnr("200229")),  # leap day
        (
            "19" + make_pnr("860374"),
            "19" + make_pnr("860374"),
        ),  # samordningsnummer, day 14 + 60
        (make_pnr("860374"), "19" + make_pnr("860374")),
        (
            make_pnr("860360"),
            "19" + make_pnr("860360"),
        ),  # samordningsnummer, unknown day
        (
            make_pnr("260360"),
            "20" + make_pnr("260360"),
        ),  # unknown day this month: not in the future
    ],
)
def test_normalize_valid(value, expected):
    assert normalize_personal_identity_number(value, today=TODAY) == expected


@pytest.mark.parametrize(
    "value, code",
    [
        (wrong_check_digit("8603149801"), "checksum"),
        ("19" + wrong_check_digit("8603149801"), "checksum"),
        (wrong_check_digit(make_pnr("860374")), "checksum"),
        ("860314980", "format"),
        ("198603149801X", "format"),
        ("19860314980", "format"),
        ("1986031498011", "format"),
        ("86-0314-9801", "format"),
        ("", "format"),
        (make_pnr("861314"), "date"),  # month 13
        (make_pnr("860230"), "date"),  # 30 February
        (make_pnr("860332"), "date"),  # day 32
        (make_pnr("860392"), "date"),  # samordningsnummer day 32 + 60
        (make_pnr("860300"), "date"),  # day 0
        (make_pnr("210229"), "date"),  # 2021 and 1921 are not leap years
        ("20" + make_pnr("260317"), "date"),  # 12 digits in the future
    ],
)
def test_normalize_invalid(value, code):
    with pytest.raises(InvalidIdentityNumber) as excinfo:
        normalize_personal_identity_number(value, today=TODAY)
    assert excinfo.value.code == code
    assert str(excinfo.value) == MESSAGES[code]
    assert isinstance(excinfo.value, ValueError)


def test_messages_are_swedish():
    assert MESSAGES["checksum"] == "Kontrollsiffran stämmer inte."
    assert MESSAGES["date"] == "Ogiltigt datum i personnumret."
    assert MESSAGES["format"] == "Personnumret ska ha 10 eller 12 siffror."


@pytest.mark.parametrize(
    "pnr12, born, samordning",
    [
        ("198603149801", date(1986, 3, 14), False),
        ("19" + make_pnr("860374"), date(1986, 3, 14), True),
        ("19" + make_pnr("860391"), date(1986, 3, 31), True),
        (
            "19" + make_pnr("860360"),
            date(1986, 3, 1),
            True,
        ),  # unknown day -> 1st of the month
    ],
)
def test_birth_date_and_samordning(pnr12, born, samordning):
    assert birth_date_from_identity_number(pnr12) == born
    assert is_samordningsnummer(pnr12) is samordning


def test_format_and_mask():
    assert format_personal_identity_number("198603149801") == "19860314-9801"
    assert mask_personal_identity_number("198603149801") == "19860314-XXXX"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("556012-3456", "556012-3456"),
        ("5560123456", "556012-3456"),
        ("202100-5489", "202100-5489"),  # Stockholms stad
        ("2021005489", "202100-5489"),
        ("162021005489", "202100-5489"),  # with the 16 prefix
    ],
)
def test_org_number_valid(value, expected):
    assert normalize_org_number(value) == expected


@pytest.mark.parametrize(
    "value, code",
    [
        ("556012-3457", "checksum"),
        ("202100-5488", "checksum"),
        ("55601234", "org_format"),
        ("556012-34567", "org_format"),
        ("556O12-3456", "org_format"),
        ("", "org_format"),
    ],
)
def test_org_number_invalid(value, code):
    with pytest.raises(InvalidIdentityNumber) as excinfo:
        normalize_org_number(value)
    assert excinfo.value.code == code
