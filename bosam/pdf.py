"""Agenda and minutes as A4 PDFs (WeasyPrint), cached by a hash of their content.

The content is `selectors.agenda_content(meeting)`; together with the template,
the print stylesheet and the language it decides the cache key. A request
gets the cached bytes when nothing changed; the beat task renders the agenda
ahead of time, so the chair's download does not wait for WeasyPrint.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import IntegrityError, transaction
from django.template.loader import get_template, render_to_string
from django.utils import translation
from django.utils.translation import get_language

from .models import Meeting, MeetingDocument
from .selectors import agenda_content

# WeasyPrint logs every rendering step at INFO; the beat task's log needs none of it.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
logger = logging.getLogger(__name__)

TEMPLATE = "bosam/pdf/meeting.html"
STYLESHEET = "css/print.css"


def _stylesheet_path() -> str:
    return finders.find(STYLESHEET) or str(Path(settings.BASE_DIR) / "static" / STYLESHEET)


def content_hash(kind: str, content: dict) -> str:
    layout = get_template(TEMPLATE).template.source + Path(_stylesheet_path()).read_text(encoding="utf-8")
    payload = json.dumps({"kind": kind, "content": content, "language": get_language(), "layout": layout}, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def render_pdf(kind: str, content: dict) -> bytes:
    from weasyprint import CSS, HTML

    html = render_to_string(TEMPLATE, {"kind": kind, "c": content, "minutes": kind == MeetingDocument.Kind.MINUTES})
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(stylesheets=[CSS(filename=_stylesheet_path())])


def document_pdf(meeting: Meeting, kind: str) -> bytes:
    """The PDF bytes, from the cache when the content is unchanged; rendered and stored otherwise.

    Always in the administration's language: the agenda and minutes are official
    documents, and one cached copy serves everyone whatever language their screen shows."""
    with translation.override(settings.LANGUAGE_CODE):
        return _document_pdf(meeting, kind)


def document_if_ready(meeting: Meeting, kind: str) -> bytes | None:
    """The cached PDF when its content is the current one; None when it must be rendered (issue 16: the browser
    is then shown a progress page while a worker renders it, see bosam/api.py)."""
    with translation.override(settings.LANGUAGE_CODE):
        digest = content_hash(kind, agenda_content(meeting))
        cached = MeetingDocument.objects.filter(meeting=meeting, kind=kind).first()
        return bytes(cached.pdf) if cached is not None and cached.content_hash == digest else None


def render_requested(meeting: Meeting, kind: str) -> bool:
    """Ask a worker to render the PDF, at most once a minute per meeting and kind (the progress page reloads every
    few seconds). False when the queue cannot be reached: the caller renders it itself."""
    from django.core.cache import cache

    from .tasks import render_document_task

    key = f"bosam-pdf-render-{meeting.pk}-{kind}"
    if not cache.add(key, 1, timeout=60):
        return True
    try:
        render_document_task.delay(meeting.pk, kind)
    except Exception:  # the broker is down: the request renders it (slow, but the chair gets the PDF)
        logger.exception("Could not queue the PDF of meeting %s", meeting.pk)
        cache.delete(key)
        return False
    return True


def _document_pdf(meeting: Meeting, kind: str) -> bytes:
    content = agenda_content(meeting)
    digest = content_hash(kind, content)
    cached = MeetingDocument.objects.filter(meeting=meeting, kind=kind).first()
    if cached is not None and cached.content_hash == digest:
        return bytes(cached.pdf)
    started = time.perf_counter()
    pdf = render_pdf(kind, content)
    seconds = time.perf_counter() - started
    try:
        with transaction.atomic():
            MeetingDocument.objects.update_or_create(
                meeting=meeting, kind=kind, defaults={"content_hash": digest, "pdf": pdf, "render_seconds": seconds},
            )
    except IntegrityError:  # rendered at the same moment by another request; theirs is as good
        pass
    return pdf


def pdf_filename(meeting: Meeting, kind: str) -> str:
    prefix = "bosam-dagordning" if kind == MeetingDocument.Kind.AGENDA else "bosam-protokoll"
    return f"{prefix}-{meeting.date:%Y-%m-%d}.pdf"
