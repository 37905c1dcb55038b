"""Protected identity (skyddade personuppgifter, sekretessmarkering): the ONE place that decides it.

A household "is protected" when any member has protected identity. Every list, agenda, minutes,
letter and search asks here; `tests/test_protection.py` greps the code for stray copies.
Where such a household lives is never printed (letters go through Skatteverket's forwarding,
agendas and minutes show the case number and "skyddad identitet"). Only the units that must
go there — the lead unit, and units holding a HOME_VISIT or ATTEND_EVICTION task — may reveal
the address on the case page, by a logged action.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from organisation.models import User

# What lists, agendas and minutes show instead of a name.
PROTECTED_DESIGNATION = _("skyddad identitet")

# Tasks whose unit must find the home, so may reveal the address (issue 11).
ADDRESS_TASK_KINDS = ("HOME_VISIT", "ATTEND_EVICTION")


def household_has_protected_member(members: Iterable) -> bool:
    """True when any member of the household has protected identity. Pass prefetched members."""
    return any(member.protected_identity for member in members)


def protected_household_ids() -> QuerySet:
    """Subquery of household ids with a protected member, for filters in the database."""
    from .models import Person

    return Person.objects.filter(protected_identity=True).values("household_id")


def designation_for(members: Iterable, *, reveal: bool = False) -> str:
    """Surname and initials for lists; "skyddad identitet" for a protected household unless
    `reveal` (the viewer's unit is responsible for the case)."""
    from .models import household_designation

    members = list(members)
    if household_has_protected_member(members) and not reveal:
        return str(PROTECTED_DESIGNATION)
    return household_designation(members)


def is_responsible_unit(user: User, case) -> bool:
    """The viewer works at the case's lead unit (the unit responsible for it)."""
    unit_id = getattr(user, "unit_id", None)
    return unit_id is not None and unit_id == case.lead_unit_id


def may_reveal_address(user: User, case) -> bool:
    """The lead unit and the units holding an open HOME_VISIT or ATTEND_EVICTION task on the case.
    Call only after the access gate let the user see the case."""
    if is_responsible_unit(user, case):
        return True
    unit_id = getattr(user, "unit_id", None)
    if unit_id is None:
        return False
    return case.tasks.filter(unit_id=unit_id, kind__in=ADDRESS_TASK_KINDS, status="OPEN").exists()
