"""The case workers' workspace: my cases, the overview, the case page and its actions.

Each view: parse → authorise through cases.access → one service or selector → render or redirect.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from organisation.models import Role
from organisation.roles import has_role

from .. import legal_selectors, services
from ..access import can_write, case_get_for_user, may_take_emergency_access
from ..audit import audit_log, audit_search
from ..models import AuditAction, BosamRequestStatus, Case, CaseStatus, Notice, TaskKind, TaskStatus
from ..protection import household_has_protected_member, may_reveal_address
from ..rules.caseload import LEAD_UNIT, task_completion_right
from ..services import ConcurrentChange, LetterTaskOpen, caseload, letter_task_create
from . import caseload_selectors, forms, legal_forms, selectors

CASES_PER_PAGE = 25
# The case page's actions behind the one "Åtgärder" <details> (the others have sections of their own).
ACTIONS_IN_MENU = {"contact", "task_create", "assignment", "consult", "consent", "bosam_request", "bosam_withdraw", "close", "reopen"}


# --- lists ---------------------------------------------------------------------


# A search's text (maybe a personnummer) is kept in the session under an opaque id, never in a URL
# (issue 12 item 2); the last few searches are kept so that the back button and pagination work.
SEARCHES_KEPT = 10


def _search_text(request) -> str:
    search_id = request.GET.get("s", "")
    return request.session.get("case_searches", {}).get(search_id, "") if search_id else ""


def _search_store(request, text: str) -> str:
    searches = dict(request.session.get("case_searches", {}))
    search_id = secrets.token_urlsafe(9)
    searches[search_id] = text
    request.session["case_searches"] = dict(list(searches.items())[-SEARCHES_KEPT:])
    return search_id


def _search_redirect(request):
    """POST of the filter form: the filters into the address, the search text into the session."""
    query = QueryDict(mutable=True)
    for key in (*forms.CaseFilterForm.base_fields, "tab"):
        if key == "q":
            continue
        for value in request.POST.getlist(key):
            if value:
                query.appendlist(key, value)
    text = request.POST.get("q", "").strip()
    if text:
        query["s"] = _search_store(request, text[:100])
    return redirect(f"{request.path}?{query.urlencode()}" if query else request.path)


def _case_list(request, queryset, *, title: str, intro: str, overview: bool, tab: str = ""):
    if request.method == "POST":
        return _search_redirect(request)
    data = request.GET.copy()
    data.pop("q", None)  # never read from an address: it would be in the access log
    text = _search_text(request)
    if text:
        data["q"] = text
    form = forms.CaseFilterForm(
        data or None, units=selectors.case_units(request.user), areas=selectors.case_list_areas(request.user)
    )
    filters = form.to_filters()
    filters.queue_of_unit = request.user.unit_id if tab == "unit" else None
    unfiltered = selectors.case_list_rows(queryset, user=request.user)
    rows = selectors.case_list_filter(unfiltered, filters, organisation_id=request.user.organisation_id)
    page = selectors.case_list_page(rows, request.GET.get("page"), CASES_PER_PAGE,
                                    searched_within=unfiltered if filters.q else None)
    # The list shows case numbers, names and children: one SEARCH row per page shown
    # (issue 10, defect 13), with the kind of the search box's query, never its text.
    audit_search(
        user=request.user, request=request, where="översikt" if overview else "mina ärenden",
        kinds=selectors.search_kinds(filters.q), hits=page.paginator.count, filters=selectors.filters_summary(filters),
    )
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("q", None)
    sort_query = query.copy()
    sort_query.pop("sort", None)
    return render(request, "cases/my_cases.html", {
        "title": title, "intro": intro, "overview": overview, "form": form, "filters": filters, "page": page,
        "rows": selectors.rows_for_display(page.object_list, request.user), "tab": tab,
        "filtered": bool(request.GET.keys() - {"page", "sort", "tab"}), "querystring": query.urlencode(),
        "sort_querystring": sort_query.urlencode(), "today": timezone.localdate(),
        "search_expired": bool(request.GET.get("s")) and not text,
    })


@require_http_methods(["GET", "POST"])
def my_cases(request):
    if not selectors.works_cases(request.user):
        raise PermissionDenied
    tab = request.GET.get("tab")
    if tab not in selectors.MY_TABS:
        # Without a choice: one's own cases when there are any, else the unit's (where new cases arrive).
        tab = "mine" if selectors.my_cases(request.user, "mine").filter(status=CaseStatus.OPEN).exists() else "unit"
    intro = (
        _("Ärenden och uppgifter där du är namngiven handläggare.") if tab == "mine"
        else _("Ärenden där din enhet har en tilldelning eller en öppen uppgift. Ärenden utan handläggare visas först.")
    )
    return _case_list(request, selectors.my_cases(request.user, tab), title=_("Mina ärenden"), overview=False, intro=intro, tab=tab)


@require_http_methods(["GET", "POST"])
def overview(request):
    if not selectors.can_see_overview(request.user):
        raise PermissionDenied
    intro = (
        _("Alla ärenden i förvaltningen.") if has_role(request.user, Role.HYRESRADGIVARE)
        else _("Ärenden där en enhet i din avdelning har eller har haft en tilldelning.")
    )
    return _case_list(request, selectors.overview_cases(request.user), title=_("Alla öppna ärenden"), intro=intro, overview=True)


# --- the case page ---------------------------------------------------------------


def _action_forms(case: Case, bound: dict | None = None) -> dict:
    """One unbound form per action, each carrying the case version; `bound` replaces the one the user sent."""
    initial = {"version": case.version}
    today = timezone.localdate()
    org = case.organisation
    result = {
        "contact": forms.ContactForm(initial={**initial, "date": today}, prefix="contact"),
        "task_create": forms.ManualTaskForm(initial=initial, organisation=org, prefix="task"),
        "assignment": forms.AssignmentForm(initial=initial, organisation=org, prefix="assignment"),
        "consult": forms.ConsultForm(initial=initial, prefix="consult"),
        "consent": forms.ConsentForm(initial={**initial, "given_on": today}, prefix="consent"),
        "bosam_request": forms.BosamRequestForm(initial=initial, prefix="bosam"),
        "bosam_withdraw": forms.BosamRequestWithdrawForm(initial=initial, prefix="bosam-withdraw"),
        "close": forms.CloseForm(initial=initial, prefix="close"),
        "reopen": forms.ReopenForm(initial=initial, prefix="reopen"),
        "eviction_outcome": legal_forms.EvictionOutcomeForm(initial=initial, prefix="outcome"),
        "payment": legal_forms.PaymentCommitmentForm(initial={**initial, **_payment_initial(case)}, prefix="payment"),
    }
    result.update({k: v for k, v in (bound or {}).items() if not k.startswith("complete-")})
    return result


def _render_case(request, case: Case, *, bound: dict | None = None, conflict: str = "", status: int = 200):
    bound = bound or {}
    data = selectors.case_page_data(case, show=request.GET.get("visa", ""), everything=bool(request.GET.get("hela")))
    data.update(legal_selectors.legal_page_data(case, data["notices"], data["members"]))
    writable = can_write(request.user, case)
    for task in data["open_tasks"]:
        key = f"complete-{task.pk}"
        task.completion_right = task_completion_right(
            user_unit_id=request.user.unit_id, task_unit_id=task.unit_id, lead_unit_id=case.lead_unit_id)
        form_class = forms.TaskCompleteByLeadForm if task.completion_right == LEAD_UNIT else forms.TaskCompleteForm
        task.complete_form = bound.get(key) or form_class(initial={"version": case.version}, prefix=key)
    data.update(caseload_selectors.case_page_caseload(case, request.user, data))
    revealed = request.session.pop(f"revealed-pin-{case.pk}", None)
    protected = data["protected_identity"]
    return render(request, "cases/case_detail.html", {
        "may_reveal_address": protected and may_reveal_address(request.user, case),
        "address_revealed": protected and bool(request.session.pop(f"revealed-address-{case.pk}", False)),
        "case": case, **data, "writable": writable and case.is_open, "can_reopen": writable and not case.is_open,
        **_bosam_request_panel(request.user, case, writable),
        "forms": _action_forms(case, bound), "conflict": conflict, "revealed_person_pk": revealed,
        # The actions stay behind one closed <details> (issue 12 item 3) unless one of them came back with errors.
        "actions_bound": any(key in ACTIONS_IN_MENU for key in bound),
        "today": timezone.localdate(),
    }, status=status)


def _bosam_request_panel(user, case: Case, writable: bool) -> dict:
    """The units' open BOSAM requests (the user's own can be withdrawn) and whether the user's unit may ask."""
    if not (writable and case.is_open):
        return {"may_request_bosam": False, "open_bosam_requests": [], "my_open_bosam_request": None}
    open_requests = list(case.bosam_requests.filter(status=BosamRequestStatus.OPEN).select_related("unit", "requested_by"))
    mine = next((r for r in open_requests if r.unit_id == user.unit_id), None)
    return {
        "may_request_bosam": services.bosam_request_unit(user, case) is not None,
        "open_bosam_requests": open_requests,
        "my_open_bosam_request": mine,
    }


