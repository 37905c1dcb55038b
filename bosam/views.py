"""BOSAM in the browser: thin views. Parse, authorise (bosam/access.py), call one service, render or redirect."""

from collections.abc import Callable

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.audit import audit_log
from cases.models import AuditAction

from . import services
from .access import agenda_read_log, can_view_meetings, is_chair, item_get_for_user, meeting_get_for_user, visible_meetings
from .forms import ActivityForm, AddItemForm, AttendanceForm, LockMinutesForm, NoteForm, ReasonForm, RescheduleForm
from .models import AgendaItem, MeetingStatus
from .selectors import agenda_content, meeting_attendance


def _item(meeting, item_pk) -> AgendaItem:
    return get_object_or_404(AgendaItem.objects.select_related("case", "meeting"), pk=item_pk, meeting=meeting)


def _perform(request, meeting, action: Callable[[], object], *, success: str | Callable[[object], str] = "", to: str = ""):
    """Call one service, then redirect: to `to` (default the meeting page) with the success message, or,
    when the meeting is locked meanwhile, back to the meeting page with the reason. The one place for
    what the chair's actions do with MeetingLocked (the case actions have theirs in cases/workspace/views.py)."""
    try:
        result = action()
    except services.MeetingLocked as exc:
        messages.error(request, str(exc))
        return redirect("bosam:meeting_detail", pk=meeting.pk)
    text = success(result) if callable(success) else success
    if text:
        messages.success(request, text)
    return redirect(to or reverse("bosam:meeting_detail", args=[meeting.pk]))


@require_GET
def meeting_list(request):
    if not can_view_meetings(request.user):
        raise Http404
    meetings = visible_meetings(request.user)
    today = timezone.localdate()
    # A meeting whose minutes are locked is history, even on its own day: the list moves on to the next one.
    upcoming = list(meetings.filter(date__gte=today).exclude(status=MeetingStatus.CLOSED).order_by("date", "time"))
    past = list(meetings.filter(Q(date__lt=today) | Q(status=MeetingStatus.CLOSED)).order_by("-date", "-time")[:12])
    next_meeting = next((m for m in upcoming if m.status != MeetingStatus.CANCELLED), None)
    return render(request, "bosam/meeting_list.html", {
        "upcoming": upcoming, "past": past, "next_meeting": next_meeting, "is_chair": is_chair(request.user),
        "can_configure": request.user.is_staff and request.user.has_perm("bosam.view_meetingseries"),
    })


def _detail(request, meeting, *, status=200, **forms):
    chair = is_chair(request.user)
    context = {
        "meeting": meeting,
        "c": agenda_content(meeting),
        "is_chair": chair,
        "agenda_date": services.agenda_date(meeting),
        "can_reinstate": chair and services.can_reinstate(meeting),
    }
    if chair:
        context["reschedule_form"] = forms.get("reschedule_form") or RescheduleForm(
            initial={"date": meeting.date, "time": meeting.time, "place": meeting.place})
        context["cancel_form"] = forms.get("cancel_form") or ReasonForm(prefix="cancel")
        context["add_form"] = forms.get("add_form") or AddItemForm(prefix="add", organisation=meeting.organisation)
        context["attendance_form"] = forms.get("attendance_form") or AttendanceForm(
            prefix="att", departments=meeting.series.departments.order_by("name"), recorded=meeting_attendance(meeting))
    return render(request, "bosam/meeting_detail.html", context, status=status)


@require_GET
def meeting_detail(request, pk):
    meeting = meeting_get_for_user(request.user, pk)
    agenda_read_log(request.user, meeting, request=request, detail=f"meeting={meeting.pk} {meeting.date}")
    return _detail(request, meeting)


@require_POST
def meeting_reschedule(request, pk):
    meeting = meeting_get_for_user(request.user, pk, edit=True)
    form = RescheduleForm(request.POST)
    if not form.is_valid():
        return _detail(request, meeting, status=400, reschedule_form=form)
    return _perform(
        request,
        meeting,
        lambda: services.meeting_reschedule(meeting=meeting, user=request.user, **form.cleaned_data),
        success=_("Mötet är ändrat. Planeringen flyttar det inte längre automatiskt."),
    )


@require_POST
def meeting_cancel(request, pk):
    meeting = meeting_get_for_user(request.user, pk, edit=True)
    form = ReasonForm(request.POST, prefix="cancel")
    if not form.is_valid():
        return _detail(request, meeting, status=400, cancel_form=form)
    return _perform(
        request,
        meeting,
        lambda: services.meeting_cancel(meeting=meeting, user=request.user, reason=form.cleaned_data["reason"]),
        success=_("Mötet är inställt."),
    )


