"""Issue 11 in a real browser: the case page's legal dates (both readings of the recovery deadline, the history of
eviction dates, the reply deadline, earlier cases), the eviction day's outcome recorded through its form, and the
payment commitment form — with axe (WCAG 2.1 AA) on the page with every form open.

Set SCREENSHOT_DIR to keep full-page screenshots for a look at the page as users meet it."""

import datetime as dt
import os
from decimal import Decimal

import pytest
from django.utils import timezone

from cases import services
from cases.models import Deviation, DeviationKind, EvictionOutcome
from tests.e2e.test_accessibility import Auditor
from tests.factories import household_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def notice(notice_type, received, **extra):
    return services.NoticeData(
        notice_type=notice_type, received_date=received, debt_amount=Decimal("18450.00"),
        sender_kind="KRONOFOGDEN" if notice_type.startswith("EVICTION") else "LANDLORD",
        landlord=services.LandlordData(name="AB Familjebostäder", org_number="556035-8672"), **extra,
    )


def shoot(page, name):
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


@pytest.fixture
def family_case(organisation, personas):
    today = timezone.localdate()
    advisor = personas["hyresradgivare"]
    household = household_data(children=("2015-09-16", "2019-02-01"), serial=871, surname="Avhysningsdag")

    def register(n, when):
        return services.notice_register(organisation=organisation, user=advisor, notice=n, household=household, today=when).case

    # An earlier, closed case of the same household.
    earlier = register(notice("DISTURBANCE_WARNING", today - dt.timedelta(days=300)), today - dt.timedelta(days=300))
    services.case_close(case=earlier, user=advisor, outcome="OTHER")
    # This case: a termination sent two days before it was received (two readings), then Kronofogden.
    start = today - dt.timedelta(days=30)
    case = register(notice("RENT_ARREARS_TERMINATION", start, served_date=start - dt.timedelta(days=5),
                           sent_date=start - dt.timedelta(days=3)), start)
    first_date = today + dt.timedelta(days=20)
    register(notice("EVICTION_DATE", today - dt.timedelta(days=20), eviction_date=first_date), today - dt.timedelta(days=20))
    register(notice("EVICTION_CANCELLED", today - dt.timedelta(days=15)), today - dt.timedelta(days=15))
    register(notice("EVICTION_DATE", today - dt.timedelta(days=10), eviction_date=today - dt.timedelta(days=1),
                    reply_deadline=today + dt.timedelta(days=3)), today - dt.timedelta(days=10))
    case.refresh_from_db()
    assert case.recovery_deadline_other is not None and case.household_id == earlier.household_id
    return case


def test_the_case_page_shows_the_legal_steps_and_records_the_outcome(family_case, live_server, page):
    audit = Auditor(page, live_server, "sv")
    audit.login("hyresradgivare")
    audit.visit("ärendesidan", f"/arenden/{family_case.pk}/")
    main = page.locator("main")
    assert main.get_by_text("Två läsningar av fristen").is_visible()
    assert main.get_by_text("Svarsfrist till Kronofogden").first.is_visible()
    assert main.get_by_text("återkallat eller inställt").is_visible()
    assert main.get_by_role("link", name=family_case.household.cases.exclude(pk=family_case.pk).get().number).is_visible()
    assert main.get_by_role("heading", name="Avhysningsdagen", exact=True).is_visible()
    page.evaluate("() => document.querySelectorAll('main details').forEach(d => d.open = true)")
    audit.check("ärendesidan med avhysningsdagen och betalningsförbindelse")
    shoot(page, "legal-case-page")

    # The outcome, sent without where the household went: a Swedish error, the choice kept.
    form = page.locator("#avhysningsdagen form")
    form.get_by_label("Verkställd").check()
    form.get_by_label("Var barn närvarande?").select_option("yes")
    form.get_by_label("Var socialtjänsten på plats?").select_option("no")
    form.get_by_role("button", name="Spara utfallet").click()
    page.wait_for_load_state()
    assert page.locator("#avhysningsdagen").get_by_text("Ange vart hushållet tog vägen").is_visible()
    assert page.locator("#avhysningsdagen form").get_by_label("Verkställd").is_checked()
    audit.check("avhysningsdagen med fel")
    form = page.locator("#avhysningsdagen form")
    form.get_by_label("Vart tog hushållet vägen?").select_option("EMERGENCY_HOUSING")
    form.get_by_role("button", name="Spara utfallet").click()
    page.wait_for_load_state()
    assert page.get_by_text("Utfallet av avhysningen är registrerat.").is_visible()
    shoot(page, "legal-case-page-after-outcome")
    outcome = EvictionOutcome.objects.get(case=family_case)
    assert (outcome.result, outcome.children_present, outcome.social_services_present, outcome.destination) == (
        "EXECUTED", True, False, "EMERGENCY_HOUSING")
    assert Deviation.objects.filter(case=family_case, kind=DeviationKind.ABSENT_AT_EVICTION_WITH_CHILDREN).count() == 1
    assert family_case.tasks.filter(kind="FOLLOW_UP_AFTER_EVICTION", status="OPEN").exists()