def _payment_initial(case: Case) -> dict:
    commitment = legal_selectors.payment_commitment_for(case)
    if commitment is None:
        return {}
    return {name: getattr(commitment, name) for name in (
        "application_received_on", "decision", "decision_date", "sent_to_landlord_on", "amount")}


@require_GET
def case_detail(request, pk: int):
    try:
        case = case_get_for_user(request.user, pk, request=request, log_view=True)
    except Http404:
        # Socialjouren and the like may break the glass: the refused case page offers emergency access (issue 15 §4).
        if may_take_emergency_access(request.user) and Case.objects.filter(pk=pk, organisation_id=request.user.organisation_id).exists():
            return redirect(f"{reverse('cases:emergency_access')}?arende={pk}")
        raise
    return _render_case(request, case)


def _case_action(
    request, pk: int, *, key: str, form_factory: Callable, perform: Callable, success: str, anchor: str = "",
    needs_open: bool | None = True, check_version: bool = False,
):
    """The shared shape of every action: authorise for writing, validate, call one service, redirect.

    Bad input and conflicts re-render the case page with the user's input kept.
    `check_version` is for services that take no expected_version (additive actions):
    the case was just loaded, so comparing here is the same check."""
    case = case_get_for_user(request.user, pk, write=True, request=request)
    if needs_open is not None and case.is_open != needs_open:
        messages.error(request, _("Ärendet är avslutat.") if needs_open else _("Ärendet är redan öppet."))
        return redirect("cases:detail", pk=case.pk)
    form = form_factory(request.POST, case)
    if not form.is_valid():
        audit_log(user=request.user, action=AuditAction.CASE_VIEW, case=case, request=request, detail="formulärfel")
        return _render_case(request, case, bound={key: form}, status=400)
    try:
        if check_version and form.cleaned_data["version"] != case.version:
            raise ConcurrentChange(_("Ärendet har ändrats av någon annan sedan du öppnade det. Ladda om sidan och försök igen."))
        perform(case, form.cleaned_data)
    except ConcurrentChange as exc:
        # Show the case as it is now, with the user's text kept and the new version, so that saving again works.
        case = Case.objects.select_related("household", "lead_unit", "organisation").get(pk=case.pk)
        data = request.POST.copy()
        data[form.add_prefix("version")] = str(case.version)
        audit_log(user=request.user, action=AuditAction.CASE_VIEW, case=case, request=request, detail="konflikt")
        return _render_case(request, case, bound={key: form_factory(data, case)}, conflict=str(exc), status=409)
    except IntegrityError:
        messages.error(request, _("Åtgärden kunde inte genomföras: hushållet har redan ett annat öppet ärende."))
        return redirect("cases:detail", pk=case.pk)
    except (caseload.CaseloadRefused, services.BosamRequestRefused) as exc:
        messages.error(request, str(exc))
        return redirect(reverse("cases:detail", kwargs={"pk": case.pk}) + anchor)
    messages.success(request, success)
    return redirect(reverse("cases:detail", kwargs={"pk": case.pk}) + anchor)


