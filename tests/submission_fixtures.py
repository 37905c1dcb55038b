"""Landlords' accounts and notice bodies for the landlord's channel (issue 14 §2)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import pin_for

PASSWORD = "test-password-123"


def landlord_account(organisation, username: str, name: str, org_number: str):
    from cases.models import Landlord
    from organisation.models import User

    landlord, _created = Landlord.objects.get_or_create(organisation=organisation, org_number=org_number, defaults={"name": name})
    user = User.objects.create_user(username=username, password=PASSWORD, organisation=organisation, landlord=landlord,
                                    first_name="Hyra", last_name=name)
    user.groups.add(Group.objects.get_or_create(name="hyresvard")[0])
    return user


@pytest.fixture
def landlords(organisation, other_organisation):
    """Two landlords of the organisation and one of another organisation, each with its account."""
    return {
        "familjebostader": landlord_account(organisation, "familjebostader", "AB Familjebostäder", "556035-8672"),
        "stockholmshem": landlord_account(organisation, "stockholmshem", "AB Stockholmshem", "556035-6940"),
        "skarholmen": landlord_account(other_organisation, "skarholmenshyror", "Skärholmens Hyror AB", "556043-6429"),
    }


def token_client(user, scopes=("notices:submit",)) -> APIClient:
    from organisation.tokens import api_token_create

    _token, key = api_token_create(user=user, name="Integration", scopes=list(scopes))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def submission_body(*, serial=801, served=True, recovery=True, notice_type="RENT_ARREARS_TERMINATION", surname="Testsson", **extra):
    today = timezone.localdate()
    pin = pin_for("19860314", serial)
    data = {
        "notice_type": notice_type,
        "document_date": (today - dt.timedelta(days=2)).isoformat(),
        "termination_date": (today - dt.timedelta(days=2)).isoformat(),
        "debt_amount": "18450.00",
        "monthly_rent": "9225.00",
        "landlord": {"name": "Någon annan AB", "org_number": "556670-0455", "reference": "H-77"},
        "household": {
            "street_address": "Sockenvägen 290", "apartment_number": "1102", "postal_code": "12040", "city": "Årsta",
            "housing_type": "ORDINARY", "phone": "070-1234567",
            "members": [{"name": f"Test {surname}", "personal_identity_number": f"{pin[:8]}-{pin[8:]}", "role": "TENANT"}],
            "active_units": [{"unit": "EKONOMISKT_BISTAND"}],
        },
    }
    if served:
        data["served_date"] = (today - dt.timedelta(days=1)).isoformat()
    if recovery:
        data["recovery_amount"] = "18450.00"
    data.update(extra)
    return data
