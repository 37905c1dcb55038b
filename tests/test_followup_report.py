"""The steering group's period report (issue 13): the page with the previous period beside, the chair's remarks
frozen when presented, the PDF (text checked), and the monthly beat task with its e-mail (run twice)."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.test import Client
from pypdf import PdfReader

from cases import services as case_services
from followup import services, tasks
from followup.models import PeriodReport
from tests.factories import notice_data, register

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


@pytest.fixture
def data(organisation, personas):
    hr = personas["hyresradgivare"]
    case = register(organisation, hr, children=("2018-03-01",), notice=notice_data(received="2026-10-05", served="2026-10-02")).case
    services.deviation_register(organisation=organisation, user=hr, case=case, description="Test Testsson fick brevet sent.",
                                occurred_on=D("2026-10-10"))
    services.deviation_register(organisation=organisation, user=hr, case=case, description="Igen.", occurred_on=D("2026-09-10"))
    services.deviation_register(organisation=organisation, user=hr, case=case, description="Och igen.", occurred_on=D("2026-09-11"))
    case_services.deviation_raise_once(organisation=organisation, kind="BOSAM_ABSENCE", key="x", description="Frånvaro.",
                                       occurred_on=D("2026-10-14"))
    return {"case": case}


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_styrgrupp_prepares_presents_and_downloads_the_report(data, personas):
    client = client_for(personas["styrgrupp"])
    response = client.post("/statistik/rapporter/", {"kind": "MONTH", "day": "2026-10-17"})
    assert response.status_code == 302
    report = PeriodReport.objects.get()
    assert (report.period_start, report.period_end) == (D("2026-10-01"), D("2026-10-31"))
    page = client.get(f"/statistik/rapporter/{report.pk}/")
    content = page.context["c"]
    manual = next(row for row in content["deviations"]["by_kind"] if row["code"] == "MANUAL")
    assert (manual["now"], manual["before"], manual["cases"]) == (1, 2, [data["case"].number])
    assert content["previous"] == {"from": D("2026-09-01"), "to": D("2026-09-30")}
    html = page.content.decode()
    assert "Test Testsson" not in html  # case numbers only, never the description

    assert client.post(f"/statistik/rapporter/{report.pk}/", {"chair_remarks": "Färre avvikelser än i september."}).status_code == 302
    assert client.post(f"/statistik/rapporter/{report.pk}/", {"chair_remarks": "Färre avvikelser än i september.",
                                                              "present": "1"}).status_code == 302
    refused = client.post(f"/statistik/rapporter/{report.pk}/", {"chair_remarks": "Ändrat i efterhand"})
    assert refused.status_code == 400 and "redan föredragen" in refused.content.decode()
    report.refresh_from_db()
    assert report.chair_remarks == "Färre avvikelser än i september." and report.presented_by == personas["styrgrupp"]

    pdf = client.get(f"/statistik/rapporter/{report.pk}/rapport.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Styrgruppens periodrapport 2026-10-01 – 2026-10-31" in text
    assert "Färre avvikelser än i september." in text
    assert data["case"].number in text
    assert "Testsson" not in text and "Sockenvägen" not in text


def test_custom_period_and_bad_input(personas):
    client = client_for(personas["styrgrupp"])
    response = client.post("/statistik/rapporter/", {"kind": "CUSTOM", "date_from": "2026-10-31", "date_to": "2026-10-01"})
    assert response.status_code == 400 and "Slutdatumet ligger före startdatumet" in response.content.decode()
    assert client.post("/statistik/rapporter/", {"kind": "QUARTER"}).status_code == 400
    assert client.post("/statistik/rapporter/", {"kind": "QUARTER", "day": "2026-11-03"}).status_code == 302
    assert PeriodReport.objects.get().period_start == D("2026-10-01") and PeriodReport.objects.get().period_end == D("2026-12-31")


def test_reports_are_the_steering_groups_only(data, personas, make_user, other_organisation):
    report = services.report_prepare(organisation=data["case"].organisation, kind="MONTH", period_start=D("2026-10-01"),
                                     period_end=D("2026-10-31"))
    assert client_for(personas["chef"]).get("/statistik/rapporter/").status_code == 403
    assert client_for(personas["chef"]).get(f"/statistik/rapporter/{report.pk}/").status_code == 404
    outsider = make_user("skarholmen-styr", "styrgrupp", None, org=other_organisation)
    assert client_for(outsider).get(f"/statistik/rapporter/{report.pk}/rapport.pdf").status_code == 404


def test_monthly_task_on_the_first_working_day_only_and_once(celery_worker_inline, organisation, other_organisation, personas, settings,
                                                              django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://avhysning.example.se"
    personas["styrgrupp"].email = "styrgrupp@example.se"
    personas["styrgrupp"].save()
    assert tasks.prepare_monthly_report_task("2026-12-02") == []  # not the first working day
    assert tasks.prepare_monthly_report_task("2026-11-01") == []  # a Sunday; the 2nd is the first working day
    with django_capture_on_commit_callbacks(execute=True):
        first = tasks.prepare_monthly_report_task("2026-12-01")
        second = tasks.prepare_monthly_report_task("2026-12-01")
    assert first == second and len(first) == 2  # one per organisation, the same rows the second time
    report = PeriodReport.objects.get(organisation=organisation)
    assert (report.period_start, report.period_end) == (D("2026-11-01"), D("2026-11-30"))
    assert len(mail.outbox) == 1  # the other organisation has no steering group member with an address
    message = mail.outbox[0]
    assert message.to == ["styrgrupp@example.se"]
    assert f"https://avhysning.example.se/statistik/rapporter/{report.pk}/" in message.body
    assert services.report_notify_members(report_id=report.pk) == 0 and len(mail.outbox) == 1
    assert tasks.prepare_monthly_report_task("2026-11-02") != []
