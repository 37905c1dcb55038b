"""The deviations register (/avvikelser/), the statistics (/statistik/) and the period report.

Each view: parse → authorise through followup.access → one service or selector → render or redirect."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cases.access import visible_cases
from cases.explanations import organisation_names

from . import access, selectors, services
from .forms import BulkHandleForm, DeviationFilterForm, DeviationHandleForm, DeviationRecordForm

if TYPE_CHECKING:
    from django.http import HttpRequest

PER_PAGE = 50


def _form_errors_from(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _register_context(request: HttpRequest, bulk_form=None) -> dict:
    user = request.user
    form = DeviationFilterForm(request.GET or None, user=user)
    rows = selectors.deviation_rows(user, form.to_filters())
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    case_contents = access.sees_case_contents(user)
    names = organisation_names(user.organisation_id)
    for deviation in page.object_list:
        deviation.shown_description = selectors.shown_description(deviation, case_contents=case_contents, names=names)
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "form": form, "page": page, "querystring": query.urlencode(), "counts": selectors.counts_by_kind(rows),
        "total": page.paginator.count, "case_contents": case_contents,
        "may_handle": access.has_role(user, *access.HANDLER_ROLES), "may_record": access.may_record(user),
        "bulk_form": bulk_form or DeviationHandleForm(), "full_path": request.get_full_path(),
    }


@require_http_methods(["GET"])
def register(request: HttpRequest):
    if not access.may_open_register(request.user):
        raise PermissionDenied
    return render(request, "followup/register.html", _register_context(request))


@require_POST
def bulk_handle(request: HttpRequest):
    user = request.user
    if not access.may_open_register(user) or not access.has_role(user, *access.HANDLER_ROLES):
        raise PermissionDenied
    form = BulkHandleForm(request.POST, queryset=access.handleable_deviations(user))
    back = request.POST.get("next") or ""
    if not back.startswith(reverse("followup:register")):
        back = reverse("followup:register")
    if form.is_valid():
        try:
            n = services.deviation_handle_bulk(
                deviations=form.cleaned_data["ids"], user=user, status=form.cleaned_data["status"],
                comment=form.cleaned_data["comment"], request=request,
            )
        except ValidationError as exc:
            _form_errors_from(form, exc)
        else:
            messages.success(request, _("%(n)d avvikelser uppdaterades.") % {"n": n})
            return redirect(back)
    context = _register_context(request, bulk_form=form)
    return render(request, "followup/register.html", context, status=400)


@require_http_methods(["GET", "POST"])
def record(request: HttpRequest):
    """Register a manual deviation; from a case page the case number comes along (?arende=<number>)."""
    user = request.user
    if not access.may_record(user):
        raise PermissionDenied
    initial = {}
    number = request.GET.get("arende", "")
    if number and visible_cases(user).filter(number=number).exists():
        initial["case_number"] = number
    form = DeviationRecordForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                deviation = services.deviation_register(
                    organisation=user.organisation, user=user, kind=d["kind"], case=d["case_number"],
                    description=d["description"], occurred_on=d["occurred_on"], request=request,
                )
            except ValidationError as exc:
                _form_errors_from(form, exc)
            else:
                messages.success(request, _("Avvikelsen registrerades."))
                return redirect("followup:detail", pk=deviation.pk)
        return render(request, "followup/record.html", {"form": form}, status=400)
    return render(request, "followup/record.html", {"form": form})


@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, pk: int):
    user = request.user
    # 404 for every deviation the user may not see (and handle, on POST), whatever the role: no existence leak.
    deviation = access.deviation_get_for_user(user, pk, handle=request.method == "POST")
    may_handle = access.handleable_deviations(user).filter(pk=deviation.pk).exists()
    form = DeviationHandleForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.deviation_handle(
                    deviation=deviation, user=user, status=form.cleaned_data["status"],
                    comment=form.cleaned_data["comment"], request=request,
                )
            except ValidationError as exc:
                _form_errors_from(form, exc)
            else:
                messages.success(request, _("Avvikelsen uppdaterades."))
                return redirect("followup:detail", pk=deviation.pk)
        status = 400
    case_contents = access.sees_case_contents(user)
    deviation.shown_description = selectors.shown_description(
        deviation, case_contents=case_contents, names=organisation_names(deviation.organisation_id))
    return render(request, "followup/detail.html", {
        "deviation": deviation, "events": deviation.events.select_related("user"), "form": form,
        "may_handle": may_handle and not deviation.is_closed, "case_contents": case_contents,
        "case_visible": case_contents and deviation.case_id and visible_cases(user).filter(pk=deviation.case_id).exists(),
    }, status=status)
