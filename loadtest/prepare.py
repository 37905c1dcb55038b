"""The Django side of the load test, run in a subprocess against the load database.

    python -m loadtest.prepare users --count 50 --password …   # load users, JSON out
    python -m loadtest.prepare extra --households 300           # extra cases through the real service
    python -m loadtest.prepare count                            # notices in the database, JSON out

Kept apart from the traffic generator, which runs under gevent (locust patches the
standard library) and must not touch the ORM.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
from decimal import Decimal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "avhysning.settings")

import django  # settings module first

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from cases import services  # noqa: E402
from cases.models import Case, Notice  # noqa: E402
from organisation.defaults import DEFAULT_ORGANISATION  # noqa: E402
from organisation.models import Organisation, Role, User  # noqa: E402

from .pins import test_pin  # noqa: E402

# The extra households use birth dates from 1950 on; the intake POSTs use 1930 on (see traffic.py),
# so a POST never lands in a prepared household by accident.
EXTRA_BIRTH_START = dt.date(1950, 1, 1)
LANDLORDS = [("AB Familjebostäder", "556035-8672"), ("AB Stockholmshem", "556035-6940"), ("AB Svenska Bostäder", "556043-6429")]
STREETS = ["Sockenvägen", "Huddingevägen", "Årstavägen", "Trollesundsvägen", "Bagarmossvägen", "Fagersjövägen"]


def _organisation() -> Organisation:
    return Organisation.objects.get(code=DEFAULT_ORGANISATION["code"])


def create_users(count: int, password: str, prefix: str) -> dict:
    """N hyresrådgivare in the default organisation, all with the same password.

    The hash is computed once: each PBKDF2 hash costs ~0.3 s, which would dominate a smoke run."""
    organisation = _organisation()
    unit = organisation.units.get(code="HYRESRADGIVNING")
    group, _created = Group.objects.get_or_create(name=Role.HYRESRADGIVARE.value)
    hashed = make_password(password)
    usernames = []
    with transaction.atomic():
        for i in range(1, count + 1):
            username = f"{prefix}{i:03d}"
            user, _created = User.objects.update_or_create(
                username=username,
                defaults={"organisation": organisation, "unit": unit, "first_name": "Last", "last_name": f"Testare {i}",
                          "password": hashed, "is_active": True},
            )
            user.groups.add(group)
            usernames.append(username)
    case_ids = list(Case.objects.filter(organisation=organisation).order_by("-pk").values_list("pk", flat=True)[:1000])
    return {"usernames": usernames, "case_ids": case_ids, "counts": count_notices()}


def create_extra_households(households: int, seed: int) -> dict:
    """Extra cases through cases.services.notice_register (used when generate_data is not there)."""
    organisation = _organisation()
    user = User.objects.filter(organisation=organisation, groups__name=Role.HYRESRADGIVARE.value).first()
    rng = random.Random(seed)  # noqa: S311 (repeatable test data, not secrets)
    today = timezone.localdate()
    for i in range(households):
        birth = EXTRA_BIRTH_START + dt.timedelta(days=i // 10)
        members = [services.MemberData(name=f"Extra Hyresgäst{i}", role="TENANT", personal_identity_number=test_pin(birth, i % 10))]
        if rng.random() < 0.33:
            child_birth = today - dt.timedelta(days=rng.randint(365, 17 * 365))
            members.append(services.MemberData(name=f"Extra Barn{i}", role="CHILD", birth_date=child_birth, child_residence="LIVING"))
        received = today - dt.timedelta(days=rng.randint(0, 200))
        name, org_number = rng.choice(LANDLORDS)
        debt = Decimal(rng.randint(4000, 60000))
        services.notice_register(
            organisation=organisation,
            user=user,
            notice=services.NoticeData(
                notice_type="RENT_ARREARS_TERMINATION", received_date=received, sender_kind="LANDLORD",
                landlord=services.LandlordData(name=name, org_number=org_number, reference=f"X-{i}"),
                document_date=received - dt.timedelta(days=3), served_date=received - dt.timedelta(days=1),
                debt_amount=debt, recovery_amount=debt,
            ),
            household=services.HouseholdData(
                street_address=f"{rng.choice(STREETS)} {rng.randint(1, 300)}", apartment_number=f"{rng.randint(1001, 1899)}",
                postal_code="12040", city="Stockholm", area="Årsta", housing_type="ORDINARY", members=members,
            ),
            today=received,
        )
    return {"households": households}


def count_notices() -> dict:
    return {"notices": Notice.objects.count(), "cases": Case.objects.count()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loadtest.prepare")
    sub = parser.add_subparsers(dest="command", required=True)
    users = sub.add_parser("users")
    users.add_argument("--count", type=int, required=True)
    users.add_argument("--password", required=True)
    users.add_argument("--prefix", default="last")
    extra = sub.add_parser("extra")
    extra.add_argument("--households", type=int, required=True)
    extra.add_argument("--seed", type=int, default=1)
    sub.add_parser("count")
    args = parser.parse_args(argv)
    if args.command == "users":
        result = create_users(args.count, args.password, args.prefix)
    elif args.command == "extra":
        result = create_extra_households(args.households, args.seed)
    else:
        result = count_notices()
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
