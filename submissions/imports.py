"""A landlord's list of notices (issue 14 §2): "one by one or by the import".

The file is read by the staff's import (imports/reader.py: CSV or XLSX, its limits and checks), its columns are
recognised from the headings (imports/columns.py) and every row is validated by the staff's RowValidator, that is the
intake form itself with the same messages. A valid row becomes the body the portal's form would send
(payload.body_from_form) and is validated again as the receipt validates it (payload.fixed_body + body_validate), so
that the preview refuses exactly what the receipt would refuse (a Kronofogden notice, say). The landlord is the
account's whatever the file says.

Between the preview and the confirmation the judged rows are kept in a LandlordImportPreview owned by the account
(nothing is written to the staff's imports or the queue). The confirmation sends the chosen rows through
services.submissions_receive, submission_receive's own path, in one transaction with one audit event.

A row is "redan inskickad" when this landlord has already submitted a notice (received or registered, not a rejected
one: that may be sent again) with the same reference, notice type and dates, or an earlier row of the file is that
notice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.db.models.fields.json import KT
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from rest_framework import serializers

from cases import hooks
from cases.models import Landlord, NoticeChannel
from cases.rules.identity import mask_personal_identity_number
from imports.columns import BY_KEY, COLUMNS, recognise
from imports.reader import ImportFileError, check_size, open_sheet
from imports.validation import RowResult, RowValidator

from . import payload, services
from .models import LandlordImportPreview, Submission, SubmissionStatus

NEW = "NEW"
SUBMITTED = "SUBMITTED"
ERROR = "ERROR"
STATUS_LABELS = {NEW: gettext_lazy("ny"), SUBMITTED: gettext_lazy("redan inskickad"), ERROR: gettext_lazy("fel")}
# How long an uploaded list waits for its confirmation (then retention deletes it; see retention.py).
PREVIEW_LIFETIME = dt.timedelta(hours=2)
SEND_ALL = "ALL"
SEND_VALID = "VALID"
# The chunk of references looked up at a time.
LOOKUP_CHUNK = 500


class LandlordImportRefused(Exception):
    """The confirmation cannot be done; the message is for the landlord (Swedish)."""


@dataclass
class PreviewCounts:
    new: int
    submitted: int
    errors: int

    @property
    def total(self) -> int:
        return self.new + self.submitted + self.errors


# --- judging the rows ----------------------------------------------------------------------


def submission_key(body: dict) -> str:
    """The landlord's reference + notice type + the notice's own dates, of a body as the receipt keeps it."""
    landlord = body.get("landlord") if isinstance(body.get("landlord"), dict) else {}
    parts = [str(landlord.get("reference") or "").strip().casefold(), str(body.get("notice_type") or "")]
    parts.extend(str(body.get(name) or "") for name in ("document_date", "termination_date", "warning_date"))
    return "|".join(parts)


def submitted_keys(landlord: Landlord, references) -> set[str]:
    """The keys of what this landlord has already submitted (and not had rejected) with one of these references."""
    refs = sorted({r.strip().casefold() for r in references if r and r.strip()})
    keys: set[str] = set()
    for start in range(0, len(refs), LOOKUP_CHUNK):
        bodies = (
            Submission.objects.filter(landlord=landlord).exclude(status=SubmissionStatus.REJECTED)
            .annotate(reference=Lower(KT("payload__landlord__reference")))
            .filter(reference__in=refs[start:start + LOOKUP_CHUNK]).values_list("payload", flat=True)
        )
        keys.update(submission_key(body) for body in bodies)
    return keys


def _label(key: str) -> str:
    return str(BY_KEY[key].heading) if key in BY_KEY else _("Raden")


def _flatten(detail) -> list[str]:
    if isinstance(detail, dict):
        return [m for value in detail.values() for m in _flatten(value)]
    if isinstance(detail, list):
        return [m for value in detail for m in _flatten(value)]
    return [str(detail)]


def _receipt_errors(detail) -> list[str]:
    """The receipt's field errors as "Fält: meddelande" (a field of the file where there is one)."""
    if not isinstance(detail, dict):
        return [f"{_label('')}: {m}" for m in _flatten(detail)]
    return [f"{_label(key)}: {m}" for key, value in detail.items() for m in _flatten(value)]


