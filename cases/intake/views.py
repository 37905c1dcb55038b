"""Intake in the browser: search the household, register the notice, see the decision, print the letter.

Thin views: parse, authorise (role, then cases/access.py), call one service, render or redirect.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from organisation.models import Role
from organisation.roles import has_role

from .. import explanations, services
from ..access import case_get_for_user
from ..audit import audit_log, audit_search
from ..models import Assignment, AssignmentRole, AuditAction, Case, CaseFlag, MemberRole, Person, Task, TaskKind, TaskStatus
from ..protection import household_has_protected_member
from ..validation import free_text_message, free_text_problem
from . import selectors
from .forms import IntakeForm, MemberFormSet
from .letters import render_letter_pdf

logger = logging.getLogger(__name__)

SEARCH_MAX_LENGTH = 200
# What the last intake search typed, kept in the (server-side) session for the new-household form:
# never in the URL, where a personnummer would reach access logs and browser history.
PREFILL_SESSION_KEY = "intake_search_prefill"
FROM_SEARCH_PARAM = "fran"
FROM_SEARCH_VALUE = "sokningen"

FLAG_TEXTS = {
    CaseFlag.SERVED_DATE_MISSING: gettext_lazy("Delgivningsdatum saknas: återvinningsfristen är okänd, fråga hyresvärden."),
    CaseFlag.DISTURBANCE_WITHOUT_WARNING: gettext_lazy(
        "Uppsägning pga störningar utan registrerad tillsägelse: kontrollera att socialnämnden underrättades först (JB 12 kap. 42 §)."
    ),
}


def _require_advisor(request) -> None:
    # Only the hyresrådgivare registers notices; everyone else gets 403.
    if not has_role(request.user, Role.HYRESRADGIVARE):
        raise PermissionDenied(_("Endast hyresrådgivare kan registrera underrättelser."))


@require_http_methods(["GET", "POST"])
def intake_search(request):
    """Step 1: is the household already known? Avoids a second household for the same people.

    The query is POSTed: a personnummer must not end up in URLs, access logs or browser history."""
    _require_advisor(request)
    query = request.POST.get("q", "")
    problem = free_text_problem(query, max_length=SEARCH_MAX_LENGTH)
    if problem:
        # A NUL byte once reached PostgreSQL and answered 500 (issue 10, defect 10).
        result = selectors.IntakeSearchResult(query="", error=free_text_message(problem, max_length=SEARCH_MAX_LENGTH))
        request.session.pop(PREFILL_SESSION_KEY, None)
        return render(request, "cases/intake_search.html", {"result": result}, status=400)
    if request.method == "POST" and len(query.strip()) < 2:
        error = _("Skriv minst två tecken att söka på: ett personnummer, ett namn eller en adress.")
        return render(request, "cases/intake_search.html", {"result": selectors.IntakeSearchResult(query=query, error=error)})
    result = selectors.intake_search(organisation=request.user.organisation, query=query)
    request.session[PREFILL_SESSION_KEY] = selectors.intake_prefill(result)
    # One SEARCH event with the kind of query and the number of hits (never the query: it may
    # be a personnummer); the households listed are not case views (issue 15 §7).
    if result.kind:
        kinds = ["personnummer"] if result.kind == "pnr" else ["namn", "adress"]
        audit_search(user=request.user, request=request, where="intake", kinds=kinds, hits=len(result.matches))
    return render(request, "cases/intake_search.html", {"result": result, "from_search": FROM_SEARCH_VALUE})


@require_GET
def landlord_suggestions(request):
    """The type-ahead of the landlord field: the organisation's stored landlords matching ``q`` (JSON)."""
    _require_advisor(request)
    query = request.GET.get("q", "")
    if free_text_problem(query, max_length=SEARCH_MAX_LENGTH):
        return JsonResponse({"landlords": []}, status=400)
    landlords = selectors.landlord_suggestions(organisation=request.user.organisation, text=query)
    return JsonResponse({"landlords": [{"name": lo.name, "org_number": lo.org_number} for lo in landlords]})


def _initial_from_search(request) -> tuple[dict, list[dict]]:
    """The new-household form's initial values and first person from the last search."""
    prefill = request.session.get(PREFILL_SESSION_KEY) or {}
    initial = {"street_address": prefill["street_address"]} if prefill.get("street_address") else {}
    person = {key: prefill[key] for key in ("name", "personal_identity_number") if prefill.get(key)}
    # The person searched for is most often the one the notice names: the tenant.
    return initial, [{**person, "role": MemberRole.TENANT}] if person else []


