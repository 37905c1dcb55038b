"""The steering group's period report: list and create, the page with the chair's remarks, the PDF."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from . import access, services
from .forms import RemarksForm, ReportCreateForm
from .models import PeriodReport
from .reports import report_content, report_pdf

if TYPE_CHECKING:
    from django.http import HttpRequest


@require_http_methods(["GET", "POST"])
def report_list(request: HttpRequest):
    user = request.user
    if not access.may_see_reports(user):
        raise PermissionDenied
    form = ReportCreateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            start, end = form.cleaned_data["bounds"]
            report = services.report_prepare(organisation=user.organisation, kind=form.cleaned_data["kind"],
                                             period_start=start, period_end=end, user=user)
            return redirect("followup:report", pk=report.pk)
        status = 400
    reports = PeriodReport.objects.filter(organisation_id=user.organisation_id)
    return render(request, "followup/report_list.html", {"form": form, "reports": reports}, status=status)


@require_http_methods(["GET", "POST"])
def report_detail(request: HttpRequest, pk: int):
    user = request.user
    report = access.report_get_for_user(user, pk)
    form = RemarksForm(request.POST or None, initial={"chair_remarks": report.chair_remarks})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.report_remarks_save(report=report, user=user, remarks=form.cleaned_data["chair_remarks"],
                                             present="present" in request.POST)
            except ValidationError as exc:
                form.add_error("chair_remarks", exc.message_dict.get("chair_remarks"))
            else:
                messages.success(request, _("Rapporten är markerad som föredragen.") if "present" in request.POST
                                 else _("Kommentaren sparades."))
                return redirect("followup:report", pk=report.pk)
        status = 400
    return render(request, "followup/report.html", {"c": report_content(report), "form": form}, status=status)


@require_GET
def report_download(request: HttpRequest, pk: int):
    report = access.report_get_for_user(request.user, pk)
    response = HttpResponse(report_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="periodrapport-{report.period_start:%Y%m%d}-{report.period_end:%Y%m%d}.pdf"'
    return response
