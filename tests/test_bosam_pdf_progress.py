"""The agenda PDF off the request (issue 16): a browser asking for a PDF that is not rendered yet gets a progress
page that asks again by itself (a small script; no meta refresh, WCAG 2.2.1; a button without JavaScript) while a
worker renders it; then the same link gives the PDF."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from bosam import pdf
from bosam.models import MeetingDocument
from bosam.tasks import render_document_task
from tests.test_bosam_scenario import build_scenario

HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture
def scenario(organisation, personas):
    cache.clear()
    return build_scenario(organisation, personas)


@pytest.fixture
def chair(personas):
    client = Client()
    client.force_login(personas["ordforande"])
    return client


def test_a_browser_gets_a_progress_page_then_the_pdf(scenario, chair, monkeypatch):
    url = f"/api/v1/meetings/{scenario.meeting.pk}/agenda.pdf"
    MeetingDocument.objects.filter(meeting=scenario.meeting).delete()

    def no_render(*args, **kwargs):
        raise AssertionError("the request rendered the PDF itself")

    monkeypatch.setattr(pdf, "render_pdf", no_render)
    response = chair.get(url, HTTP_ACCEPT=HTML)
    assert response.status_code == 202
    body = response.content.decode()
    assert 'http-equiv="refresh"' not in body  # WCAG 2.2.1: the page does not reload on a timer the user can't stop
    assert 'data-seconds="3"' in body and "js/pdf-progress.js" in body and "Försök igen nu" in body
    assert "Dagordningen tas fram" in body and 'role="status"' in body
    assert response["Retry-After"] == "3"
    assert chair.get(url, HTTP_ACCEPT=HTML).status_code == 202  # reloaded before the worker is done: still waiting
    monkeypatch.undo()

    assert render_document_task.apply(args=[scenario.meeting.pk, "AGENDA"]).get() is True  # what the worker runs
    response = chair.get(url, HTTP_ACCEPT=HTML)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_an_api_client_still_gets_the_pdf_at_once(scenario, chair):
    MeetingDocument.objects.filter(meeting=scenario.meeting).delete()
    response = chair.get(f"/api/v1/meetings/{scenario.meeting.pk}/agenda.pdf", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_the_render_task_renders_once(scenario):
    MeetingDocument.objects.filter(meeting=scenario.meeting).delete()
    render_document_task.apply(args=[scenario.meeting.pk, "AGENDA"]).get()
    first = MeetingDocument.objects.get(meeting=scenario.meeting, kind="AGENDA")
    render_document_task.apply(args=[scenario.meeting.pk, "AGENDA"]).get()
    assert MeetingDocument.objects.get(pk=first.pk).rendered_at == first.rendered_at  # not rendered (nor saved) again
    assert pdf.document_if_ready(scenario.meeting, "AGENDA") is not None
    assert render_document_task.apply(args=[999999, "AGENDA"]).get() is False