@require_POST
def agenda_regenerate(request, pk):
    meeting = meeting_get_for_user(request.user, pk, edit=True)
    return _perform(
        request,
        meeting,
        lambda: services.agenda_prepare(meeting=meeting, user=request.user),
        success=lambda r: _("Dagordningen är uppdaterad: %(added)s nya, %(updated)s ändrade, %(dropped)s borttagna punkter.") % r,
    )


@require_POST
def item_add(request, pk):
    meeting = meeting_get_for_user(request.user, pk, edit=True)
    form = AddItemForm(request.POST, prefix="add", organisation=meeting.organisation)
    if not form.is_valid():
        return _detail(request, meeting, status=400, add_form=form)
    return _perform(
        request,
        meeting,
        lambda: services.agenda_item_add(meeting=meeting, user=request.user, case=form.cleaned_data["case"],
                                         section=form.cleaned_data["section"], reason=form.cleaned_data["reason"], request=request),
        success=_("Ärendet är lagt på dagordningen."),
    )


@require_POST
def item_move(request, pk, item_pk, direction):
    meeting = meeting_get_for_user(request.user, pk, edit=True)
    if direction not in ("up", "down"):
        raise Http404
    return _perform(
        request,
        meeting,
        lambda: services.agenda_item_move(item=_item(meeting, item_pk), user=request.user, direction=direction),
        to=reverse("bosam:meeting_detail", args=[meeting.pk]) + f"#punkt-{item_pk}",
    )


def _item_page(request, meeting, item, *, status=200, **forms):
    chair = is_chair(request.user)
    entry = next((e for s in agenda_content(meeting)["sections"] for e in s["items"] if e["item_id"] == item.pk), None)
    context = {"meeting": meeting, "item": item, "entry": entry, "is_chair": chair}
    if chair:
        context["note_form"] = forms.get("note_form") or NoteForm(initial={"note": item.note})
        context["activity_form"] = forms.get("activity_form") or ActivityForm(organisation=meeting.organisation)
        context["remove_form"] = forms.get("remove_form") or ReasonForm(prefix="remove")
    return render(request, "bosam/item_detail.html", context, status=status)


@require_GET
def item_detail(request, pk, item_pk):
    meeting = meeting_get_for_user(request.user, pk)
    item = item_get_for_user(request.user, meeting, item_pk)
    audit_log(user=request.user, action=AuditAction.AGENDA_VIEW, case=item.case, request=request,
              detail=f"meeting={meeting.pk} item={item.pk}")
    return _item_page(request, meeting, item)


