"""Security hardening (issue 6, "Security"): headers, cookies, passwords, XSS in pages and PDFs,
uploads, IDOR across organisations and CSRF on every form.

Deployment checks (`check --deploy`) and login throttling (django-axes) are in test_foundation.py;
same-organisation access by role is in test_access_matrix.py; the API fuzzing in test_api_fuzz.py.

Exports: the application has no CSV or spreadsheet export (the only "export" is the printable
audit review, an HTML page, which the XSS test covers). `test_no_page_answers_with_a_spreadsheet`
fails as soon as one appears, so that a formula-injection test is written with it.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.urls.exceptions import NoReverseMatch
from pypdf import PdfReader

from bosam import pdf as bosam_pdf
from bosam import services as bosam_services
from bosam.models import Activity, AgendaItem, Meeting, MeetingDocument
from cases import services
from cases.intake.letters import render_letter_pdf
from cases.models import Case, Contact, Deviation, Task, TaskKind, TaskStatus
from followup import services as followup_services
from followup.models import PeriodReport
from organisation.models import ApiScope
from organisation.tokens import api_token_create
from tests.factories import household_data, notice_data, register
from tests.pdfs import pdf_of_size
from tests.test_access_matrix import NOT_WALKED, PERSONAS, Route, all_routes
from tests.test_bosam_scenario import make_series
from tests.test_intake import NEW_URL, form_data

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
D = dt.date.fromisoformat

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
# What must never reach a page unescaped.
RAW_MARKERS = ("<script>alert(1)", "<img src=x onerror")
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
ESCAPED_ATTRIBUTE = "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"


def evil(label: str) -> str:
    """A field's text: a label to find it by, then both payloads."""
    return f"{label} {SCRIPT} {ATTRIBUTE}"


def plain(label: str) -> str:
    return label


