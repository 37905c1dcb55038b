"""/statistik/: the dashboard, its print view, CSV/XLSX exports and the drill-down lists."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cases.access import visible_cases
from cases.audit import audit_log
from cases.models import AuditAction
from organisation.models import Unit

from . import access, charts
from .aggregates import statistics_areas
from .exports import to_csv, to_xlsx
from .forms import StatisticsForm, previous_month
from .statistics import case_ids_for_figure, compute, suppress
from .tables import build_tables

if TYPE_CHECKING:
    from django.http import HttpRequest

    from organisation.models import User


def _units_for(user: User):
    if access.is_city_level(user):
        # The same codes in every organisation: one entry per code.
        seen, units = set(), []
        for unit in Unit.objects.select_related("department").order_by("name"):
            if unit.code not in seen:
                seen.add(unit.code)
                units.append(unit)
        return units
    units = Unit.objects.filter(organisation_id=user.organisation_id).select_related("department").order_by("name")
    if not access.has_role(user, access.Role.STYRGRUPP):
        units = units.filter(department_id=user.unit.department_id) if user.unit_id else units.none()
    return list(units)


def _areas_for(user: User) -> list[str]:
    """The households' areas (district names) of the organisation, or of every organisation at city level."""
    from organisation.models import Organisation

    if access.is_city_level(user):
        return statistics_areas(Organisation.objects.values_list("pk", flat=True))
    return statistics_areas([user.organisation_id])


def _parse(request: HttpRequest):
    """(form, scope, figures or None, suppressed) for the query string; a form with errors has no figures."""
    user = request.user
    if not access.may_see_statistics(user):
        raise PermissionDenied
    city = access.is_city_level(user)
    start, end = previous_month(timezone.localdate())
    data = request.GET.copy() if "date_from" in request.GET else {"date_from": start.isoformat(), "date_to": end.isoformat()}
    form = StatisticsForm(data, units=_units_for(user), city_level=city, areas=_areas_for(user))
    if not form.is_valid():
        return form, None, None, False
    d = form.cleaned_data
    try:
        scope = access.statistics_scope(user, d.get("unit") or "", d.get("department") or "")
    except access.ScopeError:
        form.add_error("unit", _("Enheten hör inte till avdelningen."))
        return form, None, None, False
    if d.get("area"):
        scope = dataclasses.replace(scope, areas=(d["area"],))
    figures = compute(scope, d["date_from"], d["date_to"])
    suppressed = city or bool(d.get("publish"))
    if suppressed:
        figures = suppress(figures, settings.STATISTICS_SUPPRESSION_THRESHOLD)
    return form, scope, figures, suppressed


def _context(request: HttpRequest, *, printing=False):
    form, _scope, figures, suppressed = _parse(request)
    tables = build_tables(figures) if figures else []
    query = request.GET.copy()
    for table in tables:
        table.svg = charts.bar_chart(table, title_id=f"chart-{table.key}") if table.chart else ""
    user = request.user
    return {
        "form": form, "tables": tables, "figures": figures.data if figures else None, "suppressed": suppressed,
        "threshold": settings.STATISTICS_SUPPRESSION_THRESHOLD, "querystring": query.urlencode(),
        "city_level": access.is_city_level(user), "drill": access.sees_case_contents(user) and not access.is_city_level(user),
        "printing": printing,
    }


@require_GET
def dashboard(request: HttpRequest):
    context = _context(request)
    return render(request, "followup/statistics.html", context, status=200 if context["figures"] else 400)


@require_GET
def dashboard_print(request: HttpRequest):
    context = _context(request, printing=True)
    return render(request, "followup/statistics_print.html", context, status=200 if context["figures"] else 400)


def _scope_label(request: HttpRequest, form) -> str:
    unit = " ".join(filter(None, [form.cleaned_data.get("department"), form.cleaned_data.get("unit"), form.cleaned_data.get("area")]))
    where = _("Alla stadsdelsförvaltningar") if access.is_city_level(request.user) else str(request.user.organisation)
    return f"{where}, {unit}" if unit else where


@require_GET
def export(request: HttpRequest, fmt: str):
    form, _scope, figures, suppressed = _parse(request)
    if figures is None:
        return HttpResponse(_("Ogiltig period."), status=400, content_type="text/plain; charset=utf-8")
    d = form.cleaned_data
    meta = {
        "period": f"{d['date_from']:%Y-%m-%d} – {d['date_to']:%Y-%m-%d}", "scope": _scope_label(request, form),
        "suppressed": suppressed, "threshold": settings.STATISTICS_SUPPRESSION_THRESHOLD,
    }
    tables = build_tables(figures)
    name = f"statistik-{d['date_from']:%Y%m%d}-{d['date_to']:%Y%m%d}"
    if fmt == "xlsx":
        response = HttpResponse(
            to_xlsx(tables, **meta), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    else:
        response = HttpResponse(to_csv(tables, **meta), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    if not access.is_city_level(request.user):
        audit_log(user=request.user, action=AuditAction.EXPORT, detail=f"statistik {fmt} {meta['period']}")
    return response


@require_GET
def drill_down(request: HttpRequest):
    """The cases behind a figure, for those who may see them: always intersected with the user's own cases."""
    user = request.user
    if not access.sees_case_contents(user) or not access.may_see_statistics(user) or access.is_city_level(user):
        raise PermissionDenied
    form, scope, figures, _suppressed = _parse(request)
    figure = request.GET.get("figure", "")
    ids = case_ids_for_figure(scope, form.cleaned_data["date_from"], form.cleaned_data["date_to"], figure) if figures else None
    if ids is None:
        return render(request, "followup/drill_down.html", {"error": True, "figure": figure}, status=400)
    cases = visible_cases(user).filter(pk__in=ids).select_related("lead_unit").order_by("number")
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "followup/drill_down.html", {
        "page": page, "figure": figure, "querystring": query.urlencode(), "form": form,
    })