def _masked(value: str) -> str:
    """A personnummer as lists show it (YYYYMMDD-XXXX); a malformed one with its last four characters hidden."""
    digits = "".join(ch for ch in value if ch.isdigit())
    if len(digits) == 12:
        return mask_personal_identity_number(digits)
    return value[:-4] + "XXXX" if len(value) > 4 else "X" * len(value)


class RowJudge:
    """Judges the rows of one list for one landlord, in file order."""

    def __init__(self, *, landlord: Landlord, today: dt.date):
        self.landlord = landlord
        self.today = today
        self.validator = RowValidator(organisation=landlord.organisation, landlord=landlord, today=today)
        self.body_validator = payload.BodyValidator(organisation=landlord.organisation)
        self.seen: dict[str, int] = {}

    def _body(self, result: RowResult) -> tuple[dict | None, list[str]]:
        body = payload.body_from_form(result.notice, result.household)
        fixed = payload.fixed_body(body, landlord=self.landlord, channel=NoticeChannel.PORTAL, received_date=self.today)
        try:
            self.body_validator.validate(fixed)
        except serializers.ValidationError as exc:
            return None, _receipt_errors(exc.detail)
        return body, []

    def judge(self, number: int, values: dict[str, str]) -> dict:
        # The landlord is the account's: whatever the file names, the row is validated (and sent) as its own.
        values = {**values, "landlord_name": self.landlord.name, "landlord_org_number": self.landlord.org_number}
        row = {"row": number, "reference": values.get("landlord_reference", ""), "tenant": values.get("tenant_name", ""),
               "pin": _masked(values.get("tenant_pin", "")), "errors": [], "note": "", "key": "", "body": None}
        result = self.validator.validate(values)
        if not result.valid:
            row["errors"] = [f"{_label(key)}: {m}" for key, messages in result.errors.items() for m in messages]
            return {**row, "status": ERROR}
        body, errors = self._body(result)
        if body is None:
            return {**row, "status": ERROR, "errors": errors}
        row.update(body=body, key=submission_key(body), reference=body["landlord"]["reference"])
        if row["key"] in self.seen:
            return {**row, "status": SUBMITTED, "body": None,
                    "note": _("Samma underrättelse som rad %(row)d.") % {"row": self.seen[row["key"]]}}
        self.seen[row["key"]] = number
        return {**row, "status": NEW}


