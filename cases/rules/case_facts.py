"""The pure part of a case's facts: flags, eviction date, recovery deadline, reply deadline, debt, children.

The services refresh the denormalised columns on Case from these; the data generator
can call the same functions on its in-memory notices, so both agree by construction.
Plain inputs, no Django. The legal dates themselves are cases.rules.deadlines.case_dates
(issue 11: postponements, the application as termination, the start of the recovery period).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .deadlines import SENT, case_dates
from .routing import Member, number_of_children

# Notice type codes (docs/domain/codes.md); the same values as cases.models.NoticeType.
RENT_ARREARS_TERMINATION = "RENT_ARREARS_TERMINATION"
DISTURBANCE_TERMINATION = "DISTURBANCE_TERMINATION"
DISTURBANCE_WARNING = "DISTURBANCE_WARNING"

# Case flags (stored in Case.flags).
FLAG_SERVED_DATE_MISSING = "SERVED_DATE_MISSING"
FLAG_DISTURBANCE_WITHOUT_WARNING = "DISTURBANCE_WITHOUT_WARNING"
FLAG_PAYMENT_DECISION_MISSING = "PAYMENT_DECISION_MISSING"


@dataclass(frozen=True)
class NoticeFacts:
    """What the facts need of one notice. `order` breaks ties on the same received date (the row id)."""

    notice_type: str
    received_date: dt.date
    order: int = 0
    served_date: dt.date | None = None
    eviction_date: dt.date | None = None
    debt_amount: Decimal | None = None
    sent_date: dt.date | None = None
    reply_deadline: dt.date | None = None
    ground: str = ""


@dataclass(frozen=True)
class CaseFacts:
    flags: list[str]
    recovery_deadline: dt.date | None
    eviction_date: dt.date | None
    debt_amount: Decimal | None
    latest_notice_type: str
    children_count: int
    reply_deadline: dt.date | None = None
    # RECEIVED / SENT, and the other reading's deadline when it differs
    recovery_deadline_basis: str = ""
    recovery_deadline_other: dt.date | None = None


def _key(notice: NoticeFacts) -> tuple:
    return (notice.received_date, notice.order)


def latest_notice(notices: Sequence[NoticeFacts]) -> NoticeFacts:
    return max(notices, key=_key)


def case_flags(notices: Sequence[NoticeFacts], earlier_notice_types: Iterable[str] = ()) -> list[str]:
    """SERVED_DATE_MISSING for a recovery period without a served date; DISTURBANCE_WITHOUT_WARNING for a
    termination for disturbances without a warning on this case or an earlier case of the household."""
    flags = []
    if case_dates(notices).served_date_missing:
        flags.append(FLAG_SERVED_DATE_MISSING)
    types = {n.notice_type for n in notices} | set(earlier_notice_types)
    if DISTURBANCE_TERMINATION in types and DISTURBANCE_WARNING not in types:
        flags.append(FLAG_DISTURBANCE_WITHOUT_WARNING)
    return flags


def case_recovery_deadline(notices: Sequence[NoticeFacts], recovery_period_start: str = SENT) -> dt.date | None:
    """The recovery deadline of the latest notice that starts a recovery period, if any."""
    return case_dates(notices, recovery_period_start=recovery_period_start).recovery_deadline


def case_eviction_date(notices: Sequence[NoticeFacts]) -> dt.date | None:
    """The latest eviction date not followed by a cancellation (a postponement is a cancellation and a new date)."""
    return case_dates(notices).eviction_date


def case_debt_amount(notices: Sequence[NoticeFacts]) -> Decimal | None:
    """The debt of the latest notice that states one."""
    debts = [n for n in notices if n.debt_amount is not None]
    return max(debts, key=_key).debt_amount if debts else None


def case_facts(
    notices: Sequence[NoticeFacts],
    members: Sequence[Member],
    *,
    recovery_period_start: str = SENT,
    earlier_notice_types: Iterable[str] = (),
) -> CaseFacts:
    """All facts at once; `members` with their ages on the latest notice's received date;
    `earlier_notice_types` from the household's earlier cases (a warning there counts)."""
    dates = case_dates(notices, recovery_period_start=recovery_period_start)
    return CaseFacts(
        flags=case_flags(notices, earlier_notice_types),
        recovery_deadline=dates.recovery_deadline,
        eviction_date=dates.eviction_date,
        debt_amount=case_debt_amount(notices),
        latest_notice_type=latest_notice(notices).notice_type,
        children_count=number_of_children(members),
        reply_deadline=dates.reply_deadline,
        recovery_deadline_basis=dates.recovery_deadline_basis,
        recovery_deadline_other=dates.recovery_deadline_other,
    )
