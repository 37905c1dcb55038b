"""Swedish personal identity numbers and organisation numbers (pure; no Django).

Built on python-stdnum: ``stdnum.luhn`` for the check digit and
``stdnum.se.orgnr`` for organisation numbers. ``stdnum.se.personnummer`` is
not used for parsing because it rejects samordningsnummer (day + 60) and
always uses the real current date for the century of the 10-digit form;
this module adds both (with an injectable ``today`` for tests).

Rules (docs/domain/deadlines.md):
- stored as 12 digits ``YYYYMMDDNNNC``; accepted as 10 or 12 digits, with or
  without ``-`` or ``+`` before the last four digits;
- for the 10-digit form without ``+`` the century is the latest one giving a
  birth date not in the future;
- a ``+`` separator is written from the start of the year in which the person
  turns 100 (Skatteverket: the separator changes on 1 January of that year, not on
  the birthday), so with ``+`` the birth year is the latest one with the given
  last two digits that is at least 100 years before the current year
  (issue 10, defect 9: ``261215+9810`` on 2026-12-01 is born 1926, not 1826);
- ``+`` only on the 10-digit form: a 12-digit number carries its century;
- the birth year must be plausible: at most ``MAX_AGE_YEARS`` years ago;
- the check digit is Luhn over the 10-digit form (never the century);
- samordningsnummer: day of birth + 60; day 60 means the day is unknown.

Error messages are plain Swedish strings in ``MESSAGES`` (this module must be
importable without Django); the Django layer may translate them by ``code``.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from stdnum import luhn
from stdnum.exceptions import InvalidChecksum, ValidationError
from stdnum.se import orgnr as stdnum_orgnr

MESSAGES: dict[str, str] = {
    "format": "Personnumret ska ha 10 eller 12 siffror.",
    "date": "Ogiltigt datum i personnumret.",
    "checksum": "Kontrollsiffran stämmer inte.",
    "org_format": "Organisationsnumret ska ha 10 siffror.",
    "plus_on_12": "Plustecken används bara i den tiosiffriga formen (ÅÅMMDD+NNNN).",
    "implausible_year": "Födelseåret i personnumret är inte rimligt.",
}

# Generous on purpose (the oldest Swede ever reached 112): what this refuses is a
# typing error in the century, such as 1600 or 1700.
MAX_AGE_YEARS = 150

STOCKHOLM = ZoneInfo("Europe/Stockholm")
SAMORDNING_DAY_OFFSET = 60

_PNR_RE = re.compile(r"^(\d{6}|\d{8})([-+]?)(\d{4})$")


class InvalidIdentityNumber(ValueError):
    """Raised for an invalid personnummer/samordningsnummer/organisationsnummer.

    ``code`` is one of the keys of ``MESSAGES``; ``str(exc)`` is the Swedish message.
    """

    def __init__(self, code: str):
        self.code = code
        self.message = MESSAGES[code]
        super().__init__(self.message)


def _real_day(day: int) -> int | None:
    """Day of month from the number's day field; None when unknown (samordningsnummer day 60)."""
    if day == SAMORDNING_DAY_OFFSET:
        return None
    if day > SAMORDNING_DAY_OFFSET:
        return day - SAMORDNING_DAY_OFFSET
    return day


def _birth_date(year: int, month: int, day_field: int) -> date:
    """Birth date from the number's fields; an unknown day gives the 1st of the month."""
    if (
        not 1 <= day_field <= 31
        and not SAMORDNING_DAY_OFFSET <= day_field <= SAMORDNING_DAY_OFFSET + 31
    ):
        raise InvalidIdentityNumber("date")
    day = _real_day(day_field) or 1
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidIdentityNumber("date") from None


def normalize_personal_identity_number(value: str, today: date | None = None) -> str:
    """Return the 12-digit form ``YYYYMMDDNNNC`` or raise InvalidIdentityNumber."""
    today = today or datetime.now(tz=STOCKHOLM).date()
    text = re.sub(r"\s", "", str(value or ""))
    match = _PNR_RE.match(text)
    if not match:
        raise InvalidIdentityNumber("format")
    head, separator, tail = match.groups()
    if len(head) == 8:
        if separator == "+":
            raise InvalidIdentityNumber("plus_on_12")
        year = int(head[:4])
        month, day_field = int(head[4:6]), int(head[6:8])
    else:
        yy, month, day_field = int(head[:2]), int(head[2:4]), int(head[4:6])
        if separator == "+":
            # 100 or more in the current *year*: the latest such year ending in yy.
            latest = today.year - 100
            year = latest - (latest - yy) % 100
        else:
            year = today.year // 100 * 100 + yy
            # latest century whose birth date is not in the future (unknown day counts as the 1st)
            if (year, month, _real_day(day_field) or 1) > (
                today.year,
                today.month,
                today.day,
            ):
                year -= 100
    if year < today.year - MAX_AGE_YEARS:
        raise InvalidIdentityNumber("implausible_year")
    born = _birth_date(year, month, day_field)
    if born > today:
        raise InvalidIdentityNumber("date")
    ten = head[-6:] + tail
    if not luhn.is_valid(ten):
        raise InvalidIdentityNumber("checksum")
    return f"{year:04d}{head[-4:]}{tail}"


def is_samordningsnummer(pnr12: str) -> bool:
    return int(pnr12[6:8]) >= SAMORDNING_DAY_OFFSET


def birth_date_from_identity_number(pnr12: str) -> date:
    """Birth date of a normalised number; for a samordningsnummer with an
    unknown day (day field 60) the 1st of the month is returned."""
    return _birth_date(int(pnr12[:4]), int(pnr12[4:6]), int(pnr12[6:8]))


def format_personal_identity_number(pnr12: str) -> str:
    """``YYYYMMDD-NNNC``"""
    return f"{pnr12[:8]}-{pnr12[8:]}"


def mask_personal_identity_number(pnr12: str) -> str:
    """``YYYYMMDD-XXXX`` (for lists and printouts)."""
    return f"{pnr12[:8]}-XXXX"


def normalize_org_number(value: str) -> str:
    """Return ``NNNNNN-NNNN`` or raise InvalidIdentityNumber.

    Accepts 10 digits with or without ``-`` (and the 12-digit form with the
    ``16`` prefix used by some registers)."""
    text = re.sub(r"\s", "", str(value or ""))
    digits = text.replace("-", "")
    if len(digits) == 12 and digits.startswith("16"):
        digits = digits[2:]
    if not re.fullmatch(r"\d{10}", digits) or not re.fullmatch(
        r"\d{6}-?\d{4}|(16)?\d{10}|16\d{6}-\d{4}", text
    ):
        raise InvalidIdentityNumber("org_format")
    try:
        stdnum_orgnr.validate(digits)
    except InvalidChecksum:
        raise InvalidIdentityNumber("checksum") from None
    except ValidationError:
        raise InvalidIdentityNumber("org_format") from None
    return stdnum_orgnr.format(digits)
