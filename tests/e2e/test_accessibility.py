"""WCAG 2.1 AA in a real browser: axe-core (vendored from npm in static/vendor/axe-core/) runs on every main page,
in Swedish and in English, and no violation of impact "serious" or "critical" is allowed.

axe is loaded from the live server's own /static/ so that it passes the Content-Security-Policy (script-src 'self')
exactly like the application's scripts; nothing is fetched from a CDN and CSP is not bypassed.

A second test walks the intake with the keyboard only."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from bosam.demo import seed_demo_meetings
from bosam.models import AgendaItem, Meeting
from tests.factories import notice_data, pin_for, register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "test-password-123"
AXE_URL = "/static/vendor/axe-core/axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
LANGUAGES = ["sv", "en"]


def axe_violations(page) -> list[dict]:
    """Run axe on the page as it is now; return the serious and critical violations."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_URL)
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", AXE_TAGS)
    return [v for v in result["violations"] if v["impact"] in BLOCKING]


def describe(found: dict[str, list[dict]]) -> str:
    """A readable report: page, rule, impact, help, and each failing node with axe's own explanation."""
    lines = []
    for where, violations in found.items():
        for v in violations:
            lines.append(f"\n[{where}] {v['id']} ({v['impact']}): {v['help']}\n  {v['helpUrl']}")
            for node in v["nodes"][:8]:
                lines.append(f"  - {json.dumps(node['target'], ensure_ascii=False)}\n    {node['html'][:200]}")
                summary = (node.get("failureSummary") or "").replace("\n", "\n      ")
                lines.append(f"      {summary}")
            if len(v["nodes"]) > 8:
                lines.append(f"  … and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


class Auditor:
    """Visits pages in one browser context and collects serious/critical violations per page."""

    def __init__(self, page, live_server, language):
        self.page, self.base, self.language = page, live_server.url, language
        self.found: dict[str, list[dict]] = {}
        self.visited: list[str] = []
        page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])

    def check(self, label: str) -> None:
        # The page must really be in the language under test (LocaleMiddleware + the cookie).
        assert self.page.locator("html").get_attribute("lang") == self.language, label
        self.visited.append(label)
        violations = axe_violations(self.page)
        if violations:
            self.found[f"{self.language} {label} {self.page.url.removeprefix(self.base)}"] = violations

    def visit(self, label: str, path: str) -> None:
        response = self.page.goto(self.base + path)
        assert response is not None and response.status == 200, f"{label}: {path} → {response and response.status}"
        self.check(label)

    def login(self, username: str) -> None:
        self.page.goto(self.base + "/konto/logga-in/")
        # By id: the visible labels depend on the language under test.
        self.page.locator("#id_username").fill(username)
        self.page.locator("#id_password").fill(PASSWORD)
        self.page.locator("main form button[type=submit]").click()
        self.page.wait_for_load_state()
        assert "/konto/logga-in/" not in self.page.url, f"login as {username} failed"

    def assert_clean(self) -> None:
        assert not self.found, f"axe found serious/critical WCAG 2.1 AA violations on {len(self.found)} page(s):" + describe(self.found)


@pytest.fixture
def data(organisation, personas):
    """Cases in several shapes (a family, a single adult, protected identity) and BOSAM meetings with agendas."""
    today = timezone.localdate()
    received, served = str(today - dt.timedelta(days=3)), str(today - dt.timedelta(days=4))
    advisor = personas["hyresradgivare"]
    family = register(organisation, advisor, notice=notice_data(received=received, served=served),
                      children=("2015-09-16", "2019-02-01"), serial=861, surname="Barnfamilj").case
    register(organisation, advisor, notice=notice_data(received=received, served=served), serial=862, surname="Ensam")
    register(organisation, advisor, notice=notice_data(received=received, served=served), serial=863, surname="Skyddad", protected=True)
    seed_demo_meetings(organisation, today)
    meeting = Meeting.objects.filter(organisation=organisation, items__isnull=False).order_by("-date").first()
    assert meeting is not None, "the demo meetings have no agenda"
    item = AgendaItem.objects.filter(meeting=meeting).order_by("pk").first()
    return {"case": family, "meeting": meeting, "item": item}


@pytest.mark.parametrize("language", LANGUAGES)
def test_advisor_pages_have_no_serious_violations(data, live_server, page, language):
    audit = Auditor(page, live_server, language)
    audit.visit("login", "/konto/logga-in/")
    # The login form with an error message.
    page.locator("#id_username").fill("hyresradgivare")
    page.locator("#id_password").fill("wrong-password")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    audit.check("login with error")

    audit.login("hyresradgivare")
    case = data["case"]
    audit.visit("Mina ärenden", "/arenden/")
    audit.visit("Alla öppna ärenden", "/arenden/alla/")
    audit.visit("ärendesidan", f"/arenden/{case.pk}/")
    audit.visit("registrera: sök", "/arenden/registrera/")
    audit.visit("registrera: sökresultat", "/arenden/registrera/?q=Sockenv%C3%A4gen")
    audit.visit("registrera: formulär", "/arenden/registrera/ny/")
    # The form sent empty: the error summary and the invalid fields.
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert page.locator("#error-summary").is_visible()
    audit.check("registrera: formulär med fel")
    # A wrong personnummer: a field-level error inside the member formset.
    page.locator("#id_members-0-personal_identity_number").fill(pin_for("19860314", 864)[:-1] + "0")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    audit.check("registrera: personnummer fel")
    audit.visit("beslutssidan", f"/arenden/{case.pk}/beslut/")
    audit.assert_clean()


@pytest.mark.parametrize("language", LANGUAGES)
def test_chef_pages_have_no_serious_violations(data, live_server, page, language):
    audit = Auditor(page, live_server, language)
    audit.login("chef")
    audit.visit("Mina ärenden (chef)", "/arenden/")
    audit.visit("Alla öppna ärenden (chef)", "/arenden/alla/")
    audit.visit("logguppföljning", "/arenden/logguppfoljning/")
    audit.assert_clean()


@pytest.mark.parametrize("language", LANGUAGES)
def test_bosam_pages_have_no_serious_violations(data, live_server, page, language):
    audit = Auditor(page, live_server, language)
    audit.login("ordforande")
    meeting, item = data["meeting"], data["item"]
    audit.visit("BOSAM möten", "/bosam/")
    audit.visit("BOSAM möte", f"/bosam/moten/{meeting.pk}/")
    audit.visit("BOSAM punkt", f"/bosam/moten/{meeting.pk}/punkter/{item.pk}/")
    audit.assert_clean()