def _initial_values(request, join_case: Case | None, *, show_address: bool) -> tuple[dict, list[dict]]:
    """The empty form's values: the joined household's, or what the search typed (issue 12 item 7), or none."""
    if join_case:
        return IntakeForm.initial_from_household(join_case.household, show_address=show_address), []
    if request.GET.get(FROM_SEARCH_PARAM) == FROM_SEARCH_VALUE:
        return _initial_from_search(request)
    return {}, []


def _error_summary(form, formset) -> list[dict]:
    """Every error with a link to its field, for the summary at the top of the page."""
    items = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        anchor = f"#{form[name].auto_id}" if field is not None else "#intake-form"
        label = field.label if field is not None else _("Formuläret")
        items.extend({"label": label, "message": error, "anchor": anchor} for error in errors)
    for error in formset.non_form_errors():
        items.append({"label": _("Personer i hushållet"), "message": error, "anchor": "#members"})
    for index, member_form in enumerate(formset.forms, start=1):
        for name, errors in member_form.errors.items():
            field = member_form.fields.get(name)
            label = f"{_('Person')} {index}: {field.label if field is not None else ''}"
            anchor = f"#{member_form[name].auto_id}" if field is not None else "#members"
            items.extend({"label": label, "message": error, "anchor": anchor} for error in errors)
    return items


def _submission_token(request) -> str:
    posted = request.POST.get("submission_token", "") if request.method == "POST" else ""
    if re.fullmatch(r"[A-Za-z0-9_-]{32,64}", posted):
        return posted
    return secrets.token_urlsafe(32)


@require_http_methods(["GET", "POST"])
def intake_new(request):
    """Step 2: the notice, the household, its members and where it is aktuell — one form, one service call."""
    _require_advisor(request)
    organisation = request.user.organisation
    today = timezone.localdate()
    join_case = None
    if request.GET.get("case"):
        try:
            case_pk = int(request.GET["case"])
        except ValueError as exc:
            raise Http404 from exc
        # Showing the form shows the household: a read of the case (saving is logged by the service).
        join_case = case_get_for_user(request.user, case_pk, write=True, request=request, log_view=request.method == "GET")
        if not join_case.is_open:
            messages.error(request, _("Ärende %(number)s är avslutat. Registrera underrättelsen som ett nytt hushåll.") % {
                "number": join_case.number})
            return redirect("cases:intake_search")
    existing_members: list[Person] = list(join_case.household.members.all()) if join_case else []
    show_address = not household_has_protected_member(existing_members)

    # One-time token against double-clicks; kept across a re-render with errors (nothing was saved).
    submission_token = _submission_token(request)
    if request.method == "POST":
        form = IntakeForm(request.POST, request.FILES, organisation=organisation, joining=join_case is not None, today=today)
        formset = MemberFormSet(request.POST, prefix="members", require_tenant=join_case is None, today=today)
        if form.is_valid() and formset.is_valid():
            try:
                notice = services.notice_register(
                    organisation=organisation,
                    user=request.user,
                    notice=form.notice_data(),
                    household=form.household_data(formset.members_data()),
                    join_case=join_case,
                    attachment=form.cleaned_data.get("attachment"),
                    request=request,
                    submission_token=submission_token,
                )
            except services.DuplicateSubmission as exc:
                # A double-click: the first click registered the notice; show its result.
                messages.info(request, _("Formuläret skickades redan: underrättelsen är registrerad i ärende %(number)s.") % {
                    "number": exc.case.number})
                return redirect("cases:decision", pk=exc.case.pk)
            except Case.DoesNotExist:
                # The case was closed by someone else between loading the form and saving it.
                form.add_error(None, _("Ärendet avslutades medan du fyllde i formuläret. Sök fram hushållet igen."))
            else:
                if notice.case.notices.count() > 1:
                    messages.success(request, _("Underrättelsen lades till i det öppna ärendet %(number)s.") % {
                        "number": notice.case.number})
                else:
                    messages.success(request, _("Ärende %(number)s är registrerat.") % {"number": notice.case.number})
                return redirect("cases:decision", pk=notice.case_id)
    else:
        initial, members_initial = _initial_values(request, join_case, show_address=show_address)
        initial.setdefault("received_date", today)
        form = IntakeForm(initial=initial, organisation=organisation, joining=join_case is not None, today=today)
        formset = MemberFormSet(prefix="members", require_tenant=join_case is None, today=today, initial=members_initial)

    errors = _error_summary(form, formset) if form.is_bound else []
    return render(
        request,
        "cases/intake_form.html",
        {
            "form": form,
            "formset": formset,
            "join_case": join_case,
            "existing_members": existing_members,
            "show_address": show_address,
            "error_summary": errors,
            "submission_token": submission_token,
            "landlords": selectors.landlord_options(organisation=organisation),
        },
        status=400 if errors else 200,
    )


