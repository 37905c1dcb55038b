"""Nödåtkomst: a user with the permission takes time-limited access to one case, stating why."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..access import emergency_case_for_user, may_take_emergency_access, visible_cases
from ..audit import audit_log
from ..models import AuditAction
from ..services.emergency import emergency_access_grant
from .forms import EmergencyAccessForm
from .selectors import case_for_reference


def _page(request, form, case, status=200):
    return render(request, "cases/emergency_access.html",
                  {"form": form, "case": case, "hours": settings.EMERGENCY_ACCESS_HOURS}, status=status)


@require_http_methods(["GET", "POST"])
def emergency_access(request):
    if not may_take_emergency_access(request.user):
        raise PermissionDenied
    # From a refused case page (?arende=<id>): the case is named, the user states only the reason.
    named = request.GET.get("arende") or request.POST.get("arende")
    case = emergency_case_for_user(request.user, named) if named and named.isdigit() else None
    if request.method == "GET":
        initial = {"case_ref": case.number} if case else {}
        return _page(request, EmergencyAccessForm(initial=initial), case)
    form = EmergencyAccessForm(request.POST)
    if form.is_valid() and case is None:
        case = case_for_reference(request.user.organisation_id, form.cleaned_data["case_ref"])
        if case is None:
            # Logged like any refusal; the searched reference (it may be a personnummer) is not stored.
            audit_log(user=request.user, action=AuditAction.CASE_VIEW_DENIED, organisation=request.user.organisation,
                      request=request, detail="nödåtkomst: ingen träff", without_assignment=True)
            form.add_error("case_ref", _("Inget ärende hittades med det numret i din organisation."))
    if not form.is_valid():
        return _page(request, form, case, status=400)
    if visible_cases(request.user).filter(pk=case.pk).exists() and not form.cleaned_data["write"]:
        messages.info(request, _("Du har redan åtkomst till ärendet."))
        return redirect("cases:detail", pk=case.pk)
    access = emergency_access_grant(user=request.user, case=case, reason=form.cleaned_data["reason"],
                                    write=form.cleaned_data["write"], request=request)
    messages.warning(request, _(
        "Du har nödåtkomst till ärende %(number)s till kl. %(until)s. Åtkomsten och skälet finns i loggen, "
        "och chefen för ansvarig enhet har fått besked."
    ) % {"number": case.number, "until": f"{timezone.localtime(access.expires_at):%H:%M}"})
    return redirect("cases:detail", pk=case.pk)
