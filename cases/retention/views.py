"""Gallring: what is due today, as counts by year of the last entry and lead unit, and what has been deleted.
For the system administrator, who sees no case contents: no names, no case numbers."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from organisation.models import Role, Unit
from organisation.roles import has_role

from ..models import DeletedCase
from ..services.retention import retention_plan, retention_summary


@require_GET
def retention_overview(request):
    if not has_role(request.user, Role.SYSTEMADMINISTRATOR) or request.user.organisation_id is None:
        raise PermissionDenied
    organisation_id = request.user.organisation_id
    plan = retention_plan(today=timezone.localdate(), organisation_id=organisation_id)
    unit_names = dict(Unit.objects.filter(organisation_id=organisation_id).values_list("code", "name"))
    due = [{**row, "unit": unit_names.get(row["unit_code"], row["unit_code"] or "–")} for row in retention_summary(plan)]
    deleted = [
        {**row, "unit": unit_names.get(row["unit_code"], row["unit_code"] or "–")}
        for row in DeletedCase.objects.filter(organisation_id=organisation_id).annotate(year=ExtractYear("deleted_at"))
        .order_by("-year", "unit_code").values("year", "unit_code").annotate(count=Count("id"))
    ]
    return render(request, "cases/retention.html", {
        "plan": plan, "due": due, "deleted": deleted, "years": settings.RETENTION_YEARS,
        "research_days": settings.RETENTION_RESEARCH_DAYS, "execute": settings.RETENTION_EXECUTE,
        "audit_years": settings.AUDIT_RETENTION_YEARS,
    })
