"""Letters to the household as sent (issue 11): marking SEND_LETTER done stores the PDF, its SHA-256 and the date.

What was sent must stay provable: the case page serves this stored file afterwards, never a new
rendering from live data. A new letter is a new SEND_LETTER task.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.utils import timezone

from organisation.models import Unit

from ..models import Case, SentLetter, Task, TaskKind, TaskStatus
from ..rules.workdays import add_working_days
from .plan import plan_config_for

if TYPE_CHECKING:
    from django.http import HttpRequest

    from organisation.models import User


class LetterTaskOpen(Exception):
    """The case already has an open letter task: print and send that one first."""


def letter_freeze(*, task: Task, user: User, today: dt.date | None = None) -> SentLetter:
    """Render the letter as of `today` (the sending day) and store it; idempotent per task.

    Runs inside task_complete's transaction: if rendering fails, the task stays open."""
    existing = SentLetter.objects.filter(task=task).first()
    if existing is not None:
        return existing
    if task.kind != TaskKind.SEND_LETTER:
        raise ValueError("Only SEND_LETTER tasks have a letter.")
    # Imported here: WeasyPrint loads Pango at import, and the letter module imports the services.
    from ..intake.letters import render_letter

    sent_on = today or timezone.localdate()
    task = Task.objects.select_related("unit", "case__organisation", "case__household").get(pk=task.pk)
    rendered = render_letter(task, user, today=sent_on)
    pdf = rendered.pdf
    letter = SentLetter(task=task, case_id=task.case_id, sha256=hashlib.sha256(pdf).hexdigest(), sent_on=sent_on, created_by=user,
                        language=rendered.language)
    # A random name: the path says nothing about the case or the person.
    letter.file.save(f"brev-{uuid.uuid4().hex}.pdf", ContentFile(pdf), save=False)
    letter.save()
    return letter


def letter_task_create(*, case: Case, user: User, request: HttpRequest | None = None, today: dt.date | None = None) -> Task:
    """A new letter is a new SEND_LETTER task for the tenancy advisor unit (a sent letter never changes)."""
    from .actions import task_create

    if case.tasks.filter(kind=TaskKind.SEND_LETTER, status=TaskStatus.OPEN).exists():
        raise LetterTaskOpen
    unit = Unit.objects.get(organisation=case.organisation, code=plan_config_for(case.organisation).tenancy_advisor_unit)
    return task_create(case=case, user=user, kind=TaskKind.SEND_LETTER, unit=unit,
                       due_date=add_working_days(today or timezone.localdate(), 1), request=request)
