"""Celery beat tasks (see CELERY_BEAT_SCHEDULE in settings). Small and idempotent: each calls one service."""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from . import services


def _day(today: str | None) -> dt.date:
    return dt.date.fromisoformat(today) if today else timezone.localdate()


@shared_task(name="bosam.tasks.plan_meetings_task")
def plan_meetings_task(today: str | None = None) -> dict:
    """Keep the next 12 weeks of meetings planned."""
    return services.plan_meetings(today=_day(today))


@shared_task(name="bosam.tasks.prepare_agendas_task")
def prepare_agendas_task(today: str | None = None) -> dict:
    """Prepare the agendas whose day has come, e-mail the participants once, render the PDFs."""
    return services.prepare_agendas(today=_day(today))


@shared_task(name="bosam.tasks.render_document_task")
def render_document_task(meeting_id: int, kind: str) -> bool:
    """Render a meeting's agenda or minutes PDF into the cache (asked for by the progress page). Idempotent: a
    PDF whose content is unchanged is not rendered again."""
    from .models import Meeting
    from .pdf import document_pdf

    meeting = Meeting.objects.filter(pk=meeting_id).first()
    if meeting is None:
        return False
    document_pdf(meeting, kind)
    return True


@shared_task(name="bosam.tasks.refresh_agendas_for_cases_task", ignore_result=True)
def refresh_agendas_for_cases_task(case_ids: list[int]) -> int:
    """Cases changed (cases.hooks.case_changed, after the commit): the prepared agendas ahead follow, off the
    request (issue 16). Idempotent: an agenda that already matches is left as it is."""
    return services.agenda_refresh_for_cases(case_ids)
