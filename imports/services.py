"""Writes for imports: upload, preview (dry run), commit, mapping presets.

Every notice is registered by cases.services.notice_register with the dataclasses the
intake form builds, so routing, tasks, letters, deadlines and BOSAM are those of the form.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import hooks
from cases import services as case_services
from cases.audit import audit_log, audit_log_cases
from cases.bulk_writes import update_objects
from cases.models import AuditAction, Case, Landlord, Notice
from cases.services.notifications import NotificationBatch
from organisation.models import Organisation, User

from . import selectors
from .columns import BY_KEY, normalise_heading, recognise
from .models import CommitChoice, ImportRow, ImportStatus, MappingPreset, NoticeImport, RowOutcome
from .reader import ImportFileError, MappingError, check_size, open_sheet
from .validation import RowResult, RowValidator, row_key

if TYPE_CHECKING:
    from django.http import HttpRequest

logger = logging.getLogger(__name__)

CHUNK_ROWS = 500
PROGRESS_EVERY = 20


class ImportStateError(Exception):
    """The import is not in a state that allows this step; the message is for the user."""


# --- upload --------------------------------------------------------------------


def _sha256(fileobj) -> str:
    digest = hashlib.sha256()
    fileobj.seek(0)
    while chunk := fileobj.read(1024 * 1024):
        digest.update(chunk)
    fileobj.seek(0)
    return digest.hexdigest()


def mapping_from_headings(headings: list[str], by_heading: dict[str, str]) -> dict[str, str]:
    """A mapping given as {heading in the file: field key} (the API's `mapping`) → {column index: field key}."""
    unknown = sorted(key for key in by_heading.values() if key and key not in BY_KEY)
    if unknown:
        raise MappingError(_("Okänt fält i mappningen: %(fields)s.") % {"fields": ", ".join(unknown)})
    wanted = {normalise_heading(h): key for h, key in by_heading.items()}
    missing = sorted(h for h in by_heading if normalise_heading(h) not in {normalise_heading(x) for x in headings})
    if missing:
        raise MappingError(_("Kolumnen finns inte i filen: %(columns)s.") % {"columns": ", ".join(missing)})
    mapping = {}
    for index, heading in enumerate(headings):
        key = wanted.get(normalise_heading(heading))
        if key:
            mapping[str(index)] = key
    return mapping


def check_mapping(mapping: dict[str, str]) -> None:
    keys = [k for k in mapping.values() if k]
    doubles = sorted({str(BY_KEY[k].heading) for k in keys if keys.count(k) > 1 and k in BY_KEY})
    if doubles:
        raise MappingError(_("Samma fält är valt för flera kolumner: %(fields)s.") % {"fields": ", ".join(doubles)})
    missing = [str(c.heading) for c in BY_KEY.values() if c.required and c.key not in keys]
    if missing:
        raise MappingError(_("Välj en kolumn för: %(fields)s.") % {"fields": ", ".join(missing)})


@transaction.atomic
def import_upload(
    *, organisation: Organisation, user: User, upload, landlord: Landlord | None = None, request: HttpRequest | None = None
) -> NoticeImport:
    """Keep the file (refused unless it reads as a list within the limits) and propose a mapping:
    the landlord's preset first, then the common headings."""
    check_size(upload.size)
    sheet = open_sheet(upload, upload.name or "")
    headings = sheet.headings
    # Read to the end once now: a file over the row limit (or broken further down) is refused at once, not at the preview.
    row_count = sum(1 for _row in sheet.rows)
    sha = _sha256(upload)
    notice_import = NoticeImport(
        organisation=organisation, created_by=user, landlord=landlord, file_name=(upload.name or "lista")[:255],
        file_sha256=sha, file_format=sheet.file_format, headings=headings, row_count=row_count,
        mapping=recognise(headings, selectors.preset_mapping(organisation, landlord.pk if landlord else None)),
    )
    notice_import.save()
    suffix = "xlsx" if sheet.file_format == "XLSX" else "csv"
    upload.seek(0)
    notice_import.file.save(f"import-{notice_import.pk}.{suffix}", File(upload), save=True)
    audit_log(user=user, action=AuditAction.NOTICE_IMPORT, organisation=organisation, request=request,
              detail=f"upload import={notice_import.pk} sha256={sha} format={sheet.file_format}")
    return notice_import


def preset_save(
    *, organisation: Organisation, user: User, landlord: Landlord, headings: list[str], mapping: dict[str, str],
) -> MappingPreset:
    by_heading = {normalise_heading(headings[int(i)]): key for i, key in mapping.items() if key and int(i) < len(headings)}
    preset, _created = MappingPreset.objects.update_or_create(
        organisation=organisation, landlord=landlord,
        defaults={"mapping": by_heading, "updated_by": user, "updated_at": timezone.now()},
    )
    return preset


# --- evaluating rows (the preview, and again at commit) ---------------------------


@dataclass
class Verdict:
    row_number: int
    values: dict[str, str]
    result: RowResult
    outcome: str
    case_number: str = ""
    note: str = ""
    key: str = ""


class Evaluator:
    """Judges rows in file order, chunk by chunk (bounded memory), remembering what earlier rows did."""

    def __init__(self, *, organisation: Organisation, landlord: Landlord | None, today: dt.date):
        self.organisation = organisation
        self.validator = RowValidator(organisation=organisation, landlord=landlord, today=today)
        self.seen_keys: dict[str, int] = {}
        self.seen_numbers: dict[str, int] = {}

    def chunk(self, rows: list[tuple[int, dict[str, str]]]) -> list[Verdict]:
        results = [(number, values, self.validator.validate(values)) for number, values in rows]
        valid = [r for _n, _v, r in results if r.valid]
        known = selectors.notice_keys(self.organisation, [r.notice.landlord.reference for r in valid if r.notice.landlord])
        open_cases = selectors.open_cases_by_tenant_number(self.organisation, [n for r in valid for n in r.tenant_numbers])
        verdicts = []
        for number, values, result in results:
            if not result.valid:
                verdicts.append(Verdict(number, values, result, RowOutcome.ERROR))
                continue
            key = row_key(result.notice)
            if key in known:
                verdicts.append(Verdict(number, values, result, RowOutcome.ALREADY_IMPORTED, known[key], key=key))
                continue
            if key in self.seen_keys:
                verdicts.append(Verdict(number, values, result, RowOutcome.ALREADY_IMPORTED, key=key,
                                        note=_("Samma underrättelse som rad %(row)d.") % {"row": self.seen_keys[key]}))
                continue
            self.seen_keys[key] = number
            case_number = next((open_cases[n] for n in result.tenant_numbers if n in open_cases), "")
            if case_number:
                verdicts.append(Verdict(number, values, result, RowOutcome.JOINS_CASE, case_number, key=key))
                continue
            earlier = next((self.seen_numbers[n] for n in result.tenant_numbers if n in self.seen_numbers), None)
            if earlier is not None:
                verdicts.append(Verdict(number, values, result, RowOutcome.JOINS_CASE, key=key,
                                        note=_("Samma hushåll som rad %(row)d.") % {"row": earlier}))
                continue
            for n in result.tenant_numbers:
                self.seen_numbers[n] = number
            verdicts.append(Verdict(number, values, result, RowOutcome.NEW_HOUSEHOLD, key=key))
        return verdicts


def _chunked(rows: Iterable, size: int = CHUNK_ROWS) -> Iterator[list]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _mapped_rows(notice_import: NoticeImport, fileobj) -> Iterator[tuple[int, dict[str, str]]]:
    sheet = open_sheet(fileobj, notice_import.file_name)
    mapping = {int(i): key for i, key in notice_import.mapping.items() if key}
    for number, cells in sheet.rows:
        yield number, {key: cells[i] for i, key in mapping.items() if i < len(cells) and cells[i]}


@transaction.atomic
def import_preview(
    *, notice_import: NoticeImport, mapping: dict[str, str], user: User, request: HttpRequest | None = None, today: dt.date | None = None
) -> NoticeImport:
    """Validate every row as the form does and record its outcome. Writes nothing but the import's own rows."""
    if notice_import.status not in (ImportStatus.UPLOADED, ImportStatus.PREVIEW) or notice_import.is_purged:
        raise ImportStateError(_("Importen är redan genomförd eller pågår."))
    mapping = {str(i): key for i, key in mapping.items() if key}
    check_mapping(mapping)
    notice_import.mapping = mapping
    notice_import.rows.all().delete()
    evaluator = Evaluator(organisation=notice_import.organisation, landlord=notice_import.landlord, today=today or timezone.localdate())
    count = 0
    case_numbers: set[str] = set()
    with notice_import.file.open("rb") as fileobj:
        for batch in _chunked(_mapped_rows(notice_import, fileobj)):
            verdicts = evaluator.chunk(batch)
            ImportRow.objects.bulk_create([
                ImportRow(notice_import=notice_import, organisation_id=notice_import.organisation_id, row_number=v.row_number,
                          values=v.values, outcome=v.outcome, errors=v.result.errors, case_number=v.case_number,
                          note=v.note, key=v.key)
                for v in verdicts
            ])
            count += len(verdicts)
            case_numbers.update(v.case_number for v in verdicts if v.case_number)
    if count == 0:
        raise ImportFileError(_("Filen innehåller inga rader att importera."))
    notice_import.row_count = count
    notice_import.status = ImportStatus.PREVIEW
    notice_import.save(update_fields=["mapping", "row_count", "status"])
    # The preview shows which open cases rows join: a read of those cases, logged in two statements per chunk.
    numbers = sorted(case_numbers)
    for start in range(0, len(numbers), CHUNK_ROWS):
        cases = list(Case.objects.filter(organisation=notice_import.organisation, number__in=numbers[start : start + CHUNK_ROWS]))
        audit_log_cases(user=user, action=AuditAction.CASE_VIEW, cases=cases, request=request,
                        detail=f"import_preview={notice_import.pk}")
    return notice_import


def import_create(*, organisation: Organisation, user: User, upload, landlord: Landlord | None = None,
                  mapping_by_heading: dict[str, str] | None = None, request: HttpRequest | None = None) -> NoticeImport:
    """Upload and preview in one step (the API): the given mapping, or the recognised one."""
    with transaction.atomic():
        notice_import = import_upload(organisation=organisation, user=user, upload=upload, landlord=landlord, request=request)
        mapping = mapping_from_headings(notice_import.headings, mapping_by_heading) if mapping_by_heading else notice_import.mapping
        return import_preview(notice_import=notice_import, mapping=mapping, user=user, request=request)


# --- commit ----------------------------------------------------------------------


def rows_to_import(notice_import: NoticeImport) -> int:
    return notice_import.rows.filter(outcome__in=[RowOutcome.NEW_HOUSEHOLD, RowOutcome.JOINS_CASE]).count()


@transaction.atomic
def import_commit_start(*, notice_import: NoticeImport, user: User, rows: str, request: HttpRequest | None = None) -> NoticeImport:
    """Mark the import RUNNING and hand it to the worker once this transaction is committed."""
    notice_import = NoticeImport.objects.select_for_update().get(pk=notice_import.pk)
    if notice_import.status != ImportStatus.PREVIEW or notice_import.is_purged:
        raise ImportStateError(_("Importen är redan genomförd eller pågår."))
    if rows not in CommitChoice.values:
        raise ImportStateError(_("Välj om alla rader eller bara de giltiga ska importeras."))
    errors = notice_import.rows.filter(outcome=RowOutcome.ERROR).count()
    if rows == CommitChoice.ALL and errors:
        raise ImportStateError(
            _("%(count)d rader har fel. Rätta filen, eller välj att importera bara de giltiga raderna.") % {"count": errors})
    from .tasks import import_commit_task

    notice_import.status = ImportStatus.RUNNING
    notice_import.commit_choice = rows
    notice_import.progress_total = rows_to_import(notice_import)
    notice_import.task_id = str(uuid.uuid4())
    notice_import.save(update_fields=["status", "commit_choice", "progress_total", "task_id"])
    audit_log(user=user, action=AuditAction.NOTICE_IMPORT, organisation=notice_import.organisation, request=request,
              detail=f"commit import={notice_import.pk} rows={rows}")
    task_id, import_id, user_id = notice_import.task_id, notice_import.pk, user.pk
    transaction.on_commit(lambda: import_commit_task.apply_async(args=[import_id, user_id], task_id=task_id))
    return notice_import


def import_commit(
    *, import_id: int, user: User, progress: Callable[[int, int], None] | None = None, today: dt.date | None = None
) -> NoticeImport:
    """Register the chosen rows, all or nothing. Safe to run twice: only a RUNNING import is committed."""
    notice_import = NoticeImport.objects.select_related("organisation", "landlord").get(pk=import_id)
    if notice_import.status != ImportStatus.RUNNING:
        return notice_import
    try:
        # The prepared BOSAM agendas follow the import once, after the commit, not once per case.
        with transaction.atomic(), _without_nested_savepoints(), hooks.case_changes_gathered():
            _commit_rows(notice_import, user, progress, today or timezone.localdate())
    except Exception as exc:
        notice_import.refresh_from_db()
        notice_import.status = ImportStatus.FAILED
        notice_import.failure = str(exc)[:1000] if isinstance(exc, ImportStateError) else _(
            "Importen avbröts av ett fel och ingenting registrerades (%(error)s).") % {"error": type(exc).__name__}
        notice_import.finished_at = timezone.now()
        notice_import.save(update_fields=["status", "failure", "finished_at"])
        audit_log(user=user, action=AuditAction.NOTICE_IMPORT, organisation=notice_import.organisation,
                  detail=f"failed import={notice_import.pk} sha256={notice_import.file_sha256} error={type(exc).__name__}")
        if not isinstance(exc, ImportStateError):
            logger.exception("Import %s failed; nothing was registered", notice_import.pk)
    notice_import.refresh_from_db()
    return notice_import


@contextmanager
def _without_nested_savepoints():
    """Inside the commit's one transaction, the services' own atomic blocks open no savepoints.

    Each notice_register opens two (its own and case_reevaluate's). PostgreSQL keeps only 64 subtransactions of a
    transaction in memory; past that every visibility check looks them up on disk, so each row got slower than the
    last (a 5,000-row commit had not finished after 28 minutes). Savepoints buy nothing here: any error rolls the
    whole import back anyway; an error inside a block without one marks the transaction for rollback, which is
    what happens."""
    connection = transaction.get_connection()
    previous = connection.features.uses_savepoints
    connection.features.uses_savepoints = False
    try:
        yield
    finally:
        connection.features.uses_savepoints = previous


def _register_row(
    verdict, row: ImportRow, *, organisation: Organisation, user: User, only_valid: bool, today: dt.date,
    batch: case_services.RegistrationBatch,
) -> Notice | None:
    """Registers one row's notice and records on the row what became of it; None for a row that is skipped."""
    if verdict.outcome == RowOutcome.ERROR:
        if not only_valid:
            raise ImportStateError(_("Rad %(row)d är inte längre giltig. Ingenting registrerades.") % {"row": row.row_number})
        return None
    if verdict.outcome == RowOutcome.ALREADY_IMPORTED:
        return None
    notice = case_services.notice_register(
        organisation=organisation, user=user, notice=verdict.result.notice, household=verdict.result.household, today=today,
        batch=batch,
    )
    # The verdict was made just now, in this transaction: a household first seen in this file is new once.
    row.outcome = RowOutcome.NEW_HOUSEHOLD if verdict.outcome == RowOutcome.NEW_HOUSEHOLD else RowOutcome.JOINS_CASE
    row.notice, row.case, row.case_number, row.key = notice, notice.case, notice.case.number, verdict.key
    return notice


def _commit_rows(notice_import: NoticeImport, user: User, progress, today: dt.date) -> None:
    # Lock the import so that a second worker run waits and then finds it DONE.
    locked = NoticeImport.objects.select_for_update().get(pk=notice_import.pk)
    if locked.status != ImportStatus.RUNNING:
        return
    organisation = notice_import.organisation
    evaluator = Evaluator(organisation=organisation, landlord=notice_import.landlord, today=today)
    only_valid = notice_import.commit_choice == CommitChoice.VALID
    total = notice_import.progress_total
    done = 0
    touched: dict[int, Case] = {}
    created: set[int] = set()
    rows = (notice_import.rows.order_by("row_number").only("id", "notice_import", "row_number", "values")
            .iterator(chunk_size=CHUNK_ROWS))
    # Those who chose e-mail immediately get one e-mail for the whole import, after the commit, not one per case.
    notifications = NotificationBatch(gather_email=True)
    for batch in _chunked(rows):
        # Units, plan configuration, next BOSAM meeting and landlords: read once per chunk, not once per row.
        registration = case_services.RegistrationBatch.of(organisation, today, notifications=notifications)
        by_number = {row.row_number: row for row in batch}
        # Judged again now, after the rows before it were registered: a later row of the same household joins its case.
        verdicts = evaluator.chunk([(row.row_number, row.values) for row in batch])
        # The chunk's new cases take their numbers in one statement; the ones left are given back after it.
        registration.expect_new_cases(sum(1 for v in verdicts if v.outcome == RowOutcome.NEW_HOUSEHOLD))
        changed = []
        for verdict in verdicts:
            row = by_number[verdict.row_number]
            notice = _register_row(verdict, row, organisation=organisation, user=user, only_valid=only_valid, today=today,
                                   batch=registration)
            if notice is None:
                continue
            if row.outcome == RowOutcome.NEW_HOUSEHOLD:
                created.add(notice.case_id)
            changed.append(row)
            touched[notice.case_id] = notice.case
            done += 1
            if progress and done % PROGRESS_EVERY == 0:
                progress(done, total)
        registration.release()
        # One join per chunk: bulk_update's CASE of one branch per row cost 1.4 ms a row on PostgreSQL, this 0.07.
        update_objects(ImportRow, changed, ["outcome", "notice", "case", "case_number", "key"])
    notifications.send_after_commit()
    audit_log_cases(user=user, action=AuditAction.NOTICE_IMPORT, cases=list(touched.values()),
                    detail=f"import={notice_import.pk} sha256={notice_import.file_sha256}")
    audit_log(user=user, action=AuditAction.NOTICE_IMPORT, organisation=organisation,
              detail=(f"done import={notice_import.pk} sha256={notice_import.file_sha256} rows={notice_import.row_count} "
                      f"registered={done} created={len(created)} joined={len(touched) - len(created)} cases={len(touched)}"))
    NoticeImport.objects.filter(pk=notice_import.pk).update(
        status=ImportStatus.DONE, created_cases=len(created), joined_cases=len(touched) - len(created), progress_total=done,
        finished_at=timezone.now(),
    )
    if progress:
        progress(done, done)
