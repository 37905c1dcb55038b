"""Logguppföljning: the head of unit's monthly review of the audit log, on screen and printed."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from organisation.models import Role
from organisation.roles import has_role

from .. import explanations
from ..audit import audit_log
from ..models import AuditAction
from . import forms, selectors

EVENTS_PER_PAGE = 50
PRINT_LIMIT = 5000


def _audit_review_query(request):
    if not has_role(request.user, Role.CHEF) or request.user.organisation_id is None:
        raise PermissionDenied
    organisation = request.user.organisation
    form = forms.AuditReviewForm(request.GET or None, organisation=organisation)
    data = form.cleaned_data if form.is_valid() else {}
    month = data.get("month") or selectors.previous_month(timezone.localdate())
    events = selectors.audit_events_for_review(
        organisation, month=month, user=data.get("user"), unit=data.get("unit"), action=data.get("action", ""),
        only_highlighted=bool(data.get("highlighted")),
    )
    if not form.is_bound:
        form = forms.AuditReviewForm(initial={"month": month}, organisation=organisation)
    return form, month, events, selectors.emergency_accesses_for_review(organisation, month=month)


@require_GET
def audit_review(request):
    form, month, events, emergency = _audit_review_query(request)
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "cases/audit_review.html", {
        "form": form, "month": month, "page": page, "summary": selectors.audit_review_summary(events),
        "querystring": query.urlencode(), "emergency": emergency,
        "unit_names": explanations.unit_names(request.user.organisation_id),
    }, status=400 if form.errors else 200)


@require_GET
def audit_review_print(request):
    form, month, events, emergency = _audit_review_query(request)
    # A printed review leaves the application: it is an export of log data and logged as one.
    audit_log(user=request.user, action=AuditAction.EXPORT, request=request, detail=f"logguppföljning {month:%Y-%m}",
              without_assignment=False)
    return render(request, "cases/audit_review_print.html", {
        "form": form, "month": month, "events": events[:PRINT_LIMIT], "summary": selectors.audit_review_summary(events),
        "limit": PRINT_LIMIT, "printed_at": timezone.localtime(), "emergency": emergency,
        "unit_names": explanations.unit_names(request.user.organisation_id),
    }, status=400 if form.errors else 200)
