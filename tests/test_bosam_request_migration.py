"""cases migration 0025_bosamreq on existing BOSAM requests (free-text reasons, several per unit, none handled):
the text becomes the case-page-only details with the reason OTHER; a request whose case a locked meeting
discussed afterwards is handled by that meeting; the unit's other requests on the case become one open request."""

import datetime as dt

import pytest
from django.utils import timezone

from bosam import services
from bosam.models import Meeting
from tests.factories import household_data, notice_data, register
from tests.migration_steps import migrate_to
from tests.test_bosam_scenario import D, make_series

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE, AFTER = [("cases", "0024_landlord")], [("cases", "0025_bosamreq")]



@pytest.mark.usefixtures("latest_schema_afterwards")
def test_existing_requests_get_a_code_a_status_and_one_open_per_unit(organisation, personas):
    advisor, chair = personas["hyresradgivare"], personas["ordforande"]
    make_series(organisation)
    services.plan_meetings(today=D("2026-11-16"), organisation=organisation)
    held = Meeting.objects.get(date=D("2026-11-17"))
    discussed = register(organisation, advisor, household=household_data(serial=851, surname="Talad"),
                         notice=notice_data(received="2026-11-10", served="2026-11-09")).case
    twice = register(organisation, advisor, household=household_data(serial=852, surname="Dubbel"),
                     notice=notice_data(received="2026-11-10", served="2026-11-09")).case
    services.agenda_prepare(meeting=held, today=D("2026-11-16"))
    services.item_discussed_set(item=held.items.get(case=discussed), user=chair, discussed=True)
    services.meeting_close(meeting=held, user=chair, carry_over_item_ids=[])
    closed_at = Meeting.objects.get(pk=held.pk).closed_at

    apps = migrate_to(BEFORE)
    old = apps.get_model("cases", "BosamRequest")
    before = closed_at - dt.timedelta(hours=1)
    first = old.objects.create(case_id=discussed.pk, unit_id=advisor.unit_id, reason="Kalle Anka vill inte vänta.", requested_at=before)
    a = old.objects.create(case_id=twice.pk, unit_id=advisor.unit_id, reason="Första gången.", requested_at=timezone.now())
    b = old.objects.create(case_id=twice.pk, unit_id=advisor.unit_id, reason="Andra gången.",
                           requested_at=timezone.now() + dt.timedelta(minutes=1))

    apps = migrate_to(AFTER)
    new = apps.get_model("cases", "BosamRequest")
    handled = new.objects.get(pk=first.pk)
    assert (handled.reason, handled.details, handled.status) == ("OTHER", "Kalle Anka vill inte vänta.", "HANDLED")
    assert (handled.handled_meeting_id, handled.handled_meeting_date, handled.handled_at) == (held.pk, held.date, closed_at)
    assert not new.objects.filter(pk=a.pk).exists()
    merged = new.objects.get(pk=b.pk)
    assert (merged.status, merged.reason, merged.details) == ("OPEN", "OTHER", "Första gången. / Andra gången.")
    assert merged.requested_at == a.requested_at