@require_POST
def task_complete(request, pk: int, task_pk: int):
    key = f"complete-{task_pk}"

    def perform(case, data):
        task = case.tasks.filter(pk=task_pk, status=TaskStatus.OPEN).select_related("unit").first()
        if task is None:
            raise Http404
        caseload.task_complete_by_worker(task=task, case=case, user=request.user, note=data["note"], reason=data.get("reason", ""),
                                         request=request, expected_version=data["version"])

    def factory(data, case):
        # The lead unit completing another unit's task must give a reason (issue 12 item 1).
        task_unit = case.tasks.filter(pk=task_pk, status=TaskStatus.OPEN).values_list("unit_id", flat=True).first()
        if task_unit is None:
            raise Http404
        right = task_completion_right(user_unit_id=request.user.unit_id, task_unit_id=task_unit, lead_unit_id=case.lead_unit_id)
        form_class = forms.TaskCompleteByLeadForm if right == LEAD_UNIT else forms.TaskCompleteForm
        return form_class(data, prefix=key)

    return _case_action(
        request, pk, key=key, form_factory=factory, perform=perform,
        success=_("Uppgiften är markerad som klar."), anchor="#uppgifter",
        needs_open=None,  # a task kept as follow-up when the case was closed is completed on the closed case
    )


@require_POST
def contact_register(request, pk: int):
    def perform(case, data):
        services.contact_register(
            case=case, user=request.user, date=data["date"], channel=data["channel"], established=data["established"],
            note=data["note"], request=request, expected_version=data["version"],
        )

    return _case_action(
        request, pk, key="contact", form_factory=lambda data, case: forms.ContactForm(data, prefix="contact"), perform=perform,
        success=_("Kontakten är registrerad."), anchor="#tidslinje",
    )


