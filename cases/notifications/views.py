"""Aviseringar: a user's own notifications only (nothing of anyone else's), the bell's count, the choices."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..models import Notification, NotificationPreference
from .forms import NotificationPreferencesForm

PER_PAGE = 30


def _current(user) -> dict[str, str]:
    return dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))


@require_GET
def notification_list(request):
    page = Paginator(Notification.objects.filter(user=request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "cases/notifications.html", {
        "page": page, "unread": Notification.objects.filter(user=request.user, read_at__isnull=True).count(),
        "form": NotificationPreferencesForm(current=_current(request.user)),
    })


@require_GET
def notification_count(request):
    """The bell's number, fetched by static/js/notifications.js (so that no page pays a query for it)."""
    return JsonResponse({"unread": Notification.objects.filter(user=request.user, read_at__isnull=True).count()})


@require_POST
def notification_mark_read(request):
    """Mark one (id=) or all of the user's notifications read; follow its link when asked (open=1)."""
    mine = Notification.objects.filter(user=request.user, read_at__isnull=True)
    notification_id = request.POST.get("id", "")
    if notification_id.isdigit():
        notification = Notification.objects.filter(user=request.user, pk=int(notification_id)).first()
        mine.filter(pk=int(notification_id)).update(read_at=timezone.now())
        if notification and request.POST.get("open") and url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
            return redirect(notification.url)
    else:
        count = mine.update(read_at=timezone.now())
        messages.success(request, _("%(count)s aviseringar markerade som lästa.") % {"count": count})
    return redirect("cases:notifications")


@require_http_methods(["POST"])
def notification_preferences(request):
    form = NotificationPreferencesForm(request.POST, current=_current(request.user))
    if not form.is_valid():
        page = Paginator(Notification.objects.filter(user=request.user), PER_PAGE).get_page(1)
        return render(request, "cases/notifications.html", {"page": page, "form": form, "unread": 0}, status=400)
    for kind, delivery in form.cleaned_data.items():
        NotificationPreference.objects.update_or_create(user=request.user, kind=kind, defaults={"delivery": delivery})
    messages.success(request, _("Dina val för aviseringar är sparade."))
    return redirect("cases:notifications")
