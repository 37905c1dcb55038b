"""Small builders for test data, on top of the real services (no shortcuts around routing)."""

import datetime as dt
from decimal import Decimal

from cases import services
from devdata.pins import test_pin


def pin_for(birth: str, serial: int = 980) -> str:
    """A valid test personnummer YYYYMMDDNNNC in the 900–999 test series, e.g. pin_for('19860314').

    The serial's last two digits go after a 9 (801 -> 901): the tests name their people 8xx."""
    return test_pin(birth, 900 + serial % 100)


def household_data(*, tenant_birth="19860314", children=(), phone="070-1234567", housing_type="ORDINARY",
                   active_units=(), protected=False, serial=801, surname="Testsson", street="Sockenvägen 290"):
    members = [services.MemberData(name=f"Test {surname}", role="TENANT",
                                   personal_identity_number=pin_for(tenant_birth, serial), protected_identity=protected)]
    for i, birth in enumerate(children):
        members.append(services.MemberData(name=f"Barn{i + 1} {surname}", role="CHILD",
                                           birth_date=dt.date.fromisoformat(birth), child_residence="LIVING"))
    return services.HouseholdData(
        street_address=street, apartment_number="1102", postal_code="12040", city="Årsta", area="Årsta",
        housing_type=housing_type, phone=phone, members=members,
        active_units=[services.ActiveUnitData(unit_code=code) for code in active_units],
    )


def notice_data(notice_type="RENT_ARREARS_TERMINATION", received="2026-11-20", served="2026-11-19", eviction_date=None,
                debt="18450.00"):
    return services.NoticeData(
        notice_type=notice_type, received_date=dt.date.fromisoformat(received),
        document_date=dt.date.fromisoformat(received) - dt.timedelta(days=2),
        served_date=dt.date.fromisoformat(served) if served else None,
        eviction_date=dt.date.fromisoformat(eviction_date) if eviction_date else None,
        debt_amount=Decimal(debt) if debt else None, recovery_amount=Decimal(debt) if debt else None,
        sender_kind="KRONOFOGDEN" if notice_type in ("EVICTION_APPLICATION", "EVICTION_DATE") else "LANDLORD",
        landlord=services.LandlordData(name="AB Familjebostäder", org_number="556035-8672", reference="H-1234"),
    )


def register(organisation, user, *, today=None, notice=None, household=None, **household_kwargs):
    notice = notice or notice_data()
    return services.notice_register(
        organisation=organisation, user=user, notice=notice,
        household=household or household_data(**household_kwargs), today=today or notice.received_date,
    )


def ship_letter_templates():
    """The letter templates the data migration ships (issue 14 §3). A transactional test flushes them away, so a
    test that needs them makes sure they exist (idempotent)."""
    from django.utils import timezone

    from cases.letter_texts import SHIPPED
    from cases.models import LetterTemplate

    for language, status, direction, texts in SHIPPED:
        LetterTemplate.objects.get_or_create(
            organisation=None, kind="HOUSEHOLD", language=language,
            defaults={"status": status, "text_direction": direction, "texts": dict(texts),
                      "approved_at": timezone.now() if status == "APPROVED" else None})
