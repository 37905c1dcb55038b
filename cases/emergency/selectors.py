"""Which case an emergency access request names: by case number or a household member's personnummer,
in the user's own organisation only (nothing crosses that boundary)."""

from __future__ import annotations

import re

from ..models import Case, CaseStatus
from ..rules.identity import InvalidIdentityNumber, normalize_personal_identity_number

CASE_NUMBER = re.compile(r"^\d{4}-\d{1,6}$")


def case_for_reference(organisation_id: int, reference: str) -> Case | None:
    """The case with that number; or the open (else the latest) case of the household of the person with that
    personnummer. None when nothing matches."""
    reference = reference.strip()
    cases = Case.objects.filter(organisation_id=organisation_id).select_related("lead_unit", "organisation")
    if CASE_NUMBER.match(reference):
        return cases.filter(number=reference).first()
    try:
        pin = normalize_personal_identity_number(reference)
    except InvalidIdentityNumber:
        return None
    of_person = cases.filter(household__members__personal_identity_number=pin).distinct()
    return of_person.filter(status=CaseStatus.OPEN).first() or of_person.order_by("-opened_at").first()
