"""Who may see which submission: the landlord its own, the hyresrådgivare their organisation's queue.

One gate per object, as cases/access.py: a submission outside the caller's reach is 404 (no existence leak).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from cases.models import Landlord
from organisation.models import Role
from organisation.roles import has_role, user_roles

from .models import Submission


def is_landlord_account(user) -> bool:
    """The role hyresvard. Bound or not: an unbound one reaches nothing (landlord_for_user refuses it)."""
    return has_role(user, Role.HYRESVARD)


def landlord_for_user(user) -> Landlord:
    """The landlord a hyresvard account submits for; 403 for anyone else, or a hyresvard without a landlord or with
    any other role too (the admin refuses both; this holds if someone got past it)."""
    if not (is_landlord_account(user) and user.landlord_id and user_roles(user) == {Role.HYRESVARD.value}):
        raise PermissionDenied(_("Sidan är bara för hyresvärdar med ett konto kopplat till en hyresvärd."))
    return user.landlord


def is_queue_user(user) -> bool:
    return bool(user.is_authenticated and user.organisation_id and has_role(user, Role.HYRESRADGIVARE))


def require_queue_user(user) -> None:
    if not is_queue_user(user):
        raise PermissionDenied(_("Endast hyresrådgivare kan registrera underrättelser."))


# As for a case: an id outside the caller's reach is 404 whoever asks, and only then the role decides (403).


def submission_get_for_landlord(user, pk: int) -> Submission:
    landlord_id = getattr(user, "landlord_id", None)
    submission = Submission.objects.filter(pk=pk, landlord_id=landlord_id).first() if landlord_id else None
    if submission is None:
        raise Http404(_("Underrättelsen finns inte."))
    landlord_for_user(user)
    return submission


def submission_get_for_staff(user, pk: int) -> Submission:
    submission = (
        Submission.objects.select_related("landlord", "notice__case").filter(pk=pk, organisation_id=user.organisation_id).first()
        if user.organisation_id else None
    )
    if submission is None:
        raise Http404(_("Underrättelsen finns inte."))
    require_queue_user(user)
    return submission


def import_preview_get_for_landlord(user, pk: int):
    """The account's own uploaded list (submissions/imports.py): anyone else's, or one past its time, is 404."""
    from .imports import preview_get

    preview = preview_get(user=user, pk=pk)
    if preview is None:
        raise Http404(_("Listan finns inte."))
    landlord_for_user(user)
    return preview
