"""Who may see and run BOSAM meetings: the one gate for bosam/ views and the API.

Who may read which agenda entry (issue 10, defect 8; docs/bosam-access.md):
- ordförande i BOSAM: every meeting of the organisation, every agenda item of it
  (the chair runs the meeting), and changes them;
- hyresrådgivare: every meeting of the organisation (they bring the cases);
- handläggare and chef: the meetings of the series their unit's department takes
  part in (a series without departments: all departments take part, R5);
- an agenda item's own page (its notes and activities) only for a case the user
  may open through cases/access.py, or for the chair;
- systemadministratör and everyone else: nothing (404, so no existence leak).
Every read of a meeting's agenda is logged as AGENDA_VIEW once per item, against
the item's case, so a case's audit trail shows each agenda that showed it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from organisation.models import Role
from organisation.roles import has_role

from .models import AgendaItem, Meeting
from .selectors import PARTICIPANT_ROLES

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest

    from organisation.models import User


def can_view_meetings(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.organisation_id and has_role(user, Role.BOSAM_ORDFORANDE, *PARTICIPANT_ROLES))


def is_chair(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.organisation_id and has_role(user, Role.BOSAM_ORDFORANDE))


def visible_meetings(user: User) -> QuerySet[Meeting]:
    if not can_view_meetings(user):
        return Meeting.objects.none()
    meetings = Meeting.objects.filter(organisation_id=user.organisation_id).select_related("series")
    if has_role(user, Role.BOSAM_ORDFORANDE, Role.HYRESRADGIVARE):
        return meetings
    department_id = user.unit.department_id if user.unit_id else None
    if department_id is None:
        return Meeting.objects.none()
    return meetings.filter(Q(series__departments__id=department_id) | Q(series__departments__isnull=True)).distinct()


def item_get_for_user(user: User, meeting: Meeting, item_pk) -> AgendaItem:
    """One agenda item of a visible meeting: the chair reads every item, others only a case
    they may open through the case gate (404 otherwise)."""
    from cases.access import visible_cases

    item = meeting.items.select_related("case").filter(pk=item_pk).first()
    if item is None or not (is_chair(user) or visible_cases(user).filter(pk=item.case_id).exists()):
        raise Http404("Punkten finns inte eller så saknar du behörighet.")
    return item


def agenda_read_log(user: User, meeting: Meeting, *, request: HttpRequest | None = None, detail: str) -> None:
    """AGENDA_VIEW once per item of the agenda, against its case; one row for an empty agenda."""
    from cases.audit import audit_log, client_address
    from cases.models import Assignment, AuditAction, AuditEvent

    items = list(meeting.items.filter(removed_at__isnull=True).values_list("pk", "case_id"))
    if not items:
        audit_log(user=user, action=AuditAction.AGENDA_VIEW, organisation=meeting.organisation, request=request, detail=detail)
        return
    assigned = set(
        Assignment.objects.filter(case_id__in=[c for _, c in items], unit_id=user.unit_id, ended_at__isnull=True)
        .values_list("case_id", flat=True)
    ) if user.unit_id else set()
    now = timezone.now()
    address = client_address(request)
    AuditEvent.objects.bulk_create([
        AuditEvent(
            organisation_id=meeting.organisation_id, user=user, user_unit_id=user.unit_id, case_id=case_id,
            action=AuditAction.AGENDA_VIEW, detail=f"{detail} item={item_pk}"[:500], without_assignment=case_id not in assigned,
            ip_address=address, at=now,
        )
        for item_pk, case_id in items
    ])


def meeting_get_for_user(user: User, pk, *, edit: bool = False) -> Meeting:
    """The meeting if the user may see it (404 otherwise); with edit=True only the chair passes (403)."""
    meeting = visible_meetings(user).filter(pk=pk).first()
    if meeting is None:
        raise Http404("Mötet finns inte eller så saknar du behörighet.")
    if edit and not is_chair(user):
        raise PermissionDenied("Bara ordföranden i BOSAM kan ändra mötet.")
    return meeting
