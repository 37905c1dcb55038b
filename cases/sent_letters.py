"""Freezing the letter as sent (issue 11): marking SEND_LETTER done stores the PDF, its SHA-256 and the date.

What was sent to a household must stay provable: the case page serves this stored file afterwards,
never a new rendering from live data. A new letter is a new SEND_LETTER task.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

from django.core.files.base import ContentFile
from django.utils import timezone

from .models import Case, SentLetter, Task, TaskKind


def letter_freeze(*, task: Task, user, today: dt.date | None = None) -> SentLetter:
    """Render the letter as of `today` (the sending day) and store it; idempotent per task.

    Runs inside task_complete's transaction: if rendering fails, the task stays open."""
    existing = SentLetter.objects.filter(task=task).first()
    if existing is not None:
        return existing
    if task.kind != TaskKind.SEND_LETTER:
        raise ValueError("Only SEND_LETTER tasks have a letter.")
    from .letters import render_letter_pdf  # WeasyPrint loads Pango at import; only letters need it.

    sent_on = today or timezone.localdate()
    task = Task.objects.select_related("unit", "case__organisation", "case__household").get(pk=task.pk)
    pdf = render_letter_pdf(task, user, today=sent_on)
    letter = SentLetter(task=task, case_id=task.case_id, sha256=hashlib.sha256(pdf).hexdigest(), sent_on=sent_on, created_by=user)
    # A random name: the path says nothing about the case or the person.
    letter.file.save(f"brev-{uuid.uuid4().hex}.pdf", ContentFile(pdf), save=False)
    letter.save()
    return letter


def sent_letters_for(case: Case) -> list[SentLetter]:
    return list(case.sent_letters.select_related("task", "created_by").order_by("sent_on", "id"))


def sent_letter_for_task(task_pk: int) -> SentLetter | None:
    return SentLetter.objects.filter(task_id=task_pk).first()
