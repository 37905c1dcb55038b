"""The landlord's area /hyresvard/ (its own submissions, nothing of any case) and the hyresrådgivare's queue
"Inkomna underrättelser" under /arenden/inkomna/. Thin views: authorise (access.py), call one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rest_framework import serializers

from cases.audit import audit_log
from cases.intake.forms import IntakeForm, MemberFormSet
from cases.intake.selectors import landlord_options
from cases.intake.views import _error_summary
from cases.models import AuditAction, Case, NoticeChannel
from imports import report as import_report
from imports.reader import ImportFileError

from . import access, imports, payload, selectors, services
from .forms import LandlordImportConfirmForm, LandlordImportForm, LandlordNoticeForm, RejectForm
from .presentation import MISSING_LABELS, submission_view

# --- the landlord -----------------------------------------------------------------


@require_GET
def landlord_home(request):
    landlord = access.landlord_for_user(request.user)
    submissions = list(selectors.landlord_submissions(landlord_id=landlord.pk)[:200])
    return render(request, "submissions/landlord_list.html", {"landlord": landlord, "submissions": submissions})


@require_http_methods(["GET", "POST"])
def landlord_new(request):
    landlord = access.landlord_for_user(request.user)
    today = timezone.localdate()
    if request.method == "POST":
        form = LandlordNoticeForm(request.POST, landlord=landlord, today=today)
        formset = MemberFormSet(request.POST, prefix="members", require_tenant=True, today=today)
        if form.is_valid() and formset.is_valid():
            body = payload.body_from_form(form.notice_data(), form.household_data(formset.members_data()))
            try:
                submission = services.submission_receive(user=request.user, channel=NoticeChannel.PORTAL, body=body, request=request)
            except serializers.ValidationError as exc:
                form.add_error(None, _("Underrättelsen kunde inte tas emot: %(errors)s") % {"errors": exc.detail})
            else:
                messages.success(request, _("Underrättelsen är mottagen. Kvittens: %(id)s.") % {"id": submission.reference})
                return redirect("submissions:landlord_receipt", pk=submission.pk)
    else:
        form = LandlordNoticeForm(landlord=landlord, today=today)
        formset = MemberFormSet(prefix="members", require_tenant=True, today=today)
    errors = _error_summary(form, formset) if form.is_bound else []
    return render(
        request, "submissions/landlord_form.html",
        {"landlord": landlord, "form": form, "formset": formset, "error_summary": errors}, status=400 if errors else 200,
    )


def _upload_errors(form) -> list[dict]:
    return [{"label": form.fields[name].label if name in form.fields else _("Formuläret"), "message": error,
             "anchor": f"#{form[name].auto_id}" if name in form.fields else "#import-form"}
            for name, errors in form.errors.items() for error in errors]


@require_http_methods(["GET", "POST"])
def landlord_import(request):
    """Upload a list; its rows are judged and shown on the preview (nothing is submitted yet)."""
    landlord = access.landlord_for_user(request.user)
    form = LandlordImportForm(request.POST, request.FILES) if request.method == "POST" else LandlordImportForm()
    if form.is_bound and form.is_valid():
        try:
            preview = imports.preview_create(user=request.user, landlord=landlord, upload=form.cleaned_data["file"])
        except ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("submissions:landlord_import_preview", pk=preview.pk)
    errors = _upload_errors(form) if form.is_bound else []
    return render(request, "submissions/landlord_import.html", {"landlord": landlord, "form": form, "error_summary": errors},
                  status=400 if errors else 200)


@require_GET
def landlord_import_template(request, fmt: str):
    """The staff's template (imports/report.py), for the landlord's own area."""
    access.landlord_for_user(request.user)
    if fmt == "xlsx":
        body, content_type = import_report.template_xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif fmt == "csv":
        body, content_type = import_report.template_csv(), "text/csv; charset=utf-8"
    else:
        raise Http404
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="mall-underrattelser.{fmt}"'
    return response


@require_http_methods(["GET", "POST"])
def landlord_import_preview(request, pk: int):
    """GET: every row and what it becomes. POST: send all, or the valid rows only."""
    preview = access.import_preview_get_for_landlord(request.user, pk)
    form = LandlordImportConfirmForm(request.POST) if request.method == "POST" else LandlordImportConfirmForm()
    if form.is_bound and form.is_valid():
        try:
            submissions = imports.preview_confirm(user=request.user, pk=preview.pk, choice=form.cleaned_data["rows"], request=request)
        except imports.LandlordImportRefused as exc:
            form.add_error("rows", str(exc))
        else:
            messages.success(request, ngettext("%(count)d underrättelse mottagen.", "%(count)d underrättelser mottagna.",
                                               len(submissions)) % {"count": len(submissions)})
            return redirect("submissions:landlord_home")
    counts = imports.preview_counts(preview)
    errors = _upload_errors(form) if form.is_bound else []
    return render(request, "submissions/landlord_import_preview.html", {
        "landlord": preview.landlord, "preview": preview, "rows": imports.preview_rows(preview), "counts": counts,
        "form": form, "error_summary": errors,
    }, status=400 if errors else 200)


@require_GET
def landlord_receipt(request, pk: int):
    submission = access.submission_get_for_landlord(request.user, pk)
    missing = [MISSING_LABELS.get(code, code) for code in submission.missing]
    return render(request, "submissions/landlord_receipt.html", {"submission": submission, "missing": missing})


# --- the hyresrådgivare's queue -----------------------------------------------------


@require_GET
def queue(request):
    access.require_queue_user(request.user)
    waiting = [submission_view(s) for s in selectors.organisation_submissions(organisation_id=request.user.organisation_id)]
    return render(request, "submissions/queue.html", {"submissions": waiting})


@require_GET
def queue_detail(request, pk: int):
    submission = access.submission_get_for_staff(request.user, pk)
    audit_log(user=request.user, action=AuditAction.SUBMISSION_VIEW, request=request, detail=f"submission={submission.pk}",
              without_assignment=False)
    problems = services.submission_problems(submission) if submission.status == "RECEIVED" else {}
    return render(request, "submissions/queue_detail.html", {
        "submission": submission, "view": submission_view(submission, with_body=True), "problems": problems,
        "complete": not problems, "reject_form": RejectForm(),
    })


def _registered(request, notice):
    messages.success(request, _("Underrättelsen är registrerad i ärende %(number)s.") % {"number": notice.case.number})
    return redirect("cases:decision", pk=notice.case_id)


def _handled_already(request, exc: services.SubmissionNotOpen):
    messages.info(request, _("Underrättelsen är redan hanterad (%(status)s).") % {"status": exc.submission.get_status_display()})
    return redirect("submissions:queue")


@require_POST
def queue_register(request, pk: int):
    """One click: a complete submission becomes a notice (the same service as the form)."""
    submission = access.submission_get_for_staff(request.user, pk)
    try:
        notice = services.submission_register(submission=submission, user=request.user, request=request)
    except services.SubmissionNotOpen as exc:
        return _handled_already(request, exc)
    except services.SubmissionIncomplete:
        messages.error(request, _("Underrättelsen är inte komplett. Kontrollera den i registreringsformuläret."))
        return redirect("submissions:queue_intake", pk=submission.pk)
    return _registered(request, notice)


@require_http_methods(["GET", "POST"])
def queue_intake(request, pk: int):
    """The intake form, pre-filled from the submission; what the hyresrådgivare saves is registered."""
    submission = access.submission_get_for_staff(request.user, pk)
    if submission.status != "RECEIVED":
        return _handled_already(request, services.SubmissionNotOpen(submission))
    organisation, today = request.user.organisation, timezone.localdate()
    if request.method == "POST":
        form = IntakeForm(request.POST, organisation=organisation, today=today)
        formset = MemberFormSet(request.POST, prefix="members", require_tenant=True, today=today)
        if form.is_valid() and formset.is_valid():
            try:
                notice = services.submission_register(
                    submission=submission, user=request.user, request=request, notice=form.notice_data(),
                    household=form.household_data(formset.members_data()), today=today,
                )
            except services.SubmissionNotOpen as exc:
                return _handled_already(request, exc)
            except Case.DoesNotExist:
                form.add_error(None, _("Ärendet avslutades medan du fyllde i formuläret. Försök igen."))
            else:
                return _registered(request, notice)
    else:
        initial, members = payload.intake_initial(submission.payload)
        form = IntakeForm(initial=initial, organisation=organisation, today=today)
        formset = MemberFormSet(prefix="members", require_tenant=True, today=today, initial=members)
    errors = _error_summary(form, formset) if form.is_bound else []
    return render(request, "cases/intake_form.html", {
        "form": form, "formset": formset, "join_case": None, "existing_members": [], "show_address": True,
        "error_summary": errors, "submission_token": "", "landlords": landlord_options(organisation=organisation),
        "submission": submission,
    }, status=400 if errors else 200)


@require_POST
def queue_reject(request, pk: int):
    submission = access.submission_get_for_staff(request.user, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["reason"][0])
        return redirect("submissions:queue_detail", pk=submission.pk)
    try:
        services.submission_reject(submission=submission, user=request.user, reason=form.cleaned_data["reason"], request=request)
    except services.SubmissionNotOpen as exc:
        return _handled_already(request, exc)
    messages.success(request, _("Underrättelsen %(id)s är avvisad.") % {"id": submission.reference})
    return redirect("submissions:queue")