def client_for(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


# --- a world built through the real services --------------------------------------------------


@dataclass
class World:
    case: Case  # open, on the meeting's agenda, with a text in every free-text field
    closed: Case  # closed with a note
    person_id: int
    task: Task  # the SEND_LETTER task
    notice_id: int
    meeting: Meeting
    item: AgendaItem
    activity: Activity
    notice_import: object  # an import in PREVIEW (imports.models.NoticeImport)
    deviation: Deviation  # a manual deviation on the case
    report: PeriodReport  # the steering group's report with the chair's remarks
    submission: object = None  # a landlord's notice in the queue (submissions.models.Submission, issue 14 §2)


def build_world(organisation, advisor, chair, text=plain, *, serial=801, close_meeting=False) -> World:
    """Every free-text field that is shown anywhere, filled with `text(label)` through the services."""
    household = household_data(children=("2018-03-01",), serial=serial, surname=text("Efternamn"), street=text("Gatan 1"))
    household.members[1].name = text("Barnnamn")
    household.area, household.city, household.other_residents = text("Området"), text("Staden"), text("Övriga boende")
    notice = notice_data(received="2026-11-20", served="2026-11-19")
    notice.description, notice.kronofogden_reference, notice.agent = text("Beskrivning"), text("KFM-ref"), text("Ombud")
    notice.landlord = services.LandlordData(name=text("Hyresvärden AB"), org_number="556035-8672", reference=text("Värdens ref"),
                                            contact_name=text("Kontaktperson"))
    case = register(organisation, advisor, notice=notice, household=household).case
    notice_obj = case.notices.get()
    notice_obj.attachment.save("scan.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    units = {u.code: u for u in organisation.units.all()}

    services.contact_register(case=case, user=advisor, date=D("2026-11-21"), channel="PHONE", established=False,
                              note=text("Kontaktanteckning"), today=D("2026-11-21"))
    manual = services.task_create(case=case, user=advisor, kind=TaskKind.MANUAL, unit=units["HYRESRADGIVNING"],
                                  due_date=D("2026-12-01"), title=text("Uppgiftens rubrik"))
    services.task_complete(task=manual, user=advisor, note=text("Klarnotering"), today=D("2026-11-22"))
    services.consent_record(case=case, user=advisor, recipient="LANDLORD", given_on=D("2026-11-21"), note=text("Samtyckesnotering"))
    services.consult_tenancy_advisor(case=case, user=advisor, question=text("Samrådsfråga"), today=D("2026-11-22"))
    services.assignment_change(case=case, user=advisor, unit=units["EKONOMISKT_BISTAND"], role="ASSIGNED",
                               reason=text("Tilldelningsskäl"))

    series = make_series(organisation, place=text("Sal"))
    bosam_services.plan_meetings(today=D("2026-11-16"), organisation=organisation)
    meeting = Meeting.objects.get(series=series, date=D("2026-12-01"))
    item = bosam_services.agenda_item_add(meeting=meeting, user=chair, case=case, section="AT_RISK", reason=text("Skäl för punkten"))
    bosam_services.item_note_save(item=item, user=chair, note=text("Diskussionsanteckning"))
    activity = bosam_services.activity_create(item=item, user=chair, what=text("Aktivitetstext"), unit=units["EKONOMISKT_BISTAND"],
                                              due_date=D("2026-12-15"))
    bosam_services.attendance_record(meeting=meeting, user=chair,
                                     rows=[(d, True, text("Representant")) for d in series.departments.all()])

    closed = register(organisation, advisor, serial=serial + 1, surname=text("Avslutad"), street=text("Vägen 2"),
                      notice=notice_data(received="2026-11-20", served="2026-11-19")).case
    services.case_close(case=closed, user=advisor, outcome="OTHER", note=text("Avslutsnotering"))
    if close_meeting:
        bosam_services.meeting_close(meeting=meeting, user=chair)
    deviation = followup_services.deviation_register(organisation=organisation, user=advisor, case=case,
                                                     description=text("Avvikelsebeskrivning"), occurred_on=D("2026-11-22"))
    report = followup_services.report_prepare(organisation=organisation, kind="MONTH", period_start=D("2026-11-01"),
                                              period_end=D("2026-11-30"))
    followup_services.report_remarks_save(report=report, user=advisor, remarks=text("Ordförandens kommentar"))
    meeting.refresh_from_db()
    case.refresh_from_db()
    # An imported list whose row carries free text where the import pages show it (reference, errors).
    from imports import services as import_services
    from tests.import_files import changed, csv_bytes, good_row

    row = changed(good_row(serial, today=D("2026-11-20")), Referens=text("Importreferens"), Postnummer=text("Postnr"))
    notice_import = import_services.import_create(
        organisation=organisation, user=advisor, upload=SimpleUploadedFile("lista.csv", csv_bytes([row]), content_type="text/csv"))
    # A landlord's notice waiting in the queue "Inkomna underrättelser", its free text shown there.
    from submissions import services as submission_services
    from tests.submission_fixtures import landlord_account, submission_body

    landlord_user = landlord_account(organisation, f"hyresvard{serial}", "AB Familjebostäder", "556035-8672")
    submission = submission_services.submission_receive(
        user=landlord_user, channel="PORTAL", body=submission_body(serial=serial + 50, description=text("Hyresvärdens beskrivning")))
    return World(
        submission=submission,
        case=case, closed=closed, person_id=case.household.members.order_by("id").first().pk,
        task=case.tasks.get(kind=TaskKind.SEND_LETTER), notice_id=notice_obj.pk, meeting=meeting, item=item, activity=activity,
        notice_import=notice_import,
        deviation=deviation, report=report,
    )


# --- walking the URLconf ----------------------------------------------------------------------


def is_bosam(route: Route) -> bool:
    return route.name.startswith(("bosam:", "bosam-api"))


def kwargs_for(route: Route, world: World) -> dict | None:
    """The route's kwargs pointing at the world's objects; None for routes outside cases and BOSAM."""
    if route.name.startswith("admin:"):
        return None
    values = {
        "person_pk": world.person_id, "task_pk": world.task.pk, "notice_pk": world.notice_id,
        "item_pk": world.item.pk, "direction": "up", "fmt": "csv",
        # Who works what (issue 12, issue 15 §3): an assignment of the case, a person of its organisation.
        "assignment_pk": world.case.assignments.filter(ended_at__isnull=True).order_by("pk").values_list("pk", flat=True).first(),
        "user_pk": world.case.notices.order_by("pk").values_list("registered_by_id", flat=True).first(),
    }
    kwargs = {}
    for name in route.params:
        if name == "pk":
            kwargs[name] = pk_for(route, world)
        elif name in values:
            kwargs[name] = values[name]
        else:
            raise AssertionError(f"{route.name}: unknown path parameter {name!r}; teach kwargs_for")
    return kwargs


def pk_for(route: Route, world: World) -> int:
    """The pk of the world's object the route points at."""
    if is_bosam(route):
        return world.meeting.pk
    if route.name.startswith("api-task"):
        return world.task.pk
    if route.name.startswith(("cases:", "api-case")):
        return world.case.pk
    if route.name.startswith(("imports:", "api-import")):
        return world.notice_import.pk
    if route.name in ("followup:detail", "api-deviation-handle"):
        return world.deviation.pk
    if route.name in ("followup:report", "followup:report_pdf"):
        return world.report.pk
    if route.name.startswith(("submissions:", "api-submission")):
        return world.submission.pk
    raise AssertionError(f"{route.name}: this test does not know what its pk points at; teach kwargs_for")


def url_of(route: Route, world: World) -> str | None:
    kwargs = kwargs_for(route, world)
    if kwargs is None:
        return None
    try:
        return reverse(route.name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def object_routes() -> list[Route]:
    """Every URL whose path names an object (an int parameter)."""
    routes = []
    for route in all_routes():
        if route.name.startswith("admin:") or not route.params:
            continue
        if set(route.params) - {"direction", "fmt"}:
            routes.append(route)
    return routes


# --- headers, cookies, passwords --------------------------------------------------------------


def script_src(policy: str) -> str:
    directives = dict([*part.strip().split(" ", 1), ""][:2] for part in policy.split(";") if part.strip())
    return directives.get("script-src", directives.get("default-src", ""))


# A <script> without src is inline code, unless it is data (json_script).
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
POST_FORM = re.compile(r"<form\b[^>]*method=[\"']?post[^>]*>(.*?)</form>", re.IGNORECASE | re.DOTALL)


def page_problems(response, where: str) -> list[str]:
    """What an HTML page lacks: a strict script-src, framing denied twice over, no inline code, CSRF in POST forms."""
    problems = []
    html = response.content.decode()
    policy = response.get("Content-Security-Policy", "")
    if "'self'" not in script_src(policy) or "unsafe-inline" in script_src(policy) or "unsafe-eval" in script_src(policy):
        problems.append(f"{where}: script-src is {script_src(policy)!r}")
    if "frame-ancestors 'none'" not in policy:
        problems.append(f"{where}: no frame-ancestors 'none' in {policy!r}")
    if response.get("X-Frame-Options") != "DENY":
        problems.append(f"{where}: X-Frame-Options {response.get('X-Frame-Options')!r}")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append(f"{where}: no X-Content-Type-Options: nosniff")
    if INLINE_SCRIPT.search(html):
        problems.append(f"{where}: inline <script>: {INLINE_SCRIPT.search(html).group(0)}")
    if EVENT_HANDLER.search(html):
        problems.append(f"{where}: inline event handler: {EVENT_HANDLER.search(html).group(0)[:120]}")
    problems += [f"{where}: a POST form without a CSRF token" for form in POST_FORM.findall(html) if "csrfmiddlewaretoken" not in form]
    return problems


@pytest.fixture
def world(organisation, personas):
    return build_world(organisation, personas["hyresradgivare"], personas["ordforande"])


@pytest.mark.slow  # crawls every URL
def test_every_html_page_has_csp_without_inline_scripts_and_refuses_framing(world, personas):
    """Every page a hyresrådgivare, a chef, the BOSAM chair and the system administrator (the admin's pages
    without path parameters) can open: a CSP whose script-src has no 'unsafe-inline', framing denied twice
    over, no inline script or event handler, a CSRF token in every POST form."""
    problems, pages = [], set()
    for persona in ("hyresradgivare", "chef", "ordforande", "admin"):
        client = client_for(personas[persona])
        for route in all_routes():
            if route.name in NOT_WALKED or (route.name.startswith("admin:") and route.params):
                continue
            url = url_of(route, world) if route.params else reverse(route.name)
            if url is None:
                continue
            response = client.get(url)
            if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
                continue
            pages.add(route.name)
            problems += page_problems(response, f"{persona} {route.name} {url}")
    assert not problems, "\n".join(problems)
    # The walk reached the pages that matter (so it can fail).
    assert {"cases:my_cases", "cases:overview", "cases:detail", "cases:decision", "cases:audit_review",
            "bosam:meeting_list", "bosam:meeting_detail", "bosam:item_detail", "admin:index"} <= pages, sorted(pages)


def test_login_page_refuses_framing_too(client):
    response = client.get(reverse("login"))
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 20 + "-production-like-secret-key-" + "y" * 20,
    "ALLOWED_HOSTS": "avhysning.example.se",
}
SECURITY_SETTINGS = (
    "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SECURE_SSL_REDIRECT",
    "SECURE_CONTENT_TYPE_NOSNIFF", "X_FRAME_OPTIONS", "SESSION_EXPIRE_AT_BROWSER_CLOSE", "DEBUG",
)


@pytest.fixture(scope="module")
def production_settings() -> dict:
    """The security settings as a production process sees them (DEBUG=false), read in a subprocess."""
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT")}
    code = ("import django, json; django.setup(); from django.conf import settings; "
            f"print(json.dumps({{name: getattr(settings, name) for name in {SECURITY_SETTINGS!r}}}))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**env, **PRODUCTION_ENV,
                            "DJANGO_SETTINGS_MODULE": "avhysning.settings"}, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_settings_are_hardened(production_settings):
    s = production_settings
    assert s["DEBUG"] is False
    assert s["SESSION_COOKIE_SECURE"] and s["CSRF_COOKIE_SECURE"]
    assert s["SESSION_COOKIE_HTTPONLY"] and s["CSRF_COOKIE_HTTPONLY"]
    assert s["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict") and s["CSRF_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert s["SECURE_HSTS_SECONDS"] >= 31536000 and s["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert s["SECURE_SSL_REDIRECT"] and s["SECURE_CONTENT_TYPE_NOSNIFF"]
    assert s["X_FRAME_OPTIONS"] == "DENY"


def test_production_login_sets_secure_httponly_samesite_cookies_and_hsts(client, personas, settings, production_settings):
    """A real login over HTTPS under the production values: every cookie it sets is Secure, HttpOnly and SameSite,
    and the answer carries HSTS."""
    for name, value in production_settings.items():
        if name != "DEBUG":
            setattr(settings, name, value)
    response = client.get(reverse("login"))  # plain http: sent to https
    assert response.status_code == 301 and response["Location"].startswith("https://")
    client.get(reverse("login"), secure=True)  # the CSRF cookie
    response = client.post(reverse("login"), {"username": "hyresradgivare", "password": "test-password-123"}, secure=True)
    assert response.status_code == 302, "the login failed"
    cookies = response.cookies
    assert "sessionid" in cookies and "csrftoken" in cookies  # the CSRF token is rotated at login
    for morsel in cookies.values():
        assert morsel["secure"], f"{morsel.key} is not Secure"
        assert morsel["httponly"], f"{morsel.key} is not HttpOnly"
        assert morsel["samesite"] in ("Lax", "Strict"), f"{morsel.key} has SameSite {morsel['samesite']!r}"
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_weak_passwords_are_rejected_and_a_passphrase_is_accepted(personas):
    user = personas["hyresradgivare"]
    for weak in ("kort1", "password1234", "123456789012345", "hyresradgivare1"):
        with pytest.raises(ValidationError):
            validate_password(weak, user)
    validate_password("fyra-ord-som-ingen-gissar", user)


# --- XSS in every free-text field -------------------------------------------------------------


@pytest.fixture
def evil_world(organisation, personas):
    return build_world(organisation, personas["hyresradgivare"], personas["ordforande"], evil)


def assert_escaped(html: str, where: str, *labels: str) -> None:
    for marker in RAW_MARKERS:
        assert marker not in html, f"{where}: unescaped {marker!r} near …{html[max(0, html.find(marker) - 200):html.find(marker) + 80]}…"
    for label in labels:
        assert f"{label} {ESCAPED_SCRIPT} {ESCAPED_ATTRIBUTE}" in html, f"{where}: {label!r} is not shown escaped"


def test_free_text_is_escaped_on_every_page(evil_world, personas):
    w = evil_world
    advisor, chair, chef = (client_for(personas[p]) for p in ("hyresradgivare", "ordforande", "chef"))
    pages = {
        "case page": (advisor, reverse("cases:detail", args=[w.case.pk]), (
            "Efternamn", "Gatan 1", "Barnnamn", "Området", "Staden", "Övriga boende", "KFM-ref", "Hyresvärden AB", "Värdens ref",
            "Kontaktperson", "Kontaktanteckning", "Uppgiftens rubrik", "Klarnotering", "Samtyckesnotering", "Samrådsfråga",
            "Tilldelningsskäl", "Aktivitetstext")),
        "closed case page": (advisor, reverse("cases:detail", args=[w.closed.pk]), ("Avslutad", "Vägen 2", "Avslutsnotering")),
        "decision page": (advisor, reverse("cases:decision", args=[w.case.pk]), ("Hyresvärden AB", "Uppgiftens rubrik", "Samrådsfråga")),
        "my cases": (advisor, reverse("cases:my_cases"), ("Området",)),
        "overview": (advisor, reverse("cases:overview"), ("Området",)),
        # The search is posted (issue 12 item 2); the page it redirects to shows the text again, escaped.
        "overview, searched": (advisor, advisor.post(reverse("cases:overview"), {"q": SCRIPT})["Location"], ()),
        "meeting page": (chair, reverse("bosam:meeting_detail", args=[w.meeting.pk]), ("Området", "Sal", "Representant")),
        "agenda item": (chair, reverse("bosam:item_detail", args=[w.meeting.pk, w.item.pk]), (
            "Området", "Diskussionsanteckning", "Aktivitetstext")),
        "meeting list": (chair, reverse("bosam:meeting_list"), ("Sal",)),
        # The audit log's free text (reasons) is not shown there; still nothing may come through unescaped.
        "import preview": (advisor, reverse("imports:detail", args=[w.notice_import.pk]), ("Importreferens",)),
        "import list": (advisor, reverse("imports:start"), ()),
        "audit review": (chef, reverse("cases:audit_review"), ()),
        "audit review, printed": (chef, reverse("cases:audit_review_print"), ()),
        "deviations register": (chef, reverse("followup:register"), ()),
        "deviation page": (chef, reverse("followup:detail", args=[w.deviation.pk]), ("Avvikelsebeskrivning",)),
        "period report": (client_for(personas["styrgrupp"]), reverse("followup:report", args=[w.report.pk]), ()),
    }
    for where, (client, url, labels) in pages.items():
        response = client.get(url)
        assert response.status_code == 200, f"{where} {url}: {response.status_code}"
        assert_escaped(response.content.decode(), where, *labels)


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    # No script in a document that leaves the application (an /OpenAction or /AA would need one).
    assert b"/JavaScript" not in data and not re.search(rb"/JS\s*[(<\[]", data), "the PDF carries JavaScript"
    reader = PdfReader(io.BytesIO(data))
    # Narrow table cells are hyphenated by WeasyPrint ("Områ‐det"): drop the hyphens it adds, and all whitespace.  # noqa: RUF003 (U+2010 is the hyphen WeasyPrint prints)
    return re.sub(r"[\s\u2010\u00ad]+", "", "".join(page.extract_text() for page in reader.pages))


def assert_literal(text: str, where: str, *labels: str) -> None:
    compact = re.sub(r"\s+", "", SCRIPT) + re.sub(r"\s+", "", ATTRIBUTE)
    for label in labels:
        assert re.sub(r"\s+", "", label) + compact in text, f"{where}: {label!r} is not printed literally"


def test_letter_pdf_prints_the_text_literally(evil_world, personas):
    w = evil_world
    data = render_letter_pdf(w.task, personas["hyresradgivare"], today=D("2026-11-21"))
    assert_literal(pdf_text(data), "letter", "Efternamn", "Gatan 1", "Staden", "Hyresvärden AB")
    # And through its URL, as a download that a browser will not render inline as HTML.
    response = client_for(personas["hyresradgivare"]).get(reverse("cases:letter_pdf", args=[w.task.pk]))
    assert response["Content-Type"] == "application/pdf" and response["Content-Disposition"].startswith("attachment")


def test_agenda_and_minutes_pdfs_print_the_text_literally(organisation, personas):
    w = build_world(organisation, personas["hyresradgivare"], personas["ordforande"], evil)
    agenda = pdf_text(bosam_pdf.document_pdf(w.meeting, MeetingDocument.Kind.AGENDA))
    assert_literal(agenda, "agenda", "Området", "Skäl för punkten", "Sal", "Representant")
    bosam_services.meeting_close(meeting=w.meeting, user=personas["ordforande"])
    w.meeting.refresh_from_db()
    minutes = pdf_text(bosam_pdf.document_pdf(w.meeting, MeetingDocument.Kind.MINUTES))
    assert_literal(minutes, "minutes", "Området", "Skäl för punkten", "Diskussionsanteckning", "Aktivitetstext", "Representant")


@pytest.mark.slow  # crawls every URL
def test_no_page_answers_with_a_spreadsheet(world, personas):
    """No CSV/spreadsheet export exists. When one is added this fails: add a formula-injection test
    (cells starting with = + - @ tab or CR must be neutralised) next to it, then list it here."""
    # The import's row report and template: formula injection is tested in tests/test_imports.py.
    known_exports: set[str] = {"imports:report", "imports:template"}
    # Statistics CSV/XLSX: tests/test_followup_statistics.py::test_every_cell_is_neutralised_against_formula_injection.
    known_exports |= {"followup:statistics_xlsx", "followup:statistics_csv"}
    spreadsheet = ("text/csv", "application/vnd.ms-excel", "application/vnd.openxmlformats", "application/vnd.oasis.opendocument")
    for persona in PERSONAS:
        client = client_for(personas[persona])
        for route in all_routes():
            if route.name in NOT_WALKED or route.name.startswith("admin:") or route.name in known_exports:
                continue
            url = url_of(route, world) if route.params else reverse(route.name)
            if url is None:
                continue
            content_type = client.get(url).get("Content-Type", "")
            assert not content_type.startswith(spreadsheet), f"{route.name} exports {content_type}: test it for formula injection"


# --- uploads ----------------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
TEN_MB = 10 * 1024 * 1024


@pytest.fixture
def advisor_client(personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return client_for(personas["hyresradgivare"])


@pytest.mark.parametrize(
    ("name", "content", "content_type", "message"),
    [
        ("bild.pdf", PNG, "image/png", "Handlingen måste vara en PDF-fil."),  # a PNG renamed .pdf
        ("bild.pdf", PNG, "application/pdf", "Filen är inte en giltig PDF."),  # … that also lies about its type
        ("tom.pdf", b"", "application/pdf", None),  # empty: Django's own message
        ("stor.pdf", b"%PDF-" + b"0" * (TEN_MB + 1 - 5), "application/pdf", "Filen är för stor: högst 10 MB."),  # 10 MB + 1 byte
        ("sida.html", b"<html><script>alert(1)</script></html>", "text/html", "Handlingen måste vara en PDF-fil."),
    ],
)
def test_wrong_type_empty_and_oversize_uploads_are_refused(advisor_client, name, content, content_type, message):
    response = advisor_client.post(NEW_URL, {**form_data(), "attachment": SimpleUploadedFile(name, content, content_type=content_type)})
    assert response.status_code == 400
    errors = response.context["form"].errors["attachment"]
    assert errors and (message is None or message in errors), errors
    assert Case.objects.count() == 0
    html = response.content.decode()
    assert "Sockenvägen 290" in html  # the user's data is kept


def test_exactly_ten_megabytes_is_accepted_and_the_file_name_cannot_escape_the_folder(advisor_client, tmp_path):
    # A real PDF of exactly 10 MB: since issue 10 (defect 16) a header alone no longer passes.
    scan = SimpleUploadedFile("../../../etc/passwd.pdf", pdf_of_size(TEN_MB), content_type="application/pdf")
    response = advisor_client.post(NEW_URL, {**form_data(), "attachment": scan})
    assert response.status_code == 302, response.context["form"].errors if response.context else response.status_code
    notice = Case.objects.get().notices.get()
    stored = Path(notice.attachment.path).resolve()
    assert stored.is_relative_to(tmp_path.resolve()) and stored.stat().st_size == TEN_MB
    download = advisor_client.get(reverse("cases:attachment", args=[notice.pk]))
    assert download["Content-Type"] == "application/pdf" and download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"


# --- IDOR across organisations ----------------------------------------------------------------


@pytest.fixture
def two_worlds(organisation, personas, make_user, other_organisation):
    ours = build_world(organisation, personas["hyresradgivare"], personas["ordforande"])
    their_advisor = make_user("skh-hr", "hyresradgivare", "HYRESRADGIVNING", org=other_organisation)
    their_chair = make_user("skh-ordf", "bosam_ordforande", "HYRESRADGIVNING", org=other_organisation)
    theirs = build_world(other_organisation, their_advisor, their_chair, serial=901)
    return ours, theirs, their_advisor


@pytest.mark.slow  # crawls every URL
def test_objects_of_another_organisation_answer_404_on_every_object_url(two_worlds, personas):
    _ours, theirs, their_advisor = two_worlds
    routes = object_routes()
    assert {"cases:detail", "cases:task_complete", "cases:reveal_pin", "cases:attachment", "cases:decision", "cases:letter_pdf",
            "bosam:meeting_detail", "bosam:item_detail", "bosam:activity_add", "api-case-detail", "api-task-complete",
            "bosam-api-meeting", "imports:detail", "imports:report", "imports:file", "api-import-detail",
            "api-import-commit"} <= {r.name for r in routes}
    # The other organisation's own advisor reaches its case: the URLs are right, so a 404 below means refused.
    assert client_for(their_advisor).get(reverse("cases:detail", args=[theirs.case.pk])).status_code == 200
    failures = []
    for persona in PERSONAS:
        client = client_for(personas[persona])
        for route in routes:
            url = url_of(route, theirs)
            assert url is not None, route.name
            statuses = {"GET": client.get(url).status_code, "POST": client.post(url, {}).status_code}
            # 405 (the wrong method, answered before any lookup and the same for every id) tells nothing;
            # the method the URL serves must answer 404.
            if set(statuses.values()) != {404} and sorted(statuses.values()) != [404, 405]:
                failures.append(f"{persona:15} {route.name:28} {url}: {statuses}")
    assert not failures, "\n".join(failures)
    theirs.task.refresh_from_db()
    assert theirs.task.status == TaskStatus.OPEN and not Contact.objects.filter(case=theirs.case, created_by__organisation=personas[
        "hyresradgivare"].organisation).exists()


def test_own_parent_with_a_foreign_child_id_answers_404(two_worlds, personas):
    """An object URL whose first id is ours and second id theirs (a task, person or item of another organisation),
    with a valid body, must not reach the foreign object."""
    ours, theirs, _ = two_worlds
    advisor, chair = client_for(personas["hyresradgivare"]), client_for(personas["ordforande"])
    version = Case.objects.get(pk=ours.case.pk).version
    foreign_task = theirs.case.tasks.filter(status=TaskStatus.OPEN).first()
    checks = [
        (advisor, reverse("cases:task_complete", args=[ours.case.pk, foreign_task.pk]),
         {f"complete-{foreign_task.pk}-version": version, f"complete-{foreign_task.pk}-note": "klar"}),
        (advisor, reverse("cases:reveal_pin", args=[ours.case.pk, theirs.person_id]), {}),
        (chair, reverse("bosam:item_note", args=[ours.meeting.pk, theirs.item.pk]), {"note": "x"}),
        (chair, reverse("bosam:item_remove", args=[ours.meeting.pk, theirs.item.pk]), {"remove-reason": "x"}),
        (chair, reverse("bosam:activity_add", args=[ours.meeting.pk, theirs.item.pk]),
         {"what": "x", "unit": ours.activity.task.unit_id, "due_date": "2026-12-20"}),
        (chair, reverse("bosam:item_move", args=[ours.meeting.pk, theirs.item.pk, "up"]), {}),
    ]
    for client, url, data in checks:
        assert client.post(url, data).status_code == 404, url
    assert chair.get(reverse("bosam:item_detail", args=[ours.meeting.pk, theirs.item.pk])).status_code == 404
    foreign_task.refresh_from_db()
    theirs.item.refresh_from_db()
    assert foreign_task.status == TaskStatus.OPEN and theirs.item.note == "Diskussionsanteckning" and theirs.item.removed_at is None


def test_forms_refuse_ids_of_another_organisation_in_the_body(two_worlds, personas, other_organisation):
    ours, theirs, _ = two_worlds
    chair, advisor = client_for(personas["ordforande"]), client_for(personas["hyresradgivare"])
    foreign_unit = other_organisation.units.get(code="EKONOMISKT_BISTAND")
    chair.post(reverse("bosam:item_add", args=[ours.meeting.pk]),
                          {"add-number": theirs.case.number, "add-section": "AT_RISK", "add-reason": "x"})
    # Case numbers run per organisation: the same number names our own case, never theirs.
    assert not AgendaItem.objects.filter(meeting=ours.meeting, case__organisation=other_organisation).exists()
    response = chair.post(reverse("bosam:activity_add", args=[ours.meeting.pk, ours.item.pk]),
                          {"what": "x", "unit": foreign_unit.pk, "due_date": "2026-12-20"})
    assert response.status_code == 400
    version = Case.objects.get(pk=ours.case.pk).version
    response = advisor.post(reverse("cases:task_create", args=[ours.case.pk]),
                            {"task-version": version, "task-kind": "MANUAL", "task-unit": foreign_unit.pk, "task-due_date": "2026-12-20",
                             "task-title": "x"})
    assert response.status_code == 400 and not Task.objects.filter(unit=foreign_unit, case=ours.case).exists()


# --- CSRF -------------------------------------------------------------------------------------


def _post_without_token(client, url: str, *, api: bool):
    """An API endpoint is posted the body it parses (JSON, or a form for the upload endpoints), so that the CSRF check
    itself answers: once an HTML page (our own error pages carry the language form) has set the CSRF cookie, DRF
    parses the body to look for the token, and a body of a type the view does not parse is refused with 415 first."""
    if api:
        response = client.post(url, "{}", content_type="application/json")
        if response.status_code != 415:
            return response
    return client.post(url, {})


@pytest.mark.slow  # crawls every URL
def test_every_post_endpoint_refuses_a_request_without_csrf_token(world, personas):
    """Every URL in the URLconf (the API with session login included), POSTed with an empty body and no token."""
    failures, checked = [], 0
    for persona in ("hyresradgivare", "ordforande", "admin"):
        client = client_for(personas[persona], enforce_csrf_checks=True)
        for route in all_routes():
            if route.name.startswith("admin:") and persona != "admin":
                continue
            kwargs = kwargs_for(route, world) if not route.name.startswith("admin:") else None
            try:
                if route.name.startswith("admin:"):
                    url = reverse(route.name, kwargs={p: {"app_label": "cases", "model_name": "case"}.get(p, "1") for p in route.params})
                else:
                    url = reverse(route.name, kwargs=kwargs)
            except NoReverseMatch:
                continue
            response = _post_without_token(client, url, api=route.name.startswith(("api-", "bosam-api")))
            checked += 1
            if response.status_code != 403:
                failures.append(f"{persona} POST {route.name} {url}: {response.status_code}")
            elif route.name.startswith(("api-", "bosam-api")):
                assert b"CSRF" in response.content, route.name
    assert checked > 40
    assert not failures, "\n".join(failures)
    # Nothing was logged out or changed on the way.
    assert Case.objects.get(pk=world.case.pk).contacts.count() == 1


def test_api_needs_csrf_with_a_session_but_not_with_a_token(world, personas):
    url = reverse("api-case-contact-create", args=[world.case.pk])
    body = json.dumps({"date": "2026-11-23", "channel": "PHONE", "established": True, "note": "Ringde"})
    session = client_for(personas["hyresradgivare"], enforce_csrf_checks=True)
    assert session.post(url, body, content_type="application/json").status_code == 403
    session.get(reverse("cases:detail", args=[world.case.pk]))
    token = session.cookies["csrftoken"].value
    response = session.post(url, body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201, response.content
    api = Client(enforce_csrf_checks=True)
    key = api_token_create(user=personas["hyresradgivare"], name="Integration", scopes=[ApiScope.STAFF])[1]
    response = api.post(url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 201, response.content
    assert world.case.contacts.count() == 3
