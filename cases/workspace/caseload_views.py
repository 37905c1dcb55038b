"""Who works what: take a case or a task, name the case worker, the head of unit's caseload pages
(issue 12 item 1, issue 15 §3). Each view: authorise → one service → redirect."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from organisation.models import Role
from organisation.roles import has_role

from ..access import case_get_for_user
from ..audit import audit_log
from ..models import Assignment, AuditAction, TaskStatus
from ..services import ConcurrentChange, caseload
from . import caseload_selectors, forms


def _back(case, anchor: str):
    return redirect(reverse("cases:detail", kwargs={"pk": case.pk}) + anchor)


@require_POST
def case_take(request, pk: int):
    """"Ta ärendet": the user becomes the case worker of their unit's assignment."""
    case = case_get_for_user(request.user, pk, write=True, request=request)
    if not case.is_open or request.user.unit is None:
        raise Http404
    try:
        caseload.case_worker_set(case=case, unit=request.user.unit, worker=request.user, user=request.user, request=request)
    except caseload.CaseloadRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Du är nu handläggare i ärendet."))
    return _back(case, "#tilldelningar")


@require_POST
def task_undo(request, pk: int, task_pk: int):
    """"Ångra": a task marked done today opens again (services.caseload.task_undo_refusal says who may)."""
    case = case_get_for_user(request.user, pk, write=True, request=request)
    task = case.tasks.filter(pk=task_pk).select_related("completed_by__unit").first()
    if task is None:
        raise Http404
    try:
        caseload.task_undo_done(task=task, case=case, user=request.user, request=request)
    except caseload.CaseloadRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Uppgiften är öppen igen."))
    return _back(case, "#uppgifter")


@require_POST
def assignment_end(request, pk: int, assignment_pk: int):
    """Ending a unit's assignment asks first: without `confirmed` (or with a bad reason) the confirmation
    page lists what ends with it (the unit's open tasks, each can move to the lead unit instead)."""
    case = case_get_for_user(request.user, pk, write=True, request=request)
    assignment = Assignment.objects.filter(pk=assignment_pk, case=case).select_related("unit", "user", "case").first()
    if assignment is None:
        raise Http404
    refusal = assignment_end_refusal_for(case, assignment)
    if refusal:
        messages.error(request, refusal)
        return _back(case, "#tilldelningar")
    confirmed = request.POST.get("end-confirmed") == "yes"
    form = forms.AssignmentEndForm(request.POST if confirmed else None, prefix="end",
                                   initial={"version": case.version})
    move = [int(v) for v in request.POST.getlist("end-move") if v.isdigit()]
    if form.is_bound and form.is_valid():
        try:
            caseload.assignment_end(assignment=assignment, user=request.user, reason=form.cleaned_data["reason"], move_task_ids=move,
                                    request=request, expected_version=form.cleaned_data["version"])
        except (caseload.CaseloadRefused, ConcurrentChange) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Enhetens tilldelning är avslutad."))
        return _back(case, "#tilldelningar")
    audit_log(user=request.user, action=AuditAction.CASE_VIEW, case=case, request=request, detail="avsluta tilldelning: bekräftelse")
    return render(request, "cases/assignment_end_confirm.html", {
        "case": case, "assignment": assignment, "form": form, "tasks": caseload.assignment_open_tasks(assignment),
        "move": set(move),
    }, status=400 if form.is_bound else 200)


def assignment_end_refusal_for(case, assignment) -> str:
    if not case.is_open:
        return _("Ärendet är avslutat.")
    return caseload.assignment_end_refusal(assignment)


