"""Reads of submissions: the landlord's own list, the organisation's queue, the menu's count."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Submission, SubmissionStatus


def landlord_submissions(*, landlord_id: int) -> QuerySet[Submission]:
    """Newest first, with nothing of any case (the notice is not even joined)."""
    return Submission.objects.filter(landlord_id=landlord_id).only(
        "id", "status", "received_at", "missing", "rejected_reason", "channel", "registered_at", "landlord_id"
    ).order_by("-received_at", "-id")


def organisation_submissions(*, organisation_id: int, status: str | None = SubmissionStatus.RECEIVED) -> QuerySet[Submission]:
    queryset = Submission.objects.filter(organisation_id=organisation_id).select_related("landlord", "notice__case")
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("received_at", "id")


def queue_count(request) -> int | None:
    """The number in the menu item "Inkomna underrättelser" (organisation/context_processors.py)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.organisation_id:
        return None
    return Submission.objects.queue().filter(organisation_id=user.organisation_id).count()
