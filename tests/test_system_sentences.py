"""Deviations and task notes the application writes: stored as a sentence id and parameters, worded where they are
shown in the reader's language with the unit's current name (issue 12, item 6): the case page, the deviations
register, the API, the BOSAM agenda (web and PDF) and its frozen minutes."""

import datetime as dt

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from bosam import pdf
from bosam import services as bosam_services
from bosam.models import MeetingDocument
from cases import explanations, services
from cases.models import Deviation, Task, TaskStatus
from tests.factories import notice_data, register
from tests.test_bosam_pdf import text_of
from tests.test_bosam_scenario import build_scenario
from tests.test_casepage import visible_text

pytestmark = pytest.mark.django_db

OVERDUE_SV, OVERDUE_EN = "skulle vara klar", "was due on"


def _get(client, user, url, language):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, url
    return response


def _overdue_case(organisation, personas, serial=880):
    today = timezone.localdate()
    case = register(organisation, personas["hyresradgivare"], children=("2016-05-01",), serial=serial,
                    notice=notice_data(received=str(today - dt.timedelta(days=20)), served=str(today - dt.timedelta(days=21)))).case
    services.run_daily_checks(today=today)
    assert Deviation.objects.filter(case=case, sentence="task_overdue").exists()
    return case


def test_an_override_names_the_unit_by_its_current_name_and_keeps_the_reason_as_written(client, organisation, personas, units):
    advisor = personas["hyresradgivare"]
    case = register(organisation, advisor, serial=881).case
    services.assignment_change(case=case, user=advisor, unit=units["VUXNA"], role="LEAD", reason="Hyresgästen bad om det.")
    deviation = Deviation.objects.get(case=case, kind="ROUTING_OVERRIDE")
    assert (deviation.sentence, deviation.params, deviation.description) == (
        "routing_override", {"unit": "VUXNA", "reason": "Hyresgästen bad om det."}, "")
    units["VUXNA"].name = "Vuxenenheten Söder"
    units["VUXNA"].save()
    url = reverse("followup:detail", args=[deviation.pk])
    english = visible_text(_get(client, advisor, url, "en").content.decode())
    assert "Responsibility was moved manually to Vuxenenheten Söder: Hyresgästen bad om det." in english
    swedish = visible_text(_get(client, advisor, url, "sv").content.decode())
    assert "Ansvaret flyttades manuellt till Vuxenenheten Söder: Hyresgästen bad om det." in swedish


def test_register_and_api_show_the_sentence_in_the_readers_language(client, organisation, personas):
    _overdue_case(organisation, personas)
    Deviation.objects.create(organisation=organisation, kind="MANUAL", automatic=False, description="Brevet gick sent.",
                             created_by=personas["hyresradgivare"])
    advisor = personas["hyresradgivare"]
    english = visible_text(_get(client, advisor, "/avvikelser/", "en").content.decode())
    assert OVERDUE_EN in english and OVERDUE_SV not in english and "Brevet gick sent." in english
    swedish = visible_text(_get(client, advisor, "/avvikelser/", "sv").content.decode())
    assert OVERDUE_SV in swedish and OVERDUE_EN not in swedish

    for language, present, absent in (("en", OVERDUE_EN, OVERDUE_SV), ("sv", OVERDUE_SV, OVERDUE_EN)):
        rows = _get(client, advisor, "/api/v1/deviations/", language).json()["results"]
        descriptions = [row["description"] for row in rows]
        # The contract: `description` is a string, the rendered text.
        assert all(isinstance(text, str) for text in descriptions)
        assert any(present in text for text in descriptions) and not any(absent in text for text in descriptions), language
        assert "Brevet gick sent." in descriptions
    # The steering group reads the application's sentences (no names in them), in its language.
    rows = _get(client, personas["styrgrupp"], "/api/v1/deviations/", "en").json()["results"]
    assert any(OVERDUE_EN in row["description"] for row in rows) and "Brevet gick sent." not in [r["description"] for r in rows]


