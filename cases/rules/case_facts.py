"""The pure part of a case's facts: flags, eviction date, recovery deadline, debt, children.

The services refresh the denormalised columns on Case from these; the data generator
can call the same functions on its in-memory notices, so both agree by construction.
Plain inputs, no Django.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from .deadlines import recovery_deadline
from .routing import EVICTION_CANCELLED, Member, number_of_children

# Notice type codes (docs/domain/codes.md); the same values as cases.models.NoticeType.
RENT_ARREARS_TERMINATION = "RENT_ARREARS_TERMINATION"
DISTURBANCE_TERMINATION = "DISTURBANCE_TERMINATION"
DISTURBANCE_WARNING = "DISTURBANCE_WARNING"

# Case flags (stored in Case.flags).
FLAG_SERVED_DATE_MISSING = "SERVED_DATE_MISSING"
FLAG_DISTURBANCE_WITHOUT_WARNING = "DISTURBANCE_WITHOUT_WARNING"


@dataclass(frozen=True)
class NoticeFacts:
    """What the facts need of one notice. `order` breaks ties on the same received date (the row id)."""

    notice_type: str
    received_date: dt.date
    order: int = 0
    served_date: dt.date | None = None
    eviction_date: dt.date | None = None
    debt_amount: Decimal | None = None


@dataclass(frozen=True)
class CaseFacts:
    flags: list[str]
    recovery_deadline: dt.date | None
    eviction_date: dt.date | None
    debt_amount: Decimal | None
    latest_notice_type: str
    children_count: int


def _key(notice: NoticeFacts) -> tuple:
    return (notice.received_date, notice.order)


def latest_notice(notices: Sequence[NoticeFacts]) -> NoticeFacts:
    return max(notices, key=_key)


def case_flags(notices: Sequence[NoticeFacts]) -> list[str]:
    flags = []
    terminations = [n for n in notices if n.notice_type == RENT_ARREARS_TERMINATION]
    if terminations and max(terminations, key=_key).served_date is None:
        flags.append(FLAG_SERVED_DATE_MISSING)
    types = {n.notice_type for n in notices}
    if DISTURBANCE_TERMINATION in types and DISTURBANCE_WARNING not in types:
        flags.append(FLAG_DISTURBANCE_WITHOUT_WARNING)
    return flags


def case_recovery_deadline(notices: Sequence[NoticeFacts]) -> dt.date | None:
    """The recovery deadline of the latest rent-arrears termination, if any."""
    terminations = [n for n in notices if n.notice_type == RENT_ARREARS_TERMINATION]
    if not terminations:
        return None
    latest = max(terminations, key=_key)
    return recovery_deadline(latest.served_date, latest.received_date)


def case_eviction_date(notices: Sequence[NoticeFacts]) -> dt.date | None:
    """The latest eviction date known, unless Kronofogden cancelled the eviction."""
    if any(n.notice_type == EVICTION_CANCELLED for n in notices):
        return None
    dates = [n.eviction_date for n in notices if n.eviction_date]
    return max(dates) if dates else None


def case_debt_amount(notices: Sequence[NoticeFacts]) -> Decimal | None:
    """The debt of the latest notice that states one."""
    debts = [n for n in notices if n.debt_amount is not None]
    return max(debts, key=_key).debt_amount if debts else None


def case_facts(notices: Sequence[NoticeFacts], members: Sequence[Member]) -> CaseFacts:
    """All facts at once; `members` with their ages on the latest notice's received date."""
    return CaseFacts(
        flags=case_flags(notices),
        recovery_deadline=case_recovery_deadline(notices),
        eviction_date=case_eviction_date(notices),
        debt_amount=case_debt_amount(notices),
        latest_notice_type=latest_notice(notices).notice_type,
        children_count=number_of_children(members),
    )
