"""Retention (gallring, issue 15 §6) of imports: the rows' raw cells and the kept file must not outlive the cases.

An ImportRow's `values` are the file's cells as mapped (personnummer, names, addresses) and the kept file holds
them all. cases/services/retention.py tells this module, through cases.hooks, before it deletes cases:

- `cases_deleting(cases)`: every row of a deleted case (by link, or by number for rows that only named it: a
  duplicate, a preview) loses its cells, errors, note and key at once; the kept file of every import that touched
  one goes from storage after the commit (it is not a record of the kept cases alone any more: a research-day case
  may live for ever, the others' data must not live with it); and an import with no case left loses its rows.
- `retention_sweep(today, execute)`: the rows that never became a case (errors, skipped duplicates) and the
  imports that registered nothing (FAILED, an abandoned preview) go IMPORT_RETENTION_DAYS after the import.

What stays of a purged import is its audit facts without personal data: who, when, the file's SHA-256 and format,
the row count and the counts per outcome (frozen in `outcome_counts`), the number of cases created and joined.
The file name is replaced by import-<id>.<format> (a landlord may name a file after a tenant).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import selectors
from .models import ImportRow, ImportStatus, NoticeImport

logger = logging.getLogger(__name__)


def _delete_file_after_commit(notice_import: NoticeImport) -> None:
    if not notice_import.file:
        return
    storage, name = notice_import.file.storage, notice_import.file.name

    def delete() -> None:
        try:
            storage.delete(name)
        except OSError:
            logger.exception("Retention could not delete a kept import file (%s)", name)

    transaction.on_commit(delete)


def _freeze_counts(notice_import: NoticeImport) -> dict[str, int]:
    """The counts per outcome as they were, before any row goes (kept on the import for ever)."""
    if not notice_import.outcome_counts:
        notice_import.outcome_counts = selectors.outcome_counts(notice_import)
        NoticeImport.objects.filter(pk=notice_import.pk).update(outcome_counts=notice_import.outcome_counts)
    return notice_import.outcome_counts


def _drop_file(notice_import: NoticeImport) -> int:
    if not notice_import.file:
        return 0
    _delete_file_after_commit(notice_import)
    NoticeImport.objects.filter(pk=notice_import.pk).update(file="")
    notice_import.file = ""
    return 1


def import_purge(notice_import: NoticeImport, *, now: dt.datetime | None = None) -> int:
    """All rows and the file go; the import keeps its audit facts. Returns the number of rows deleted."""
    _freeze_counts(notice_import)
    _drop_file(notice_import)
    deleted, _per_model = notice_import.rows.all().delete()
    suffix = (notice_import.file_format or "csv").lower()
    NoticeImport.objects.filter(pk=notice_import.pk).update(
        purged_at=now or timezone.now(), file_name=f"import-{notice_import.pk}.{suffix}",
    )
    return deleted


def _rows_naming(cases: list) -> Q:
    condition = Q(case_id__in=[c.pk for c in cases])
    numbers: dict[int, list[str]] = defaultdict(list)
    for case in cases:
        numbers[case.organisation_id].append(case.number)
    for organisation_id, organisation_numbers in numbers.items():
        condition |= Q(organisation_id=organisation_id, case_number__in=organisation_numbers)
    return condition


def cases_deleting(cases: list) -> dict[str, int]:
    """Called by retention inside its batch transaction, before these cases are deleted (see the module docstring)."""
    rows = ImportRow.objects.filter(_rows_naming(cases))
    import_ids = set(rows.values_list("notice_import_id", flat=True))
    if not import_ids:
        return {}
    imports = list(NoticeImport.objects.select_for_update().filter(pk__in=import_ids).exclude(status=ImportStatus.RUNNING))
    for notice_import in imports:
        _freeze_counts(notice_import)
    # The notice link goes with the key in one statement: a key is unique only among rows that hold a notice.
    cleared = rows.filter(notice_import__in=imports).update(values={}, errors={}, note="", key="", notice=None, case=None)
    files = sum(_drop_file(notice_import) for notice_import in imports)
    purged, deleted = 0, 0
    for notice_import in imports:
        if not notice_import.rows.filter(case__isnull=False).exists():
            deleted += import_purge(notice_import)
            purged += 1
    return {"import_rows_cleared": cleared, "import_files_deleted": files, "imports_purged": purged,
            "import_rows_deleted": deleted}


def _cutoff(today: dt.date) -> dt.datetime:
    day = today - dt.timedelta(days=settings.IMPORT_RETENTION_DAYS)
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def _sweep_candidates(today: dt.date) -> tuple[list[NoticeImport], list[NoticeImport]]:
    """(imports that registered nothing and are past the period: purged whole; DONE imports past the period that
    still hold rows without a case)."""
    cutoff = _cutoff(today)
    pending = NoticeImport.objects.filter(purged_at__isnull=True)
    whole = pending.filter(
        Q(status=ImportStatus.FAILED, finished_at__lt=cutoff)
        | Q(status=ImportStatus.FAILED, finished_at__isnull=True, created_at__lt=cutoff)
        | Q(status__in=[ImportStatus.UPLOADED, ImportStatus.PREVIEW], created_at__lt=cutoff)
    )
    done = pending.filter(status=ImportStatus.DONE, finished_at__lt=cutoff, rows__case__isnull=True).distinct()
    return list(whole), list(done)


def retention_sweep(today: dt.date, execute: bool) -> dict[str, int]:
    """The rows that never became a case, IMPORT_RETENTION_DAYS after the import (a dry run only counts)."""
    whole, done = _sweep_candidates(today)
    if not execute:
        return {"imports_swept": len(whole) + len(done)} if whole or done else {}
    purged, deleted = 0, 0
    with transaction.atomic():
        for notice_import in whole:
            deleted += import_purge(notice_import)
            purged += 1
        for notice_import in done:
            _freeze_counts(notice_import)
            removed, _per_model = notice_import.rows.filter(case__isnull=True).delete()
            deleted += removed
            if not notice_import.rows.exists():
                deleted += import_purge(notice_import)
                purged += 1
    return {"imports_purged": purged, "import_rows_deleted": deleted} if purged or deleted else {}
