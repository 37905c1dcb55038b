"""WCAG 2.1 AA in a real browser: axe-core (vendored from npm in static/vendor/axe-core/) runs on every main page,
in Swedish and in English, and no violation of impact "serious" or "critical" is allowed.

axe is loaded from the live server's own /static/ so that it passes the Content-Security-Policy (script-src 'self')
exactly like the application's scripts; nothing is fetched from a CDN and CSP is not bypassed.

A second test walks the intake with the keyboard only."""

import datetime as dt
import json
import re
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from bosam.models import AgendaItem, Meeting, MeetingStatus
from cases import services as case_services
from cases.models import Person
from cases.services import caseload
from devdata.bosam_demo import seed_demo_meetings
from organisation.models import User
from tests.e2e.helpers import sign_out
from tests.factories import notice_data, pin_for, register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "test-password-123"
AXE_URL = "/static/vendor/axe-core/axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
# Both languages at desktop width, and Swedish at 320 CSS px (WCAG 1.4.10 reflow: the collapsed menu, scroll boxes
# around wide tables, which must then be reachable by keyboard).
VIEWS = {"sv": ("sv", None), "en": ("en", None), "sv-320px": ("sv", {"width": 320, "height": 640})}


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

    def __init__(self, page, live_server, view):
        language, viewport = VIEWS[view]
        self.page, self.base, self.language, self.view = page, live_server.url, language, view
        if viewport:
            page.set_viewport_size(viewport)
        self.found: dict[str, list[dict]] = {}
        self.visited: list[str] = []
        page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])

    def check(self, label: str) -> None:
        # The page must really be in the language under test (LocaleMiddleware + the cookie).
        assert self.page.locator("html").get_attribute("lang") == self.language, label
        self.visited.append(label)
        violations = axe_violations(self.page)
        if violations:
            self.found[f"{self.view} {label} {self.page.url.removeprefix(self.base)}"] = violations

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
    # An open BOSAM request: the case page shows it with its withdraw confirmation, the agenda its label.
    case_services.bosam_request(case=family, user=advisor, reason="CHILDREN_WITHOUT_CONTACT", details="Ingen svarar.")
    register(organisation, advisor, notice=notice_data(received=received, served=served), serial=862, surname="Ensam")
    register(organisation, advisor, notice=notice_data(received=received, served=served), serial=863, surname="Skyddad", protected=True)
    seed_demo_meetings(organisation, today)
    meeting = Meeting.objects.filter(organisation=organisation, items__isnull=False).order_by("-date").first()
    assert meeting is not None, "the demo meetings have no agenda"
    item = AgendaItem.objects.filter(meeting=meeting).order_by("pk").first()
    closed = Meeting.objects.get(organisation=organisation, status=MeetingStatus.CLOSED)
    return {"case": family, "meeting": meeting, "item": item, "closed": closed}


@pytest.mark.parametrize("view", VIEWS)
def test_advisor_pages_have_no_serious_violations(data, live_server, page, view):
    audit = Auditor(page, live_server, view)
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
    # The action forms sit in closed <details>, which axe skips: open them all and check again.
    page.evaluate("() => document.querySelectorAll('main details').forEach(d => d.open = true)")
    audit.check("ärendesidan, alla åtgärder öppna")
    # An action sent empty re-renders the case page with the errors in the form.
    page.locator("#ny-uppgift form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#ny-uppgift .is-invalid").count() > 0
    audit.check("ärendesidan, ny uppgift med fel")
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


@pytest.mark.parametrize("view", VIEWS)
def test_chef_pages_have_no_serious_violations(data, live_server, page, view):
    audit = Auditor(page, live_server, view)
    audit.login("chef")
    audit.visit("Mina ärenden (chef)", "/arenden/")
    audit.visit("Alla öppna ärenden (chef)", "/arenden/alla/")
    audit.visit("logguppföljning", "/arenden/logguppfoljning/")
    # Who works what (issue 12 item 1, issue 15 §3): the unit's tab, the caseload pages, the case page with the worker picker.
    audit.visit("Min enhets ärenden (chef)", "/arenden/?tab=unit")
    audit.visit("enhetens ärenden", "/arenden/enhetens-arenden/")
    barn = User.objects.get(username="barn")
    caseload.case_worker_set(case=data["case"], unit=barn.unit, worker=barn, user=barn)
    audit.visit("en persons ärenden", f"/arenden/enhetens-arenden/person/{barn.pk}/")
    page.locator("[data-testid=move-submit]").click()  # sent empty: the errors next to the fields
    page.wait_for_load_state()
    assert page.locator("main .is-invalid").count() > 0
    audit.check("en persons ärenden, flytt med fel")
    audit.visit("ärendesidan (chef)", f"/arenden/{data['case'].pk}/")
    audit.assert_clean()


