"""Celery task for imports: takes ids, calls one service."""

from __future__ import annotations

from celery import shared_task
from django.contrib.auth import get_user_model

from . import services

# A 20,000-row list takes minutes; the commit is one transaction, so it must not be cut short by the default limit.
COMMIT_SOFT_TIME_LIMIT = 30 * 60
COMMIT_TIME_LIMIT = 35 * 60


@shared_task(bind=True, name="imports.tasks.import_commit_task", soft_time_limit=COMMIT_SOFT_TIME_LIMIT, time_limit=COMMIT_TIME_LIMIT)
def import_commit_task(self, import_id: int, user_id: int) -> dict:
    """Register the import's chosen rows, all or nothing. A second run finds it no longer RUNNING and does nothing."""
    user = get_user_model().objects.get(pk=user_id)

    def progress(done: int, total: int) -> None:
        # The rows are written inside one transaction nobody else can see yet: progress goes through the result backend.
        if not self.request.is_eager:
            self.update_state(state="PROGRESS", meta={"done": done, "total": total})

    notice_import = services.import_commit(import_id=import_id, user=user, progress=progress)
    return {"status": notice_import.status, "done": notice_import.progress_total}
