"""Who may see and run BOSAM meetings: the one gate for bosam/ views and the API.

- ordförande i BOSAM: reads every meeting of the organisation and changes them;
- hyresrådgivare, handläggare, chef (the participants): read;
- systemadministratör and everyone else: nothing (404, so no existence leak).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from organisation.models import Role
from organisation.roles import has_role

from .models import Meeting
from .selectors import PARTICIPANT_ROLES


def can_view_meetings(user) -> bool:
    return bool(user.is_authenticated and user.organisation_id and has_role(user, Role.BOSAM_ORDFORANDE, *PARTICIPANT_ROLES))


def is_chair(user) -> bool:
    return bool(user.is_authenticated and user.organisation_id and has_role(user, Role.BOSAM_ORDFORANDE))


def visible_meetings(user) -> QuerySet[Meeting]:
    if not can_view_meetings(user):
        return Meeting.objects.none()
    return Meeting.objects.filter(organisation_id=user.organisation_id).select_related("series")


def meeting_get_for_user(user, pk, *, edit: bool = False) -> Meeting:
    """The meeting if the user may see it (404 otherwise); with edit=True only the chair passes (403)."""
    meeting = visible_meetings(user).filter(pk=pk).first()
    if meeting is None:
        raise Http404("Mötet finns inte eller så saknar du behörighet.")
    if edit and not is_chair(user):
        raise PermissionDenied("Bara ordföranden i BOSAM kan ändra mötet.")
    return meeting
