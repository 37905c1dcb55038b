"""Who may see and change which case: the one access gate (OSL 26 kap.).

Every list starts from `visible_cases(user)`, every case URL from
`case_get_for_user(...)`, which answers 404 for a case the user may not see
(no existence leak) and writes the attempt to the audit log.

- hyresrådgivare: every case of their organisation (they log all notices);
- handläggare: cases where their unit holds an assignment; read-only for
  30 days after the last assignment of their unit ended;
- chef: cases where a unit of their department holds or held an assignment;
- ordförande i BOSAM: cases on the agenda of one of the organisation's meetings, read-only;
- systemadministratör: no case contents at all;
- anyone with an active emergency access (nödåtkomst, issue 15 §4) to a case: that case, read (and write if
  granted) until the access expires. Only a user with the permission `cases.emergency_access` can be granted one
  (cases/services/emergency.py), and only within their organisation.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from organisation.models import Role
from organisation.roles import user_roles

from . import hooks
from .models import Assignment, AuditAction, Case, EmergencyAccess

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest

    from organisation.models import User

READ_AFTER_ASSIGNMENT_ENDED = timedelta(days=30)


def _agenda_case_ids(organisation):
    # A forum chair (BOSAM) reads the cases on its agendas; the forum app answers through cases.hooks.
    return hooks.case_ids_on_agendas(organisation)


def active_emergency_accesses(user: User, *, now: datetime | None = None) -> QuerySet[EmergencyAccess]:
    """The user's emergency accesses that have not expired at `now` (default: the present)."""
    return EmergencyAccess.objects.filter(user_id=user.pk, organisation_id=user.organisation_id, expires_at__gt=now or timezone.now())


def visible_cases(user: User | AnonymousUser, *, now: datetime | None = None) -> QuerySet[Case]:
    """All cases this user may read, within their own organisation only."""
    if not user.is_authenticated or user.organisation_id is None:
        return Case.objects.none()
    roles = user_roles(user)
    base = Case.objects.filter(organisation_id=user.organisation_id)
    if Role.HYRESRADGIVARE in roles:
        return base
    # Emergency access is one more subquery, not one more query: the lists' pinned query counts stay.
    condition = Q(Exists(active_emergency_accesses(user, now=now).filter(case=OuterRef("pk"))))
    if Role.HANDLAGGARE in roles and user.unit_id:
        since = timezone.now() - READ_AFTER_ASSIGNMENT_ENDED
        condition |= Q(
            Exists(
                Assignment.objects.filter(case=OuterRef("pk"), unit_id=user.unit_id).filter(
                    Q(ended_at__isnull=True) | Q(ended_at__gte=since)
                )
            )
        )
    if Role.CHEF in roles and user.unit_id:
        condition |= Q(Exists(Assignment.objects.filter(case=OuterRef("pk"), unit__department_id=user.unit.department_id)))
    if Role.BOSAM_ORDFORANDE in roles:
        condition |= Q(pk__in=_agenda_case_ids(user.organisation))
    return base.filter(condition)


def can_write(user: User, case: Case, *, now: datetime | None = None) -> bool:
    """May the user change the case (tasks, contacts, assignments, closing)?"""
    roles = user_roles(user)
    if case.organisation_id != user.organisation_id:
        return False
    if Role.HYRESRADGIVARE in roles:
        return True
    if Role.CHEF in roles and user.unit_id and case.assignments.filter(unit__department_id=user.unit.department_id).exists():
        return True
    if Role.HANDLAGGARE in roles and user.unit_id and case.assignments.filter(unit_id=user.unit_id, ended_at__isnull=True).exists():
        return True
    return active_emergency_accesses(user, now=now).filter(case=case, write=True).exists()


def case_get_for_user(
    user: User | AnonymousUser, pk, *, write: bool = False, request: HttpRequest | None = None, log_view: bool = False,
    now: datetime | None = None,
) -> Case:
    """The case, if the user may see it (and change it, with write=True); else 404.

    A refused attempt is written to the audit log; with log_view=True a granted
    read is too (the case page does this, the API's reads as well)."""
    from .audit import audit_log

    case = (
        visible_cases(user, now=now)
        .select_related("household", "lead_unit", "organisation")
        .filter(pk=pk)
        .first()
    )
    if case is None or (write and not can_write(user, case, now=now)):
        denied = Case.objects.filter(pk=pk, organisation_id=user.organisation_id).first() if user.is_authenticated else None
        if user.is_authenticated:
            audit_log(
                user=user,
                action=AuditAction.CASE_VIEW_DENIED,
                case=denied,
                organisation=user.organisation,
                request=request,
                detail=f"case_id={pk}" + (" write" if write else ""),
                without_assignment=True,
            )
        raise Http404("Ärendet finns inte eller så saknar du behörighet.")
    if log_view:
        audit_log(user=user, action=AuditAction.CASE_VIEW, case=case, request=request)
    return case


def may_take_emergency_access(user: User | AnonymousUser) -> bool:
    """Has the user the permission to take emergency access (break the glass), given to the person or their group?"""
    return bool(user.is_authenticated and user.organisation_id and user.has_perm("cases.emergency_access"))


def emergency_case_for_user(user: User, pk) -> Case:
    """The case a user with the permission asks emergency access to: only in their own organisation; else 404.

    The permission is checked by the caller (403 without it). A case of another organisation is
    a 404, as if it did not exist, and the attempt is logged like any refusal."""
    from .audit import audit_log

    case = Case.objects.select_related("lead_unit", "organisation").filter(pk=pk, organisation_id=user.organisation_id).first()
    if case is None:
        audit_log(user=user, action=AuditAction.CASE_VIEW_DENIED, organisation=user.organisation,
                  detail=f"case_id={pk} nödåtkomst", without_assignment=True)
        raise Http404("Ärendet finns inte eller så saknar du behörighet.")
    return case
