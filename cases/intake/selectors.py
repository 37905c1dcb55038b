"""Reads on cases and households. Writes are in cases/services/.

Every function takes the organisation (or a user) and never looks beyond it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q

from organisation.models import Organisation

from ..models import Case, CaseStatus, Household, Landlord, MemberRole, Person, SentLetter
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
        by_name = Person.of_organisation(organisation.pk).filter(name_match).values("household_id")
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


LANDLORD_OPTIONS_LIMIT = 500
LANDLORD_SUGGESTIONS_LIMIT = 10


def landlord_options(*, organisation: Organisation, limit: int = LANDLORD_OPTIONS_LIMIT) -> list[Landlord]:
    """The organisation's stored landlords for the form's suggestion list (works without JavaScript)."""
    return list(Landlord.objects.filter(organisation=organisation).order_by("name", "org_number")[:limit])


def landlord_suggestions(*, organisation: Organisation, text: str, limit: int = LANDLORD_SUGGESTIONS_LIMIT) -> list[Landlord]:
    """Stored landlords whose name or organisationsnummer contains ``text`` (the type-ahead)."""
    text = " ".join((text or "").split())
    if not text:
        return []
    digits = "".join(ch for ch in text if ch.isdigit())
    match = Q(name__icontains=text)
    if len(digits) >= 3:
        # "5560356940" finds "556035-6940": the stored number has its hyphen after six digits.
        match |= Q(org_number__icontains=digits if len(digits) <= 6 else f"{digits[:6]}-{digits[6:]}")
    return list(Landlord.objects.filter(match, organisation=organisation).order_by("name")[:limit])


def landlords_matching(*, organisation: Organisation, text: str) -> list[Landlord]:
    """The stored landlord(s) a typed name means: an exact name (any case) wins, else every name containing it."""
    text = " ".join((text or "").split())
    landlords = Landlord.objects.filter(organisation=organisation)
    exact = list(landlords.filter(name__iexact=text)[:2])
    if len(exact) == 1:
        return exact
    return list(landlords.filter(name__icontains=text).order_by("name")[:6])


def landlord_by_org_number(*, organisation: Organisation, org_number: str) -> Landlord | None:
    return Landlord.objects.filter(organisation=organisation, org_number=org_number).first()


def intake_prefill(result: IntakeSearchResult) -> dict[str, str]:
    """What the search typed, for the new-household form (issue 12 item 7): a valid personnummer
    goes to the first person, a query with a digit is an address, any other text a name."""
    if not result.kind or result.identity_error or result.error:
        return {}
    if result.kind == "pnr":
        try:
            number = normalize_personal_identity_number(result.query)
        except InvalidIdentityNumber:
            return {}
        # As the form asks for it: ÅÅÅÅMMDD-NNNN.
        return {"personal_identity_number": f"{number[:8]}-{number[8:]}"}
    if any(ch.isdigit() for ch in result.query):
        return {"street_address": result.query}
    return {"name": result.query}


# =====================================================================================
# End of the intake section.
# =====================================================================================


def sent_letter_for_task(task_pk: int) -> SentLetter | None:
    """The letter as it was sent for this SEND_LETTER task, if it was (issue 11)."""
    return SentLetter.objects.filter(task_id=task_pk).first()