def _sha256(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _check_columns(mapping: dict[int, str]) -> None:
    missing = [str(c.heading) for c in COLUMNS if c.required and c.key not in mapping.values()]
    if missing:
        raise ImportFileError(ngettext(
            "Filen saknar en kolumn som krävs: %(columns)s. Ingenting sparades. Använd mallens rubriker.",
            "Filen saknar kolumner som krävs: %(columns)s. Ingenting sparades. Använd mallens rubriker.",
            len(missing),
        ) % {"columns": ", ".join(missing)})


def preview_create(*, user, landlord: Landlord, upload, today: dt.date | None = None) -> LandlordImportPreview:
    """Read and judge every row of the upload; keep them for the confirmation. Writes nothing else. Raises
    ImportFileError (the reader's refusals, a required column missing, no rows): then nothing is kept."""
    today = today or timezone.localdate()
    check_size(upload.size)
    sheet = open_sheet(upload, upload.name or "")
    mapping = {int(index): key for index, key in recognise(sheet.headings).items()}
    _check_columns(mapping)
    judge = RowJudge(landlord=landlord, today=today)
    rows = [judge.judge(number, {key: cells[i] for i, key in mapping.items() if i < len(cells) and cells[i]})
            for number, cells in sheet.rows]
    if not rows:
        raise ImportFileError(_("Filen innehåller inga rader att importera."))
    _mark_submitted(landlord, rows)
    sha = _sha256(upload)
    with transaction.atomic():
        # One list at a time per account; and what nobody confirmed in time goes.
        LandlordImportPreview.objects.filter(Q(created_by=user) | Q(created_at__lt=timezone.now() - PREVIEW_LIFETIME)).delete()
        return LandlordImportPreview.objects.create(
            created_by=user, landlord=landlord, file_name=(upload.name or "lista")[:255], file_sha256=sha, rows=rows,
        )


def _mark_submitted(landlord: Landlord, rows: list[dict]) -> None:
    known = submitted_keys(landlord, [r["reference"] for r in rows if r["status"] == NEW])
    for row in rows:
        if row["status"] == NEW and row["key"] in known:
            row.update(status=SUBMITTED, body=None, note=_("Redan inskickad tidigare."))


# --- the preview and the confirmation ---------------------------------------------------------


def preview_get(*, user, pk: int) -> LandlordImportPreview | None:
    """The account's own list, while it waits; None for anyone else's, or one past its time."""
    if not getattr(user, "landlord_id", None):
        return None
    return LandlordImportPreview.objects.filter(
        pk=pk, created_by=user, landlord_id=user.landlord_id, created_at__gte=timezone.now() - PREVIEW_LIFETIME,
    ).first()


def preview_counts(preview: LandlordImportPreview) -> PreviewCounts:
    statuses = [row["status"] for row in preview.rows]
    return PreviewCounts(new=statuses.count(NEW), submitted=statuses.count(SUBMITTED), errors=statuses.count(ERROR))


def preview_rows(preview: LandlordImportPreview) -> list[dict]:
    """The rows for the table: number, status label, reference, tenant, masked personnummer, errors, note."""
    return [
        {"row": r["row"], "status": r["status"], "label": STATUS_LABELS[r["status"]], "reference": r["reference"],
         "tenant": r["tenant"], "pin": r["pin"], "errors": r["errors"], "note": r["note"]}
        for r in preview.rows
    ]


def preview_confirm(*, user, pk: int, choice: str, request=None) -> list[Submission]:
    """Send the list's new rows as submissions (channel PORTAL), all or nothing; the preview goes with it.
    SEND_ALL is refused while any row has an error; SEND_VALID skips those. Rows submitted meanwhile are skipped."""
    with transaction.atomic(), hooks.case_changes_gathered():  # rows registered at once: the agendas follow once
        landlord = Landlord.objects.select_for_update().get(pk=user.landlord_id)  # one list of a landlord at a time
        preview = preview_get(user=user, pk=pk)
        if preview is None:
            raise LandlordImportRefused(_("Listan finns inte längre (den skickades redan eller väntade för länge). Ladda upp filen igen."))
        preview = LandlordImportPreview.objects.select_for_update().get(pk=preview.pk)
        counts = preview_counts(preview)
        if choice == SEND_ALL and counts.errors:
            raise LandlordImportRefused(ngettext(
                "%(count)d rad har fel, så alla rader kan inte skickas. Rätta filen och ladda upp den igen, eller skicka "
                "bara de giltiga raderna.",
                "%(count)d rader har fel, så alla rader kan inte skickas. Rätta filen och ladda upp den igen, eller skicka "
                "bara de giltiga raderna.",
                counts.errors,
            ) % {"count": counts.errors})
        if choice not in (SEND_ALL, SEND_VALID):
            raise LandlordImportRefused(_("Välj om alla rader eller bara de giltiga ska skickas."))
        new = [row for row in preview.rows if row["status"] == NEW]
        known = submitted_keys(landlord, [row["reference"] for row in new])
        chosen = [row for row in new if row["key"] not in known]
        if not chosen:
            raise LandlordImportRefused(_("Listan har inga nya rader att skicka."))
        try:
            submissions = services.submissions_receive(
                user=user, channel=NoticeChannel.PORTAL, bodies=[row["body"] for row in chosen], request=request,
                detail=f"landlord_import sha256={preview.file_sha256} rows={counts.total} choice={choice}",
            )
        except services.SubmissionRowInvalid as exc:
            raise LandlordImportRefused(_("Rad %(row)d kan inte längre tas emot: %(errors)s. Ingenting skickades.") % {
                "row": chosen[exc.index]["row"], "errors": "; ".join(_receipt_errors(exc.detail))}) from exc
        preview.delete()
    return submissions
