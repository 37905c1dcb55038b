"""Who works what (issue 12 items 1-2, issue 15 §3): pure rules, no Django.

- the earliest legal date of a case (recovery deadline, reply deadline to Kronofogden, eviction
  date) with its kind and the days left, for the lists that answer "what must I do today";
- who may complete a task: its own unit, or the lead unit with a reason (logged);
- where a person's open work goes when they move to another unit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

RECOVERY_DEADLINE = "RECOVERY_DEADLINE"
REPLY_DEADLINE = "REPLY_DEADLINE"
EVICTION_DATE = "EVICTION_DATE"
LEGAL_DATE_KINDS = (RECOVERY_DEADLINE, REPLY_DEADLINE, EVICTION_DATE)


@dataclass(frozen=True)
class LegalDate:
    kind: str  # one of LEGAL_DATE_KINDS
    date: dt.date
    days_left: int


def earliest_legal_date(
    *, recovery_deadline: dt.date | None, reply_deadline: dt.date | None, eviction_date: dt.date | None, today: dt.date
) -> LegalDate | None:
    """The nearest legal date still ahead (today counts); when all have passed, the latest passed one
    (it still says how long ago). None when the case has none of the three."""
    dated = [(d, kind) for d, kind in (
        (recovery_deadline, RECOVERY_DEADLINE), (reply_deadline, REPLY_DEADLINE), (eviction_date, EVICTION_DATE),
    ) if d is not None]
    if not dated:
        return None
    ahead = [item for item in dated if item[0] >= today]
    when, kind = min(ahead) if ahead else max(dated)
    return LegalDate(kind, when, (when - today).days)


# Why a task may be completed by this user's unit.
OWN_UNIT = "OWN_UNIT"
LEAD_UNIT = "LEAD_UNIT"  # only with a reason, which is logged


def task_completion_right(*, user_unit_id: int | None, task_unit_id: int, lead_unit_id: int | None) -> str | None:
    """OWN_UNIT when the task is the user's unit's, LEAD_UNIT when the user's unit leads the case
    (it may complete another unit's task, with a reason), else None: not this user's to complete."""
    if user_unit_id is None:
        return None
    if user_unit_id == task_unit_id:
        return OWN_UNIT
    if lead_unit_id is not None and user_unit_id == lead_unit_id:
        return LEAD_UNIT
    return None


def work_follows_person(*, move_work: bool, new_unit_holds_case: bool) -> bool:
    """A person moves to another unit: their work on a case goes with them only when asked to and
    the new unit holds an active assignment on that case; else it stays in the old unit's queue."""
    return move_work and new_unit_holds_case
