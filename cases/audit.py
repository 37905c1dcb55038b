"""The audit log (OSL 26 kap.): every read of a case and every change, with a named action."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

from .models import Assignment, AuditAction, AuditEvent, Case

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest

    from organisation.models import User


def client_address(request: HttpRequest | None) -> str | None:
    # Behind the production proxy REMOTE_ADDR is the proxy's: the client's address comes from the
    # trusted proxy's header only (TRUSTED_PROXIES), the same function django-axes uses.
    from organisation.client_ip import client_address as resolve

    return resolve(request)


def audit_log(**fields) -> AuditEvent:
    """Append one event: `audit_event` with the same keyword arguments, saved."""
    event = audit_event(**fields)
    event.save()
    return event


def audit_event(
    *,
    user: User | AnonymousUser | None,
    action: AuditAction | str,
    case: Case | None = None,
    request: HttpRequest | None = None,
    detail: str = "",
    organisation=None,
    without_assignment: bool | None = None,
) -> AuditEvent:
    """One audit event, not yet saved (`audit_log` saves it; an import's commit writes many in one statement,
    cases.services.intake.RegistrationBatch). `without_assignment` defaults to whether the user's unit held an active
    assignment on the case at this moment (for logguppföljning)."""
    user = user if getattr(user, "is_authenticated", False) else None
    unit_id = getattr(user, "unit_id", None)
    if without_assignment is None:
        without_assignment = bool(
            case is not None
            and (unit_id is None or not case.assignments.filter(unit_id=unit_id, ended_at__isnull=True).exists())
        )
    return AuditEvent(
        organisation=organisation or (case.organisation if case is not None else getattr(user, "organisation", None)),
        user=user,
        user_unit_id=unit_id,
        case=case,
        action=action,
        detail=detail[:500],
        without_assignment=without_assignment,
        ip_address=client_address(request),
        at=timezone.now(),
    )


def audit_log_cases(
    *, user: User, action: AuditAction | str, cases: list[Case], detail: str = "", request: HttpRequest | None = None,
) -> list[AuditEvent]:
    """One event per case, as `audit_log` writes it, in two statements however many cases (an import's preview and
    commit)."""
    if not cases:
        return []
    unit_id = getattr(user, "unit_id", None)
    assigned = set()
    if unit_id is not None:
        assigned = set(Assignment.objects.filter(case__in=cases, unit_id=unit_id, ended_at__isnull=True)
                       .values_list("case_id", flat=True))
    now = timezone.now()
    ip_address = client_address(request)
    return AuditEvent.objects.bulk_create([
        AuditEvent(organisation_id=case.organisation_id, user=user, user_unit_id=unit_id, case=case, action=action,
                   detail=detail[:500], without_assignment=case.pk not in assigned, ip_address=ip_address, at=now)
        for case in cases
    ])


SEARCH_KINDS = ("personnummer", "namn", "adress", "ärendenummer", "lista")


def audit_search(
    *, user: User | AnonymousUser, request: HttpRequest, where: str, kinds: list[str], hits: int, filters: str = "",
) -> AuditEvent:
    """One SEARCH event for a search or a list (issue 10, defect 13; issue 15 §7).

    ``kinds`` says what the query could match (e.g. ["namn", "adress"]); the query
    text itself is never stored: it may be a personnummer. ``filters`` are the
    list's filter names and values, which hold no personal data (status, area, unit)."""
    assert all(kind in SEARCH_KINDS for kind in kinds), kinds
    detail = f"{where}: {'/'.join(kinds)}, {hits} träffar"
    if filters:
        detail += f" ({filters})"
    user = user if getattr(user, "is_authenticated", False) else None
    # Written directly with the ids: a list page must not pay a query for the user's organisation.
    return AuditEvent.objects.create(
        organisation_id=getattr(user, "organisation_id", None), user=user, user_unit_id=getattr(user, "unit_id", None),
        action=AuditAction.SEARCH, detail=detail[:500], without_assignment=False, ip_address=client_address(request),
        at=timezone.now(),
    )