@require_POST
def item_note(request, pk, item_pk):
    meeting = meeting_get_for_user(request.user, pk, edit=True)
    item = _item(meeting, item_pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _item_page(request, meeting, item, status=400, note_form=form)
    return _perform(
        request,
        meeting,
        lambda: services.item_note_save(item=item, user=request.user, note=form.cleaned_data["note"]),
        success=_("Anteckningen är sparad."),
        to=reverse("bosam:item_detail", kwargs={"pk": meeting.pk, "item_pk": item.pk}),
    )


@require_POST
def activity_add(request, pk, item_pk):
    meeting = meeting_get_for_user(request.user, pk, edit=True)
    item = _item(meeting, item_pk)
    form = ActivityForm(request.POST, organisation=meeting.organisation)
    if not form.is_valid():
        return _item_page(request, meeting, item, status=400, activity_form=form)
    return _perform(
        request,
        meeting,
        lambda: services.activity_create(item=item, user=request.user, request=request, **form.cleaned_data),
        success=_("Aktiviteten är beslutad och lagd som uppgift för %(unit)s.") % {"unit": form.cleaned_data["unit"].name},
        to=reverse("bosam:item_detail", kwargs={"pk": meeting.pk, "item_pk": item.pk}),
    )


@require_POST
def item_remove(request, pk, item_pk):
    meeting = meeting_get_for_user(request.user, pk, edit=True)
    item = _item(meeting, item_pk)
    form = ReasonForm(request.POST, prefix="remove")
    if not form.is_valid():
        return _item_page(request, meeting, item, status=400, remove_form=form)
    return _perform(
        request,
        meeting,
        lambda: services.agenda_item_remove(item=item, user=request.user, reason=form.cleaned_data["reason"], request=request),
        success=_("Ärendet är struket från dagordningen."),
    )


@require_POST
def attendance(request, pk):
    meeting = meeting_get_for_user(request.user, pk, edit=True)
    form = AttendanceForm(request.POST, prefix="att", departments=meeting.series.departments.order_by("name"))
    if not form.is_valid():
        return _detail(request, meeting, status=400, attendance_form=form)
    return _perform(
        request,
        meeting,
        lambda: services.attendance_record(meeting=meeting, user=request.user, rows=form.rows()),
        success=_("Närvaron är sparad."),
        to=reverse("bosam:meeting_detail", args=[meeting.pk]) + "#narvaro",
    )


@require_POST
def meeting_start(request, pk):
    meeting = meeting_get_for_user(request.user, pk, edit=True)
    return _perform(
        request,
        meeting,
        lambda: services.meeting_start(meeting=meeting, user=request.user),
        success=_("Mötet har startat. Dagordningen är nu fast."),
    )


@require_POST
def meeting_reinstate(request, pk):
    meeting = meeting_get_for_user(request.user, pk, edit=True)
    return _perform(
        request,
        meeting,
        lambda: services.meeting_reinstate(meeting=meeting, user=request.user),
        success=_("Mötet är återställt och planerat igen."),
    )


@require_POST
def item_restore(request, pk, item_pk):
    meeting = meeting_get_for_user(request.user, pk, edit=True)
    return _perform(
        request,
        meeting,
        lambda: services.agenda_item_restore(item=_item(meeting, item_pk), user=request.user, request=request),
        success=_("Strykningen är ångrad; ärendet står på dagordningen igen."),
        to=reverse("bosam:meeting_detail", args=[meeting.pk]) + f"#punkt-{item_pk}",
    )


@require_POST
def item_discussed(request, pk, item_pk):
    meeting = meeting_get_for_user(request.user, pk, edit=True)
    item = _item(meeting, item_pk)
    discussed = request.POST.get("discussed") == "yes"
    return _perform(
        request,
        meeting,
        lambda: services.item_discussed_set(item=item, user=request.user, discussed=discussed),
        success=_("Punkten är markerad som behandlad.") if discussed else _("Punkten är inte längre markerad som behandlad."),
        to=reverse("bosam:item_detail", kwargs={"pk": meeting.pk, "item_pk": item.pk}),
    )


def _close_confirm(request, meeting, form, *, status=200):
    """Locking asks first (issue 12): the items not discussed (each carried over to the next meeting
    unless the chair unticks it), the departments that become absences, and the justering block."""
    undiscussed = services.undiscussed_items(meeting)
    # The page shows the items' case numbers and households: a read of the agenda like the meeting page.
    agenda_read_log(request.user, meeting, request=request, detail=f"meeting={meeting.pk} {meeting.date} lås protokollet")
    carry = {int(v) for v in request.POST.getlist("carry") if v.isdigit()} if request.method == "POST" else {i.pk for i in undiscussed}
    c = agenda_content(meeting)
    entries = {e["item_id"]: e for s in c["sections"] for e in s["items"]}
    return render(request, "bosam/meeting_close_confirm.html", {
        "meeting": meeting, "c": c, "form": form, "next_meeting": services.next_meeting_of_series(meeting),
        "undiscussed": [entries[i.pk] for i in undiscussed if i.pk in entries], "carry": carry,
        "not_present": [row for row in c["attendance"] if not row["present"]],
    }, status=status)


@require_http_methods(["GET", "POST"])
def meeting_close(request, pk):
    meeting = meeting_get_for_user(request.user, pk, edit=True)
    if meeting.status == MeetingStatus.CLOSED:
        return redirect("bosam:meeting_detail", pk=meeting.pk)
    if not meeting.minutes_editable:
        messages.error(request, _("Protokollet är låst; mötet kan inte längre ändras."))
        return redirect("bosam:meeting_detail", pk=meeting.pk)
    if request.method == "GET":
        form = LockMinutesForm(initial={"minutes_keeper": meeting.minutes_keeper, "minutes_checker": meeting.minutes_checker})
        return _close_confirm(request, meeting, form)
    form = LockMinutesForm(request.POST)
    # Closing freezes the minutes and raises the absence deviations: it cannot be undone, so it is confirmed.
    if not form.is_valid() or request.POST.get("confirm") != "yes":
        if form.is_valid():
            messages.error(request, _("Bekräfta att du vill låsa protokollet. Det går inte att ändra efteråt."))
        return _close_confirm(request, meeting, form, status=400)
    carry = [int(v) for v in request.POST.getlist("carry") if v.isdigit()]
    return _perform(
        request,
        meeting,
        lambda: services.meeting_close(meeting=meeting, user=request.user, request=request, carry_over_item_ids=carry,
                                       **form.cleaned_data),
        success=_("Protokollet är låst och kan skrivas ut."),
    )