def _case_detail_url(case: Case) -> str | None:
    # The case page belongs to the workspace area; link to it once it exists.
    try:
        return reverse("cases:detail", args=[case.pk])
    except NoReverseMatch:
        return None


@require_GET
def decision(request, pk: int):
    """What the plan decided for the case, and why."""
    case = case_get_for_user(request.user, pk, request=request, log_view=True)
    assignments = list(
        Assignment.objects.filter(case=case, ended_at__isnull=True).select_related("unit", "user").order_by("role", "created_at")
    )
    role_order = {"LEAD": 0, "ASSIGNED": 1, "COPY": 2}
    assignments.sort(key=lambda a: role_order.get(a.role, 9))
    tasks = list(case.tasks.select_related("unit", "assignee").order_by("due_date", "id"))
    members = list(case.household.members.all())
    protected = household_has_protected_member(members)
    notices = list(case.notices.select_related("landlord").order_by("received_date", "id"))
    return render(
        request,
        "cases/decision.html",
        {
            "case": case,
            "explanation": explanations.sentences(case.explanation, explanations.unit_names(case.organisation_id)),
            "household": case.household,
            "designation": case.household.designation,
            "assignments": assignments,
            "lead": next((a for a in assignments if a.role == AssignmentRole.LEAD), None),
            "tasks": tasks,
            "letter_kind": TaskKind.SEND_LETTER,
            "protected": protected,
            "flags": [FLAG_TEXTS.get(flag, flag) for flag in case.flags],
            "served_date_missing": CaseFlag.SERVED_DATE_MISSING in case.flags,
            "notices": notices,
            "tenants": [m for m in members if m.role in (MemberRole.TENANT, MemberRole.CO_TENANT)],
            "case_url": _case_detail_url(case),
        },
    )


@require_GET
def letter_pdf(request, task_pk: int):
    """The letter for a SEND_LETTER task, access-checked and logged.

    Once the task is done the stored letter as sent is served (checked against its hash), never a
    new rendering: what the household received must not change when the case does."""
    case_id = Task.objects.filter(pk=task_pk, kind=TaskKind.SEND_LETTER).values_list("case_id", flat=True).first()
    if case_id is None:
        raise Http404(_("Brevet finns inte."))
    case = case_get_for_user(request.user, case_id, request=request)
    task = Task.objects.select_related("unit", "case__organisation", "case__household").get(pk=task_pk, case=case)
    sent = selectors.sent_letter_for_task(task.pk)
    if sent is not None:
        with sent.file.open("rb") as stored:
            pdf = stored.read()
        if hashlib.sha256(pdf).hexdigest() != sent.sha256:
            # The stored file was altered: refuse rather than serve something that was not sent.
            logger.error("Sent letter %s does not match its SHA-256", sent.pk)
            raise Http404(_("Det skickade brevet kan inte visas: filen stämmer inte med kontrollsumman."))
        detail = f"task={task.pk} sent={sent.sent_on.isoformat()}"
        filename = f"brev-{case.number}-skickat-{sent.sent_on.isoformat()}.pdf"
    elif task.status == TaskStatus.CANCELLED:
        raise Http404(_("Brevuppgiften är struken. Inget brev skickades."))
    elif task.status != TaskStatus.OPEN:
        # Done before letters were frozen: nothing was stored, and a new rendering would not be what was sent.
        raise Http404(_("Brevet sparades inte när det skickades. Skapa en ny brevuppgift för ett nytt brev."))
    else:
        pdf = render_letter_pdf(task, request.user)
        detail = f"task={task.pk}"
        filename = f"brev-{case.number}.pdf"
    audit_log(user=request.user, action=AuditAction.LETTER_DOWNLOAD, case=case, request=request, detail=detail)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # A secret document: never kept in a shared cache.
    response["Cache-Control"] = "no-store"
    return response