@require_POST
def task_create(request, pk: int):
    def perform(case, data):
        services.task_create(
            case=case, user=request.user, kind=TaskKind.MANUAL, unit=data["unit"], due_date=data["due_date"], title=data["title"],
            assignee=data["assignee"], request=request,
        )

    return _case_action(
        request, pk, key="task_create", check_version=True,
        form_factory=lambda data, case: forms.ManualTaskForm(data, organisation=case.organisation, prefix="task"),
        perform=perform, success=_("Uppgiften är skapad."), anchor="#uppgifter",
    )


@require_POST
def assignment_change(request, pk: int):
    def perform(case, data):
        services.assignment_change(
            case=case, user=request.user, unit=data["unit"], role=data["role"], reason=data["reason"], request=request,
            expected_version=data["version"], case_worker=data.get("case_worker"),
        )

    return _case_action(
        request, pk, key="assignment",
        form_factory=lambda data, case: forms.AssignmentForm(data, organisation=case.organisation, prefix="assignment"),
        perform=perform, success=_("Tilldelningen är ändrad."), anchor="#tilldelningar",
    )


@require_POST
def consult(request, pk: int):
    def perform(case, data):
        services.consult_tenancy_advisor(case=case, user=request.user, question=data["question"], request=request)

    return _case_action(
        request, pk, key="consult", check_version=True, form_factory=lambda data, case: forms.ConsultForm(data, prefix="consult"),
        perform=perform, success=_("Hyresrådgivningen har fått en samrådsuppgift."), anchor="#uppgifter",
    )


