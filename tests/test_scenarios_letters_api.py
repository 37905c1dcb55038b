"""Issue 11 "Done when", through the API: a frozen letter that does not change when the case does,
and a protected person absent from the agenda and minutes PDFs (text extracted)."""

import io
import re

from pypdf import PdfReader

from bosam import services as bosam_services
from bosam.models import Meeting
from cases.models import SentLetter
from tests.test_api import body, client_for, clock, complete_url, post_json  # noqa: F401 (clock is a fixture)
from tests.test_bosam_scenario import D, make_series

NOTICES = "/api/v1/notices/"


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_a_frozen_letter_does_not_change_when_the_case_does(personas, settings, tmp_path, clock):  # noqa: F811
    settings.MEDIA_ROOT = str(tmp_path)
    api = client_for(personas["hyresradgivare"])
    clock.set("2026-10-19")
    created = post_json(api, NOTICES, body(received="2026-10-19", served_date="2026-10-16"))
    assert created.status_code == 201, created.content
    case = created.json()["case"]
    assert case["recovery_deadline"] == "2026-11-09"
    letter = next(t for t in case["tasks"] if t["kind"] == "SEND_LETTER")
    clock.set("2026-10-20")
    assert post_json(api, complete_url(letter["id"]), {"note": "Skickat med post"}).status_code == 200
    sent = SentLetter.objects.get(task_id=letter["id"])
    frozen = sent.file.read()

    assert sent.sent_on == D("2026-10-20")
    # The case changes: a new notice for the same tenant with another amount; the deadline then passes.
    clock.set("2026-11-02")
    again = post_json(api, NOTICES, body(received="2026-11-02", served_date="2026-11-02", debt_amount="25000.00",
                                         recovery_amount="25000.00"))
    assert again.status_code == 201 and again.json()["case"]["id"] == case["id"]

    clock.set("2026-12-01")
    served = api.get(f"/arenden/uppgift/{letter['id']}/brev.pdf")
    assert served.status_code == 200
    assert served.content == frozen
    text = pdf_text(served.content)
    assert "18 450 kr" in text and "25 000 kr" not in text
    assert "senast den 9 november 2026" in text  # worded for the day it was sent, not for today


def test_a_protected_person_is_absent_from_agenda_and_minutes_pdfs(organisation, personas):
    series = make_series(organisation)
    bosam_services.plan_meetings(today=D("2026-11-16"), organisation=organisation)
    meeting = Meeting.objects.get(series=series, date=D("2026-12-01"))
    api = client_for(personas["hyresradgivare"])
    protected = post_json(api, NOTICES, body(received="2026-11-20", protected=True, serial=821))
    assert protected.status_code == 201, protected.content
    other = post_json(api, NOTICES, body(received="2026-11-20", serial=822))
    assert other.status_code == 201
    protected_number = protected.json()["case"]["number"]
    # The protected household's tenant gets a name of its own, to look for it in the PDFs.
    from cases.models import Person

    Person.objects.filter(household__cases__number=protected_number, role="TENANT").update(name="Test Skyddadsson")
    bosam_services.prepare_agendas(today=D("2026-11-27"), organisation=organisation, render_pdf=False)

    chair = client_for(personas["ordforande"])
    for path in ("agenda.pdf", "minutes.pdf"):
        if path == "minutes.pdf":
            meeting.refresh_from_db()
            bosam_services.meeting_close(meeting=meeting, user=personas["ordforande"])
        response = chair.get(f"/api/v1/meetings/{meeting.pk}/{path}")
        assert response.status_code == 200, path
        text = pdf_text(response.content)
        compact = re.sub(r"[\s\u2010\u00ad-]+", "", text)
        assert protected_number in text, path
        assert "Skyddadsson" not in compact and "skyddad identitet" in text, path
        assert "Testsson" in compact, path  # the other household keeps its designation
        assert "Sockenvägen" not in compact