@pytest.mark.parametrize("view", VIEWS)
def test_case_page_safeguards_have_no_serious_violations(data, personas, units, live_server, page, view):
    """Issue 12 item 4: "Klart i dag" with its undo, the open note form, and the end-assignment confirmation (with errors)."""
    from cases import services
    from cases.models import AssignmentRole, TaskKind

    case, advisor = data["case"], personas["hyresradgivare"]
    task = services.task_create(case=case, user=advisor, kind=TaskKind.MANUAL, unit=advisor.unit, due_date=timezone.localdate(),
                                title="Ring hyresvärden", assignee=advisor)
    caseload.task_complete_by_worker(task=task, case=case, user=advisor)
    case.refresh_from_db()
    added = services.assignment_change(case=case, user=advisor, unit=units["MOTTAGNING_VUXNA"], role=AssignmentRole.ASSIGNED,
                                       reason="Vuxen i hushållet.")
    services.task_create(case=case, user=advisor, kind=TaskKind.MANUAL, unit=units["MOTTAGNING_VUXNA"], due_date=timezone.localdate(),
                         title="Samtal")
    audit = Auditor(page, live_server, view)
    audit.login("hyresradgivare")
    audit.visit("ärendesidan, klart i dag", f"/arenden/{case.pk}/")
    assert page.get_by_test_id(f"done-today-{task.pk}").count() == 1
    page.evaluate("() => document.querySelectorAll('#uppgifter details').forEach(d => d.open = true)")
    audit.check("ärendesidan, uppgifternas formulär öppna")
    page.locator(f"[data-testid=assignment-{added.pk}] button").click()
    page.wait_for_load_state()
    audit.check("avsluta tilldelning: bekräftelse")
    page.locator("main form button.btn-danger").click()  # without a reason: the error next to the field
    page.wait_for_load_state()
    assert page.locator("main .is-invalid").count() == 1
    audit.check("avsluta tilldelning: fel")
    audit.assert_clean()