@require_POST
def case_worker_set(request, pk: int, assignment_pk: int):
    """The unit's head names the case worker (or sends the case to the unit's queue)."""
    case = case_get_for_user(request.user, pk, write=True, request=request)
    assignment = Assignment.objects.filter(pk=assignment_pk, case=case, ended_at__isnull=True).select_related("unit").first()
    if assignment is None or not case.is_open:
        raise Http404
    form = forms.CaseWorkerForm(request.POST, unit=assignment.unit, prefix=f"worker-{assignment.pk}")
    if not form.is_valid():
        messages.error(request, _("Välj en person i enheten eller enhetens kö."))
        return _back(case, "#tilldelningar")
    try:
        caseload.case_worker_set(case=case, unit=assignment.unit, worker=form.cleaned_data["worker"], user=request.user, request=request)
    except caseload.CaseloadRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Handläggaren är ändrad."))
    return _back(case, "#tilldelningar")


@require_POST
def task_take(request, pk: int, task_pk: int):
    """The user takes one of their unit's open tasks."""
    case = case_get_for_user(request.user, pk, write=True, request=request)
    task = case.tasks.filter(pk=task_pk, status=TaskStatus.OPEN).select_related("unit").first()
    if task is None:
        raise Http404
    try:
        caseload.task_assignee_set(task=task, worker=request.user, user=request.user, request=request)
    except caseload.CaseloadRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Uppgiften är din."))
    return _back(case, "#uppgifter")


# --- the head of unit's caseload (issue 15 §3) ---


def _require_chef(request) -> None:
    if not has_role(request.user, Role.CHEF) or request.user.unit_id is None:
        raise PermissionDenied


@require_GET
def unit_caseload(request):
    _require_chef(request)
    return render(request, "cases/caseload.html", {"caseloads": caseload_selectors.unit_caseloads(request.user)})


@require_http_methods(["GET", "POST"])
def person_caseload(request, user_pk: int):
    """One person's open work, with the confirmed move to another person or the unit's queue.
    404 for everyone but the head of the person's unit (like a case: no existence leak)."""
    person = caseload_selectors.person_for_head(request.user, user_pk)
    if person is None:
        raise Http404
    move_form = forms.CaseloadMoveForm(request.POST if request.method == "POST" else None, person=person, prefix="move")
    unit_form = forms.PersonUnitForm(None, person=person, prefix="unit")
    status = 200
    if request.method == "POST":
        if move_form.is_valid():
            try:
                cases, tasks = caseload.caseload_move(person=person, to_person=move_form.cleaned_data["to_person"], user=request.user,
                                                      reason=move_form.cleaned_data["reason"], request=request)
            except caseload.CaseloadRefused as exc:
                move_form.add_error(None, str(exc))
            else:
                messages.success(request, _("%(cases)d ärenden och %(tasks)d uppgifter är flyttade.") % {"cases": cases, "tasks": tasks})
                return redirect("cases:person_caseload", user_pk=person.pk)
        status = 400
    return _render_person(request, person, move_form, unit_form, status)


@require_POST
def person_unit_change(request, user_pk: int):
    person = caseload_selectors.person_for_head(request.user, user_pk)
    if person is None:
        raise Http404
    unit_form = forms.PersonUnitForm(request.POST, person=person, prefix="unit")
    if unit_form.is_valid():
        try:
            moved, queued = caseload.person_unit_change(
                person=person, new_unit=unit_form.cleaned_data["new_unit"], move_work=unit_form.cleaned_data["work"] == "move",
                user=request.user, reason=unit_form.cleaned_data["reason"], request=request)
        except caseload.CaseloadRefused as exc:
            unit_form.add_error(None, str(exc))
        else:
            text = _("%(name)s hör nu till %(unit)s: %(moved)d följde med, %(queued)d ligger i den gamla enhetens kö.")
            messages.success(request, text % {"name": person.get_full_name(), "unit": person.unit.name, "moved": moved, "queued": queued})
            return redirect("cases:unit_caseload")
    return _render_person(request, person, forms.CaseloadMoveForm(None, person=person, prefix="move"), unit_form, 400)


def _render_person(request, person, move_form, unit_form, status: int):
    assignments, tasks = caseload_selectors.person_open_work(person)
    return render(request, "cases/person_caseload.html", {
        "person": person, "assignments": assignments, "tasks": tasks, "move_form": move_form, "unit_form": unit_form,
    }, status=status)