@require_POST
def bosam_request(request, pk: int):
    def perform(case, data):
        if services.bosam_request_unit(request.user, case) is None:
            raise PermissionDenied(_("Bara en enhet som är tilldelad ärendet kan begära att det tas upp på BOSAM."))
        services.bosam_request(case=case, user=request.user, reason=data["reason"], details=data["details"], request=request)

    return _case_action(
        request, pk, key="bosam_request", check_version=True,
        form_factory=lambda data, case: forms.BosamRequestForm(data, prefix="bosam"),
        perform=perform, success=_("Ärendet tas upp på BOSAM tills ett möte har behandlat det."), anchor="#bosam-begaran",
    )


@require_POST
def bosam_request_withdraw(request, pk: int):
    def perform(case, data):
        services.bosam_request_withdraw(case=case, user=request.user, bosam_request_id=data["request"], request=request)

    return _case_action(
        request, pk, key="bosam_withdraw", check_version=True,
        form_factory=lambda data, case: forms.BosamRequestWithdrawForm(data, prefix="bosam-withdraw"),
        perform=perform, success=_("Begäran om BOSAM är återkallad."), anchor="#bosam-begaran",
    )


@require_POST
def consent_record(request, pk: int):
    def perform(case, data):
        services.consent_record(
            case=case, user=request.user, recipient=data["recipient"], given_on=data["given_on"], note=data["note"], request=request,
        )

    return _case_action(
        request, pk, key="consent", check_version=True, form_factory=lambda data, case: forms.ConsentForm(data, prefix="consent"),
        perform=perform, success=_("Samtycket är registrerat."), anchor="#tidslinje",
    )


def _keep_task_ids(request) -> list[int]:
    return [int(v) for v in request.POST.getlist("close-keep") if v.isdigit()]


def _close_confirm(request, pk: int):
    """Closing asks first (issue 12): the page lists the open tasks the close cancels, each with a
    "keep as follow-up" checkbox, and carries the outcome and note in hidden fields. No JavaScript needed."""
    case = case_get_for_user(request.user, pk, write=True, request=request)
    if not case.is_open:
        messages.error(request, _("Ärendet är avslutat."))
        return redirect("cases:detail", pk=case.pk)
    form = forms.CloseForm(request.POST, prefix="close")
    if not form.is_valid():
        audit_log(user=request.user, action=AuditAction.CASE_VIEW, case=case, request=request, detail="formulärfel")
        return _render_case(request, case, bound={"close": form}, status=400)
    audit_log(user=request.user, action=AuditAction.CASE_VIEW, case=case, request=request, detail="avsluta: bekräftelse")
    return render(request, "cases/case_close_confirm.html", {
        "case": case, "form": form, "tasks": selectors.case_open_tasks(case), "keep": set(_keep_task_ids(request)),
        "outcome_label": dict(form.fields["outcome"].choices).get(form.cleaned_data["outcome"], ""),
        "today": timezone.localdate(),
    })


@require_POST
def case_close(request, pk: int):
    if request.POST.get("close-confirmed") != "yes":
        return _close_confirm(request, pk)

    def perform(case, data):
        services.case_close(
            case=case, user=request.user, outcome=data["outcome"], note=data["note"], keep_task_ids=_keep_task_ids(request),
            request=request, expected_version=data["version"],
        )

    return _case_action(
        request, pk, key="close", form_factory=lambda data, case: forms.CloseForm(data, prefix="close"), perform=perform,
        success=_("Ärendet är avslutat."),
    )


@require_POST
def case_reopen(request, pk: int):
    def perform(case, data):
        services.case_reopen(case=case, user=request.user, reason=data["reason"], request=request)

    return _case_action(
        request, pk, key="reopen", needs_open=False, check_version=True,
        form_factory=lambda data, case: forms.ReopenForm(data, prefix="reopen"), perform=perform, success=_("Ärendet är öppnat igen."),
    )


