"""The import pages (role hyresrådgivare). Thin: parse, authorise, call one service, render or redirect."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.audit import audit_log
from cases.models import AuditAction
from organisation.models import Role
from organisation.roles import has_role

from . import report, selectors, services
from .forms import CommitForm, MappingForm, UploadForm
from .models import ImportStatus, NoticeImport, RowOutcome
from .reader import ImportFileError

if TYPE_CHECKING:
    from django.http import HttpRequest

ROWS_PER_PAGE = 100


def _require_advisor(request: HttpRequest) -> None:
    if not has_role(request.user, Role.HYRESRADGIVARE) or request.user.organisation_id is None:
        raise PermissionDenied(_("Endast hyresrådgivare kan importera underrättelser."))


def _import_for(request: HttpRequest, pk: int) -> NoticeImport:
    """The one gate for an import: the user's organisation only, else 404 (as for a case, whoever asks);
    then the role (403)."""
    notice_import = selectors.import_get(request.user.organisation, pk) if request.user.organisation_id else None
    if notice_import is None:
        raise Http404(_("Importen finns inte."))
    _require_advisor(request)
    return notice_import


@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest):
    _require_advisor(request)
    organisation = request.user.organisation
    form = UploadForm(request.POST or None, request.FILES or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            notice_import = services.import_upload(
                organisation=organisation, user=request.user, upload=form.cleaned_data["file"],
                landlord=form.cleaned_data["landlord"], request=request,
            )
        except ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("imports:mapping", pk=notice_import.pk)
    recent = selectors.imports_for(organisation)[:20]
    return render(request, "imports/start.html", {"form": form, "imports": recent}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def import_mapping(request: HttpRequest, pk: int):
    notice_import = _import_for(request, pk)
    if notice_import.status not in (ImportStatus.UPLOADED, ImportStatus.PREVIEW) or notice_import.is_purged:
        return redirect("imports:detail", pk=pk)
    form = MappingForm(request.POST or None, headings=notice_import.headings, mapping=notice_import.mapping,
                       can_save_preset=notice_import.landlord_id is not None)
    if request.method == "POST" and form.is_valid():
        mapping = form.mapping()
        try:
            services.import_preview(notice_import=notice_import, mapping=mapping, user=request.user, request=request)
        except ImportFileError as exc:
            form.add_error(None, str(exc))
        else:
            if form.cleaned_data.get("save_preset") and notice_import.landlord:
                services.preset_save(organisation=notice_import.organisation, user=request.user, landlord=notice_import.landlord,
                                     headings=notice_import.headings, mapping=mapping)
                messages.success(request, _("Kolumnvalen är sparade för %(landlord)s.") % {"landlord": notice_import.landlord.name})
            return redirect("imports:detail", pk=pk)
    return render(request, "imports/mapping.html", {"notice_import": notice_import, "form": form},
                  status=400 if form.errors else 200)


def _detail_context(request: HttpRequest, notice_import: NoticeImport, commit_form: CommitForm | None = None) -> dict:
    shown = request.GET.get("visa", "")
    rows = notice_import.rows.order_by("row_number")
    if shown in RowOutcome.values:
        rows = rows.filter(outcome=shown)
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("sida"))
    for row in page:
        row.error_text = report.errors_text(row)
    counts = selectors.outcome_counts(notice_import)
    return {
        "notice_import": notice_import,
        "counts": counts,
        "page": page,
        "shown": shown,
        "outcomes": RowOutcome,
        "progress": selectors.import_progress(notice_import),
        "commit_form": commit_form or CommitForm(initial={"rows": "ALL" if not counts["ERROR"] else "VALID"}),
        "to_import": counts["NEW_HOUSEHOLD"] + counts["JOINS_CASE"],
    }


@require_GET
def import_detail(request: HttpRequest, pk: int):
    notice_import = _import_for(request, pk)
    if notice_import.status == ImportStatus.UPLOADED and not notice_import.is_purged:
        return redirect("imports:mapping", pk=pk)
    return render(request, "imports/detail.html", _detail_context(request, notice_import))


@require_POST
def import_commit(request: HttpRequest, pk: int):
    notice_import = _import_for(request, pk)
    form = CommitForm(request.POST)
    if form.is_valid():
        try:
            services.import_commit_start(notice_import=notice_import, user=request.user, rows=form.cleaned_data["rows"], request=request)
        except services.ImportStateError as exc:
            form.add_error("rows", str(exc))
        else:
            return redirect("imports:detail", pk=pk)
    return render(request, "imports/detail.html", _detail_context(request, notice_import, form), status=400)


def _poll_without_session_save(view):
    """The idle timeout renews the session (a write at most once a minute, avhysning.middleware). A poll is not the
    user's activity, and while the commit holds its one long transaction a write on SQLite (`make run`) would wait for it
    and the bar would freeze: the poll leaves the session alone (without `request.session` the middleware skips it)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        response = view(request, *args, **kwargs)
        request.__dict__.pop("session", None)
        return response

    return wrapper


@require_GET
@_poll_without_session_save
def import_status(request: HttpRequest, pk: int):
    """Polled by static/js/import-progress.js while the commit runs."""
    notice_import = _import_for(request, pk)
    response = JsonResponse({"status": notice_import.status, "progress": selectors.import_progress(notice_import)})
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def import_report(request: HttpRequest, pk: int, fmt: str):
    notice_import = _import_for(request, pk)
    if notice_import.status == ImportStatus.UPLOADED or notice_import.is_purged or fmt not in ("csv", "xlsx"):
        raise Http404
    body = report.report_csv(notice_import) if fmt == "csv" else report.report_xlsx(notice_import)
    audit_log(user=request.user, action=AuditAction.EXPORT, organisation=notice_import.organisation, request=request,
              detail=f"import_report={notice_import.pk} format={fmt}")
    content_type = "text/csv; charset=utf-8" if fmt == "csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="importrapport-{notice_import.pk}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def import_file(request: HttpRequest, pk: int):
    """The uploaded file, like a scanned notice: through the gate, logged, never cached."""
    notice_import = _import_for(request, pk)
    if not notice_import.file:
        raise Http404(_("Filen är gallrad."))
    audit_log(user=request.user, action=AuditAction.DOCUMENT_DOWNLOAD, organisation=notice_import.organisation, request=request,
              detail=f"import_file={notice_import.pk} sha256={notice_import.file_sha256}")
    suffix = notice_import.file_format.lower()
    # Kept unaltered, as evidence like a scan: served as bytes to save, not as a spreadsheet to open in the browser.
    response = FileResponse(notice_import.file.open("rb"), as_attachment=True, filename=f"import-{notice_import.pk}.{suffix}",
                            content_type="application/octet-stream")
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def template_download(request: HttpRequest, fmt: str):
    _require_advisor(request)
    if fmt == "xlsx":
        response = HttpResponse(report.template_xlsx(),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    elif fmt == "csv":
        response = HttpResponse(report.template_csv(), content_type="text/csv; charset=utf-8")
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="mall-underrattelser.{fmt}"'
    return response
