"""Reads for the legal steps on the case page and in the API (issue 11): the history of
eviction dates, both readings of the recovery deadline, earlier cases of the household,
the payment commitment and the eviction outcomes."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Case, PaymentCommitment, TaskKind, TaskStatus
from .protection import household_has_protected_member
from .rules.deadlines import RECEIVED, SENT, case_dates, current_eviction_notice


def earlier_cases(case: Case) -> QuerySet[Case]:
    """The household's other cases opened before this one (same organisation by construction)."""
    return (
        Case.objects.filter(household_id=case.household_id, organisation_id=case.organisation_id, opened_at__lt=case.opened_at)
        .exclude(pk=case.pk)
        .order_by("opened_at", "id")
    )


def payment_commitment_for(case: Case) -> PaymentCommitment | None:
    return PaymentCommitment.objects.filter(case=case).first()


def eviction_time_and_place(case: Case, notices, members=None) -> dict:
    """The current eviction date's time and place (issue 11). The place is the notice's, else the household's
    address; for a protected household it is never shown (`eviction_place_protected`). `members`: the household's,
    when the caller has read them (the case page has: not read again)."""
    notice = current_eviction_notice(notices)
    if notice is None:
        return {"eviction_time": None, "eviction_place": "", "eviction_place_protected": False}
    household = case.household
    if household_has_protected_member(household.members.all() if members is None else members):
        return {"eviction_time": notice.eviction_time, "eviction_place": "", "eviction_place_protected": True}
    home = ", ".join(part for part in (household.street_address, f"{household.postal_code} {household.city}".strip()) if part)
    return {"eviction_time": notice.eviction_time, "eviction_place": notice.eviction_place or home,
            "eviction_place_protected": False}


def legal_page_data(case: Case, notices=None, members=None) -> dict:
    """What the case page shows of the legal steps, from the case's notices and records (and the household's
    members, when the caller has them)."""
    notices = list(notices if notices is not None else case.notices.order_by("received_date", "id"))
    dates = case_dates(notices)
    return {
        "eviction_history": dates.eviction_history if len(dates.eviction_history) > 1 else (),
        **eviction_time_and_place(case, notices, members),
        "recovery_basis_label": {RECEIVED: "RECEIVED", SENT: "SENT"}.get(case.recovery_deadline_basis, ""),
        "earlier_cases": list(earlier_cases(case).only("id", "number", "status", "opened_at", "closed_at", "outcome")),
        "payment_commitment": payment_commitment_for(case),
        "eviction_outcomes": list(case.eviction_outcomes.order_by("eviction_date", "id")),
        "outcome_task": case.tasks.filter(kind=TaskKind.EVICTION_OUTCOME, status=TaskStatus.OPEN).order_by("due_date").first(),
    }
