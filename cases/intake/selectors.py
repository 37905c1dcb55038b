"""Reads on cases and households. Writes are in cases/services/.

Every function takes the organisation (or a user) and never looks beyond it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q

from organisation.models import Organisation

from ..models import Case, CaseStatus, Household, MemberRole, Person, SentLetter
from ..protection import household_has_protected_member, protected_household_ids
from ..rules.identity import InvalidIdentityNumber, normalize_personal_identity_number

# =====================================================================================
# Intake (registrering av underrättelser) — owned by the intake area.
# Other areas: add your selectors BELOW this section, not inside it.
# =====================================================================================

INTAKE_SEARCH_LIMIT = 25


@dataclass
class HouseholdMatch:
    """One household found by the intake search, with what the search page may show."""

    household: Household
    open_case: Case | None
    latest_closed_case: Case | None
    # "YYYYMMDD-XXXX" of the tenants, for telling households apart without showing full numbers.
    masked_numbers: list[str] = field(default_factory=list)
    protected: bool = False


@dataclass
class IntakeSearchResult:
    query: str
    # "pnr" | "text" | "" (nothing searched)
    kind: str = ""
    # a personnummer-looking query that did not validate: the Swedish reason
    identity_error: str = ""
    # the query itself was refused (control characters, too long): the Swedish reason
    error: str = ""
    matches: list[HouseholdMatch] = field(default_factory=list)

    @property
    def open_matches(self) -> list[HouseholdMatch]:
        return [m for m in self.matches if m.open_case is not None]

    @property
    def closed_matches(self) -> list[HouseholdMatch]:
        return [m for m in self.matches if m.open_case is None]


def _looks_like_identity_number(query: str) -> bool:
    digits = sum(ch.isdigit() for ch in query)
    return digits >= 10 and all(ch.isdigit() or ch in "-+ " for ch in query)


def intake_search(*, organisation: Organisation, query: str, today: dt.date | None = None) -> IntakeSearchResult:
    """Households of the organisation matching a personnummer, a name or an address.

    A personnummer is matched exactly (any accepted format, normalised); text
    matches every word of a member's name, or the street address. A household
    with a protected member is found by number or name only, never by address:
    otherwise a search by address would tell where a protected person lives."""
    query = " ".join((query or "").split())
    result = IntakeSearchResult(query=query)
    if len(query) < 2:
        return result
    households = Household.objects.filter(organisation=organisation)
    if _looks_like_identity_number(query):
        result.kind = "pnr"
        try:
            number = normalize_personal_identity_number(query, today=today)
        except InvalidIdentityNumber as exc:
            result.identity_error = exc.message
            return result
        households = households.filter(members__personal_identity_number=number)
    else:
        result.kind = "text"
        name_match = Q()
        for word in query.split():
            name_match &= Q(name__icontains=word)
        by_name = Person.objects.filter(name_match).values("household_id")
        by_address = Q(street_address__icontains=query) & ~Q(pk__in=protected_household_ids())
        households = households.filter(Q(pk__in=by_name) | by_address)
    households = (
        households.distinct()
        .prefetch_related(
            Prefetch("members", queryset=Person.objects.order_by("id")),
            Prefetch("cases", queryset=Case.objects.select_related("lead_unit").order_by("-opened_at")),
        )
        .order_by("-created_at")[:INTAKE_SEARCH_LIMIT]
    )
    for household in households:
        cases = list(household.cases.all())
        members = list(household.members.all())
        result.matches.append(
            HouseholdMatch(
                household=household,
                open_case=next((c for c in cases if c.status == CaseStatus.OPEN), None),
                latest_closed_case=next((c for c in cases if c.status == CaseStatus.CLOSED), None),
                masked_numbers=[
                    m.masked_identity_number
                    for m in members
                    if m.personal_identity_number and m.role in (MemberRole.TENANT, MemberRole.CO_TENANT)
                ],
                protected=household_has_protected_member(members),
            )
        )
    # Open cases first: the notice most likely belongs to one of them.
    result.matches.sort(key=lambda m: m.open_case is None)
    return result


# =====================================================================================
# End of the intake section.
# =====================================================================================


def sent_letter_for_task(task_pk: int) -> SentLetter | None:
    """The letter as it was sent for this SEND_LETTER task, if it was (issue 11)."""
    return SentLetter.objects.filter(task_id=task_pk).first()
