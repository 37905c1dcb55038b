"""The workspace in a real Chromium: barn works a family case, vuxna is refused, hyresrådgivaren sees all open cases."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from cases.models import AuditAction, AuditEvent, Contact, Task, TaskKind, TaskStatus
from tests.e2e.helpers import log_in
from tests.factories import notice_data, register

# serialized_rollback: a transactional test empties the database afterwards; the default
# organisation (a data migration) must be there for every such test, whatever ran before.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]



@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A Swedish browser: LocaleMiddleware follows Accept-Language, and Chromium sends en-US by default.
    return {**browser_context_args, "locale": "sv-SE"}



def test_barn_works_the_family_case_vuxna_is_refused_hyresradgivare_sees_all(organisation, personas, live_server, page):
    today = timezone.localdate()
    received = (today - dt.timedelta(days=1)).isoformat()
    family = register(organisation, personas["hyresradgivare"], children=((today - dt.timedelta(days=365 * 6)).isoformat(),),
                      notice=notice_data(received=received, served=received), today=today).case
    single = register(organisation, personas["hyresradgivare"], serial=802, surname="Ensamsson", street="Ensamvägen 1",
                      notice=notice_data(received=received, served=received), today=today).case

    # barn: the family case is in Mina ärenden, with its tasks and the children visible.
    log_in(page, live_server, "barn")
    assert "Mina ärenden" in page.locator("h1").inner_text()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=family.number))
    assert row.count() == 1
    assert "1 barn" in row.inner_text()
    # The row counts the other units' open tasks (barn's own would be listed in full; issue 12 item 2).
    assert "hos andra enheter" in row.inner_text()
    assert page.get_by_role("link", name=single.number).count() == 0

    # opens it: Hyresrådgivningen's task cannot be completed by barn's unit (issue 12 item 1); barn takes the
    # case and completes the unit's own task with a note.
    page.get_by_role("link", name=family.number).click()
    page.wait_for_url(f"{live_server.url}/arenden/{family.pk}/")
    advisors = Task.objects.get(case=family, kind=TaskKind.NOTIFY_CHILD_INTAKE)
    card = page.locator(".card").filter(has=page.get_by_role("heading", name=advisors.label))
    assert card.get_by_role("button", name=re.compile("Markera som klar")).count() == 0
    assert "bara den enheten" in card.inner_text()
    task = Task.objects.create(case=family, kind=TaskKind.MANUAL, title="Hembesök hos familjen", unit=personas["barn"].unit,
                               due_date=today + dt.timedelta(days=4))
    page.get_by_role("button", name="Ta ärendet").click()
    page.wait_for_load_state()
    assert "Du är nu handläggare i ärendet." in page.get_by_role("alert").first.inner_text()
    task.refresh_from_db()
    assert task.assignee == personas["barn"]
    card = page.locator(".card").filter(has=page.get_by_role("heading", name=task.label))
    assert "Mina uppgifter" in page.locator("#uppgifter").inner_text()
    card.locator("summary").click()  # the note is behind "Klar med anteckning" (issue 12 item 3: one line per task)
    card.get_by_label("Anteckning").fill("Mottagningen har fått uppgifterna.")
    card.get_by_role("button", name=re.compile("Markera som klar")).click()
    page.wait_for_load_state()
    assert "Uppgiften är markerad som klar." in page.get_by_role("alert").first.inner_text()
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.completion_note == "Mottagningen har fått uppgifterna."

    # registers an established contact
    page.locator("#atgarder-meny > summary").click()
    page.locator("#kontakt summary").click()
    form = page.locator("#kontakt form")
    form.get_by_label("Kanal").select_option("PHONE")
    form.get_by_label("Kontakt etablerad").check()
    form.get_by_label("Anteckning").fill("Pratade med vårdnadshavaren.")
    form.get_by_role("button", name="Spara kontakt").click()
    page.wait_for_load_state()
    assert "Kontakten är registrerad." in page.get_by_role("alert").first.inner_text()
    assert "Kontakt etablerad" in page.locator("#tidslinje").inner_text()
    contact = Contact.objects.get(case=family)
    assert contact.established and contact.created_by == personas["barn"]

    # vuxna: the same URL is a 404, and the attempt is in the audit log
    log_in(page, live_server, "vuxna")
    response = page.goto(f"{live_server.url}/arenden/{family.pk}/")
    assert response.status == 404
    assert family.number not in page.content()
    assert AuditEvent.objects.filter(action=AuditAction.CASE_VIEW_DENIED, user=personas["vuxna"], case=family).exists()

    # hyresrådgivaren: every open case in "Alla öppna ärenden"
    log_in(page, live_server, "hyresradgivare")
    page.get_by_role("link", name="Alla öppna ärenden").click()
    page.wait_for_url(f"{live_server.url}/arenden/alla/")
    assert page.get_by_role("link", name=family.number).count() == 1
    assert page.get_by_role("link", name=single.number).count() == 1