@pytest.mark.parametrize("view", VIEWS)
def test_bosam_pages_have_no_serious_violations(data, live_server, page, view):
    audit = Auditor(page, live_server, view)
    audit.login("ordforande")
    meeting, item = data["meeting"], data["item"]
    audit.visit("BOSAM möten", "/bosam/")
    audit.visit("BOSAM möte", f"/bosam/moten/{meeting.pk}/")
    audit.visit("BOSAM punkt", f"/bosam/moten/{meeting.pk}/punkter/{item.pk}/")
    # The activity form sent empty: the errors next to the fields.
    page.locator(f"main form[action$='/punkter/{item.pk}/aktivitet/'] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("main .is-invalid").count() > 0
    audit.check("BOSAM punkt, aktivitet med fel")
    audit.visit("BOSAM låst möte", f"/bosam/moten/{data['closed'].pk}/")
    # Issue 12: locking the minutes asks first (the items not discussed, the justering block).
    audit.visit("BOSAM lås protokollet", f"/bosam/moten/{meeting.pk}/las-protokollet/")
    audit.assert_clean()


@pytest.mark.parametrize("view", VIEWS)
def test_emergency_access_and_retention_pages_have_no_serious_violations(data, make_user, live_server, page, view):
    """Issue 15: socialjouren's emergency access form (refused case, then with an error) and the administrator's
    retention counts."""
    from organisation.roles import sync_role_permissions

    sync_role_permissions()
    make_user("jour", "socialjour", None)
    audit = Auditor(page, live_server, view)
    audit.login("jour")
    audit.visit("nödåtkomst", f"/arenden/nodatkomst/?arende={data['case'].pk}")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("main .is-invalid").count() > 0
    audit.check("nödåtkomst med fel")
    audit.assert_clean()
    sign_out(page)
    audit = Auditor(page, live_server, view)  # sets the language cookie again
    audit.login("admin")
    audit.visit("gallring", "/arenden/gallring/")
    audit.visit("aviseringar", "/arenden/aviseringar/")
    audit.assert_clean()


@pytest.mark.parametrize("view", VIEWS)
def test_landlord_channel_pages_have_no_serious_violations(data, personas, live_server, page, view):
    """Issue 14 §2: the landlord's area (form, form with errors, receipt with "komplettering begärd", list) and the
    hyresrådgivare's queue (list, one submission, the pre-filled intake form)."""
    from submissions import services as submission_services
    from tests.submission_fixtures import landlord_account, submission_body

    user = landlord_account(data["case"].organisation, "hyresvard", "AB Familjebostäder", "556035-8672")
    submission = submission_services.submission_receive(user=user, channel="PORTAL", body=submission_body(served=False))
    audit = Auditor(page, live_server, view)
    audit.login("hyresvard")
    audit.visit("hyresvärd: formulär", "/hyresvard/ny/")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#error-summary").count() == 1
    audit.check("hyresvärd: formulär med fel")
    audit.visit("hyresvärd: kvittens", f"/hyresvard/{submission.pk}/")
    audit.visit("hyresvärd: mina underrättelser", "/hyresvard/")
    audit.assert_clean()
    sign_out(page)
    audit = Auditor(page, live_server, view)
    audit.login("hyresradgivare")
    audit.visit("inkomna underrättelser", "/arenden/inkomna/")
    audit.visit("inkommen underrättelse", f"/arenden/inkomna/{submission.pk}/")
    audit.visit("inkommen underrättelse: formulär", f"/arenden/inkomna/{submission.pk}/formular/")
    audit.assert_clean()


# --- Keyboard only -------------------------------------------------------------------------------------------------

def active(page) -> dict:
    return page.evaluate("""() => { const e = document.activeElement;
        return {tag: e.tagName, id: e.id, name: e.getAttribute('name') || '', text: (e.innerText || '').trim().slice(0, 60)}; }""")


def tab_to(page, selector: str, *, limit: int = 120, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the focused element matches selector: proves it is reachable by keyboard."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if page.evaluate("sel => document.activeElement.matches(sel)", selector):
            return
    raise AssertionError(f"{selector} was not reached in {limit} key presses; focus is on {active(page)}")


def luminance(rgb: tuple[float, ...]) -> float:
    channels = [c / 255 for c in rgb[:3]]
    channels = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]


def contrast(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    high, low = sorted([luminance(a), luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def assert_focus_visible(page) -> None:
    """The focused element shows the :focus-visible outline (WCAG 2.4.7), and the outline has 3:1 contrast against
    the background it is drawn on (WCAG 1.4.11), e.g. the dark navbar."""
    info = page.evaluate("""() => {
        const e = document.activeElement, s = getComputedStyle(e);
        const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
        // The outline is drawn outside the element: its background is the nearest opaque ancestor's.
        let p = e.parentElement, bg = [255, 255, 255];
        while (p) {
            const c = rgb(getComputedStyle(p).backgroundColor);
            if (c.length === 3 || c[3] > 0) { bg = c; break; }
            p = p.parentElement;
        }
        return {visible: e.matches(':focus-visible'), style: s.outlineStyle, width: parseFloat(s.outlineWidth),
                color: rgb(s.outlineColor), background: bg, tag: e.tagName, text: (e.innerText || e.id || '').trim().slice(0, 40)};
    }""")
    where = f"{info['tag']} {info['text']!r}"
    assert info["visible"], f"{where} is focused but not :focus-visible"
    assert info["style"] != "none" and info["width"] >= 2, f"{where} has no visible focus outline: {info}"
    ratio = contrast(info["color"], info["background"])
    assert ratio >= 3, f"{where}: focus outline contrast {ratio:.2f}:1 against its background is below 3:1 ({info})"


def wait_for_path(page, path: str) -> None:
    # The skip link leaves #main in the address; only the path matters.
    page.wait_for_url(lambda url: urlsplit(url).path == path)


def date_typing_format(context) -> str:
    """The order in which this Chromium's date field takes its digits: it follows the browser build's locale (here
    often en-US, month/day/year), not the page's. Found once on a scratch page by typing a known date."""
    scratch = context.new_page()
    scratch.set_content("<input type=date id=d>")
    scratch.focus("#d")
    scratch.keyboard.type("01022003")
    value = scratch.input_value("#d")
    scratch.close()
    return {"2003-01-02": "%m%d%Y", "2003-02-01": "%d%m%Y"}.get(value, "%Y%m%d")


def type_into(page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)


def test_keyboard_only_intake_journey(personas, live_server, page):
    """A hyresrådgivare logs in, goes to the intake through the menu, searches, registers a family and lands on the
    decision page, with the keyboard only: after the first page.goto there are no clicks and no fills."""
    base = live_server.url
    tenant_pin = pin_for("19860314", 871)
    page.goto(base + "/konto/logga-in/")

    # Django's login form puts focus on the user name; Shift+Tab back to the skip link, which must be visible
    # when focused and move focus into <main>.
    assert active(page)["id"] == "id_username"
    tab_to(page, ".skip-link", backwards=True)
    assert page.locator(".skip-link").bounding_box()["x"] >= 0
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    assert active(page)["id"] == "main"
    type_into(page, "#id_username", "hyresradgivare")
    assert_focus_visible(page)
    type_into(page, "#id_password", PASSWORD)
    page.keyboard.press("Enter")
    wait_for_path(page, "/arenden/")

    # The main menu, in the dark navbar.
    tab_to(page, "header a.nav-link[href='/arenden/registrera/']")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    wait_for_path(page, "/arenden/registrera/")

    # Step 1: search; nothing is found; "Nytt hushåll".
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the skip link
    type_into(page, "#id_q", tenant_pin)
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "Ingen träff" in page.locator("main").inner_text()
    tab_to(page, "main a[data-testid='new-household-from-search']")  # the search carries into the form (issue 12)
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    wait_for_path(page, "/arenden/registrera/ny/")

    # Step 2: the form. Selects take one-letter type-ahead; dates are typed into the date fields.
    received = timezone.localdate() - dt.timedelta(days=1)
    served = received - dt.timedelta(days=1)
    tab_to(page, "#id_notice_type")
    page.keyboard.press("End")
    page.keyboard.press("Home")  # the first option, "Uppsägning pga hyresskuld"
    assert page.locator("#id_notice_type").input_value() == "RENT_ARREARS_TERMINATION"
    type_into(page, "#id_landlord_name", "AB Familjebostäder")
    type_into(page, "#id_landlord_org_number", "556035-8672")
    date_format = date_typing_format(page.context)
    type_into(page, "#id_received_date", received.strftime(date_format))
    assert page.locator("#id_received_date").input_value() == received.isoformat()
    type_into(page, "#id_served_date", served.strftime(date_format))
    assert page.locator("#id_served_date").input_value() == served.isoformat()
    type_into(page, "#id_debt_amount", "18450")
    type_into(page, "#id_street_address", "Sockenvägen 290")
    type_into(page, "#id_postal_code", "12040")
    type_into(page, "#id_city", "Årsta")
    type_into(page, "#id_members-0-name", "Tangent Testsson")
    carried = page.locator("#id_members-0-personal_identity_number").input_value()
    assert carried.replace("-", "")[-10:] == tenant_pin.replace("-", "")[-10:]  # typed once, in the search
    tab_to(page, "#id_members-0-role")
    page.keyboard.press("K")
    assert page.locator("#id_members-0-role").input_value() == "TENANT"
    # Shift+Tab goes back: correct the name.
    tab_to(page, "#id_members-0-name", backwards=True)
    page.keyboard.press("Control+a")
    page.keyboard.type("Tangent Testsson-Tab")

    # A child in a new row: "Lägg till person" with Space; focus moves into the new row.
    tab_to(page, "button[data-add-member]")
    assert_focus_visible(page)
    page.keyboard.press("Space")
    new_name = page.evaluate("() => document.activeElement.id")
    assert new_name.startswith("id_members-") and new_name.endswith("-name"), active(page)
    prefix = "#" + new_name.removesuffix("name")
    page.keyboard.type("Barn Testsson")
    type_into(page, prefix + "birth_date", dt.date(2015, 9, 16).strftime(date_format))
    assert page.locator(prefix + "birth_date").input_value() == "2015-09-16"
    tab_to(page, prefix + "role")
    page.keyboard.press("B")
    assert page.locator(prefix + "role").input_value() == "CHILD"
    tab_to(page, prefix + "child_residence")
    page.keyboard.press("B")
    assert page.locator(prefix + "child_residence").input_value() == "LIVING"

    tab_to(page, "#intake-form button[type=submit].btn-primary")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(base) + r"/arenden/\d+/beslut/$"))
    assert "beslut enligt handlingsplanen" in page.locator("h1").inner_text()
    # What was typed (and corrected after Shift+Tab) is what was saved.
    assert set(Person.objects.values_list("name", "role")) == {("Tangent Testsson-Tab", "TENANT"), ("Barn Testsson", "CHILD")}