def test_a_closed_cases_tasks_carry_the_applications_note_not_words(client, organisation, personas):
    advisor = personas["hyresradgivare"]
    case = register(organisation, advisor, serial=882).case
    services.case_close(case=case, user=advisor, outcome="PREVENTED_PAID")
    cancelled = list(Task.objects.filter(case=case, status=TaskStatus.CANCELLED))
    assert cancelled and all((t.note_sentence, t.completion_note) == ("case_closed", "") for t in cancelled)
    url = reverse("cases:detail", args=[case.pk]) + "?visa=uppgifter&hela=1"
    english = visible_text(_get(client, advisor, url, "en").content.decode())
    assert "The case was closed." in english and "Ärendet avslutades." not in english
    assert "Ärendet avslutades." in visible_text(_get(client, advisor, url, "sv").content.decode())


def test_the_database_keeps_sentence_and_text_apart(organisation, personas):
    case = register(organisation, personas["hyresradgivare"], serial=883).case
    rows = [
        {"kind": "TASK_OVERDUE", "sentence": "task_overdue", "params": {}, "description": "Och ord."},  # both
        {"kind": "TASK_OVERDUE", "sentence": "no_such_sentence", "params": {}},  # unknown id
        {"kind": "MANUAL", "automatic": False, "sentence": "task_overdue", "params": {}},  # a person's with a sentence
    ]
    for row in rows:
        with pytest.raises(IntegrityError), transaction.atomic():
            Deviation.objects.create(organisation=organisation, case=case, **row)
    task = case.tasks.filter(status=TaskStatus.OPEN).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.filter(pk=task.pk).update(note_sentence="case_closed")  # an open task has no closing note
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.filter(pk=task.pk).update(status=TaskStatus.DONE, completed_at=timezone.now(), note_sentence="case_closed",
                                                completion_note="Och ord.")


def test_a_stored_sentence_with_a_missing_parameter_shows_nothing_rather_than_breaking():
    with translation.override("en"):
        assert explanations.deviation_text(Deviation(kind="TASK_OVERDUE", sentence="task_overdue", params={"date": "2026-11-20"})) == ""
        assert explanations.deviation_text(Deviation(kind="MANUAL", description="Som skrivet.")) == "Som skrivet."


def test_bosam_agenda_web_in_the_readers_language_pdf_in_swedish_and_minutes_worded_again(client, organisation, personas):
    scenario = build_scenario(organisation, personas)
    chair = personas["ordforande"]
    absence = Deviation.objects.get(organisation=organisation, kind="BOSAM_ABSENCE")
    assert absence.sentence == "bosam_absence" and absence.description == "" and absence.params["date"] == "2026-11-17"
    with translation.override("sv"):
        swedish = explanations.deviation_text(absence, *explanations.organisation_names(organisation.pk))
    with translation.override("en"):
        english = explanations.deviation_text(absence, *explanations.organisation_names(organisation.pk))
    assert "var inte närvarande på BOSAM-mötet 2026-11-17" in swedish and "was not present at the BOSAM meeting on 2026-11-17" in english
    url = reverse("bosam:meeting_detail", args=[scenario.meeting.pk])
    page = visible_text(_get(client, chair, url, "en").content.decode())
    assert english in page and swedish not in page
    assert swedish in visible_text(_get(client, chair, url, "sv").content.decode())
    # The PDF is an official document, in the administration's language, whatever the screen shows.
    with translation.override("en"):
        text, _pages = text_of(pdf.document_pdf(scenario.meeting, MeetingDocument.Kind.AGENDA))
    assert "var inte närvarande på BOSAM-mötet" in " ".join(text.split())

    # Locked minutes are frozen, but their sentences are worded for each reader; the discussed item's review task
    # carries the application's note.
    item = scenario.meeting.items.filter(removed_at__isnull=True, case__tasks__kind="BOSAM_REVIEW",
                                         case__tasks__status=TaskStatus.OPEN).first()
    bosam_services.item_discussed_set(item=item, user=chair, discussed=True)
    with translation.override("sv"):
        bosam_services.meeting_close(meeting=scenario.meeting, user=chair)
    page = visible_text(_get(client, chair, url, "en").content.decode())
    assert english in page and swedish not in page
    review = Task.objects.filter(case=item.case, kind="BOSAM_REVIEW", note_sentence="bosam_discussed", note_params={"date": "2026-12-01"})
    assert review.exists() and review.get().completion_note == ""
    case_page = visible_text(_get(client, personas["hyresradgivare"], reverse("cases:detail", args=[item.case_id]) + "?hela=1",
                                  "en").content.decode())
    assert "Discussed at BOSAM on 2026-12-01." in case_page and "Behandlat på BOSAM" not in case_page