@require_POST
def reveal_pin(request, pk: int, person_pk: int):
    """Show one member's full personnummer once, on the next load of the case page; the reveal is logged."""
    case = case_get_for_user(request.user, pk, request=request)
    person = selectors.household_member(case, person_pk)
    if person is None or not person.personal_identity_number:
        raise Http404
    audit_log(user=request.user, action=AuditAction.PIN_REVEAL, case=case, request=request, detail=f"person_id={person.pk}")
    request.session[f"revealed-pin-{case.pk}"] = person.pk
    return redirect(reverse("cases:detail", kwargs={"pk": case.pk}) + "#hushall")


@require_POST
def letter_new(request, pk: int):
    """A new letter is a new task: the sent ones stay as they were sent."""
    case = case_get_for_user(request.user, pk, write=True, request=request)
    if not case.is_open:
        messages.error(request, _("Ärendet är avslutat."))
    else:
        try:
            letter_task_create(case=case, user=request.user, request=request)
        except LetterTaskOpen:
            messages.error(request, _("Det finns redan en öppen brevuppgift. Skicka den först."))
        else:
            messages.success(request, _("En ny brevuppgift är skapad."))
    return redirect(reverse("cases:detail", kwargs={"pk": case.pk}) + "#uppgifter")


@require_POST
def reveal_address(request, pk: int):
    """Show a protected household's address once, to a unit that must go there (lead unit, HOME_VISIT or
    ATTEND_EVICTION task); the reveal is logged and highlighted in the monthly log review."""
    case = case_get_for_user(request.user, pk, request=request)
    if not household_has_protected_member(case.household.members.all()):
        raise Http404
    if not may_reveal_address(request.user, case):
        raise PermissionDenied(_("Bara ansvarig enhet och enheter med hembesök eller närvaro vid avhysningen får se adressen."))
    audit_log(user=request.user, action=AuditAction.ADDRESS_REVEAL, case=case, request=request, detail="address")
    request.session[f"revealed-address-{case.pk}"] = True
    return redirect(reverse("cases:detail", kwargs={"pk": case.pk}) + "#hushall")


@require_GET
def attachment(request, notice_pk: int):
    """The scanned notice, through the access gate; every download is logged."""
    case_id = Notice.objects.filter(pk=notice_pk).values_list("case_id", flat=True).first()
    if case_id is None:
        raise Http404
    case = case_get_for_user(request.user, case_id, request=request)
    notice = selectors.notice_with_attachment(case, notice_pk)
    if notice is None:
        raise Http404
    audit_log(user=request.user, action=AuditAction.DOCUMENT_DOWNLOAD, case=case, request=request, detail=f"notice_id={notice.pk}")
    response = FileResponse(notice.attachment.open("rb"), content_type="application/pdf", as_attachment=True,
                            filename=f"underrattelse-{case.number}-{notice.pk}.pdf")
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def eviction_outcome_record(request, pk: int):
    """Completing EVICTION_OUTCOME = recording what happened on the eviction day (R8/R9)."""

    def perform(case, data):
        services.eviction_outcome_record(
            case=case, user=request.user, data=form_holder["form"].outcome_data(), request=request, expected_version=data["version"],
        )

    form_holder = {}

    def factory(data, case):
        form_holder["form"] = legal_forms.EvictionOutcomeForm(data, prefix="outcome")
        return form_holder["form"]

    return _case_action(
        request, pk, key="eviction_outcome", form_factory=factory, perform=perform,
        success=_("Utfallet av avhysningen är registrerat."), anchor="#avhysningsdagen",
    )


@require_POST
def payment_commitment_record(request, pk: int):
    form_holder = {}

    def factory(data, case):
        form_holder["form"] = legal_forms.PaymentCommitmentForm(data, prefix="payment")
        return form_holder["form"]

    def perform(case, data):
        services.payment_commitment_record(
            case=case, user=request.user, data=form_holder["form"].commitment_data(), request=request, expected_version=data["version"],
        )

    return _case_action(
        request, pk, key="payment", form_factory=factory, perform=perform,
        success=_("Betalningsförbindelsen är sparad."), anchor="#betalningsforbindelse",
    )
