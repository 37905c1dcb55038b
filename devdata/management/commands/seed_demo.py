"""Demo data for `make run`: the default organisation, demo users (password "demo",
only while DEBUG is on), landlords, households and notices in every state, and
BOSAM meetings. Idempotent: running it twice changes nothing.

It looks like a normal working day (issue 12 item 9), relative to the day it runs: the
case workers did their first steps on time in most cases, two cases have overdue tasks,
one family is urgent, one household has protected identity, and the next BOSAM meeting
is ahead (the last one is behind, closed)."""

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from cases import services
from cases.models import Case, Landlord, LandlordKind, Outcome, TaskKind, TaskStatus
from cases.rules.routing import KRONOFOGDEN_NOTICES
from devdata.bosam_demo import seed_demo_meetings
from devdata.pins import test_pin
from organisation.defaults import DEFAULT_ORGANISATION, create_organisation
from organisation.demo import DEMO_PASSWORD, DEMO_USERS, demo_users_enabled
from organisation.models import Department, Organisation, Role, Unit, User
from submissions.models import Submission
from submissions.services import submission_receive

# name, organisation number, kind (for the statistics: allmännyttan or private)
LANDLORDS = [
    ("AB Familjebostäder", "556035-8672", LandlordKind.MUNICIPAL),
    ("AB Stockholmshem", "556035-6940", LandlordKind.MUNICIPAL),
    ("AB Svenska Bostäder", "556043-6429", LandlordKind.MUNICIPAL),
    ("Årsta Fastigheter AB (privat)", "556670-0455", LandlordKind.PRIVATE),
    ("Vantörs Hyreshus AB (privat)", "556065-9608", LandlordKind.PRIVATE),
]


# The cases whose overdue tasks are left open, so that "Försenad" stands out as the exception it should be.
LATE_CASES = {"Dahl", "Fors"}

# (surname, tenant birth, serial, children birth dates, phone, housing, aktuell units, notices, follow-up)
SCENARIOS = [
    (
        "Andersson",
        "19860314",
        "980",
        ["2015-09-16", "2019-02-03"],
        "070-1234567",
        "ORDINARY",
        [],
        [("RENT_ARREARS_TERMINATION", -1, "Sockenvägen 290", None)],
        None,
    ),
    (
        "Berg",
        "19790621",
        "981",
        ["2012-05-10"],
        "",
        "ORDINARY",
        [],
        [("RENT_ARREARS_TERMINATION", -25, "Huddingevägen 12", None)],
        None,
    ),
    (
        "Carlsson",
        "19920101",
        "982",
        ["2020-11-30"],
        "073-5550101",
        "ORDINARY",
        ["EKONOMISKT_BISTAND", "BARN_UNGA"],
        [("RENT_ARREARS_TERMINATION", -6, "Årstavägen 5", None)],
        None,
    ),
    (
        "Dahl",
        "19840909",
        "983",
        [],
        "072-5550102",
        "ORDINARY",
        [],
        [("RENT_ARREARS_TERMINATION", -40, "Enskedevägen 88", None), ("EVICTION_APPLICATION", -5, "Enskedevägen 88", None)],
        None,
    ),
    (
        "Ekström",
        "19560412",
        "984",
        [],
        "",
        "ORDINARY",
        [],
        [("RENT_ARREARS_TERMINATION", -45, "Bägerstavägen 3", None), ("EVICTION_DATE", -2, "Bägerstavägen 3", 9)],
        None,
    ),
    (
        "Fors",
        "19950717",
        "985",
        [],
        "076-5550103",
        "TRAINING_FLAT",
        ["VUXNA"],
        [("DISTURBANCE_WARNING", -10, "Bandhagsplan 2", None)],
        None,
    ),
    (
        "Gustafsson",
        "19880228",
        "986",
        ["2016-08-08"],
        "070-5550104",
        "ORDINARY",
        [],
        [("DISTURBANCE_TERMINATION", -12, "Högdalsgången 7", None)],
        "contact",
    ),
    (
        "Holm",
        "19700505",
        "987",
        [],
        "070-5550105",
        "ORDINARY",
        [],
        [("RENT_ARREARS_TERMINATION", -60, "Sköntorpsvägen 21", None)],
        "closed",
    ),
    (
        "Isaksson",
        "19900303",
        "988",
        ["2018-04-04"],
        "",
        "SHIS",
        [],
        [("OTHER_TERMINATION", -1, "Trollesundsvägen 40", None)],
        "protected",
    ),
]


def _pin(birth: str, serial: str) -> str:
    """A test personnummer with its check digit, e.g. _pin('19860314', '980')."""
    return test_pin(birth, int(serial))


class Command(BaseCommand):
    help = "Skapar demodata: organisation, demoanvändare (lösenord 'demo'), hyresvärdar, ärenden och BOSAM-möten."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Datum att bygga demot kring (YYYY-MM-DD); standard: i dag.")

    def handle(self, *args, **options):
        # First of all, before anything is written: demo accounts with a known password never belong in production.
        if not demo_users_enabled():
            raise CommandError("Demodata och demoanvändare skapas bara när DEBUG är på (DEMO_USERS_ENABLED); inget har ändrats.")
        today = dt.date.fromisoformat(options["today"]) if options.get("today") else timezone.localdate()
        organisation = create_organisation(Organisation, Department, Unit, **DEFAULT_ORGANISATION)
        self._debt_advice(organisation)
        with transaction.atomic():
            users = self._users(organisation)
            self._landlords(organisation)
            created = self._cases(organisation, users, today)
            self._case_workers(organisation, users)
            self._landlord_channel(organisation, users["hyresvard"], today)
        seed_demo_meetings(organisation, today)
        self.stdout.write(self.style.SUCCESS(f"Demodata klar ({created} nya ärenden)."))

    def _debt_advice(self, organisation):
        """Demo contact details for the budget and debt advice named in the letters (only where none are set)."""
        if organisation.debt_advice_phone or organisation.debt_advice_email:
            return
        organisation.debt_advice_name = organisation.debt_advice_name or "Budget- och skuldrådgivningen"
        organisation.debt_advice_phone = "08-508 00 100"
        organisation.debt_advice_email = "budget.skuldradgivning@example.se"
        organisation.debt_advice_web = "example.se/skuldradgivning"
        organisation.debt_advice_hours = "måndag–torsdag kl. 9–11"
        organisation.save()

    def _users(self, organisation):
        users = {}
        for username, role, unit_code, first, last, phone in DEMO_USERS:
            unit = organisation.units.get(code=unit_code) if unit_code else None
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "organisation": organisation,
                    "unit": unit,
                    "first_name": first,
                    "last_name": last,
                    "phone": phone,
                    "email": f"{username}@example.se",
                    "is_staff": role in (Role.SYSTEMADMINISTRATOR, Role.BOSAM_ORDFORANDE),
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            user.groups.add(Group.objects.get_or_create(name=role.value)[0])
            users[username] = user
        return users

    def _landlords(self, organisation):
        for name, org_number, kind in LANDLORDS:
            landlord, _created = Landlord.objects.get_or_create(organisation=organisation, org_number=org_number, defaults={"name": name})
            if landlord.kind == LandlordKind.OTHER and kind != LandlordKind.OTHER:
                # Also for a landlord a notice created before this ran (the kind came later).
                Landlord.objects.filter(pk=landlord.pk).update(kind=kind)

    def _landlord_channel(self, organisation, user, today):
        """The landlord's account bound to AB Familjebostäder, with two notices waiting in "Inkomna underrättelser":
        one complete, one without the served date (komplettering begärd). Only the first time."""
        landlord = Landlord.objects.get(organisation=organisation, org_number=LANDLORDS[0][1])
        if user.landlord_id != landlord.pk:
            User.objects.filter(pk=user.pk).update(landlord=landlord, unit=None, is_staff=False)
            user.refresh_from_db()
        if Submission.objects.filter(landlord=landlord).exists():
            return
        today = min(today, timezone.localdate())  # received today: the documents cannot be from a later day
        for surname, birth, serial, served in (("Portalsson", "19810707", "984", True), ("Apisson", "19770303", "985", False)):
            pin = _pin(birth, serial)
            body = {
                "notice_type": "RENT_ARREARS_TERMINATION",
                "document_date": (today - dt.timedelta(days=3)).isoformat(),
                "termination_date": (today - dt.timedelta(days=3)).isoformat(),
                "debt_amount": "21300.00", "recovery_amount": "21300.00", "monthly_rent": "10650.00", "debt_months": 2,
                "landlord": {"reference": f"FB-{serial}"},
                "household": {
                    "street_address": "Sköntorpsvägen 14", "apartment_number": "1203", "postal_code": "12038", "city": "Årsta",
                    "housing_type": "ORDINARY", "phone": "070-555 12 34",
                    "members": [{"name": f"Petra {surname}", "personal_identity_number": f"{pin[:8]}-{pin[8:]}", "role": "TENANT"}],
                },
            }
            if served:
                body["served_date"] = (today - dt.timedelta(days=2)).isoformat()
            submission_receive(user=user, channel="PORTAL" if served else "API", body=body)

    def _cases(self, organisation, users, today) -> int:
        if Case.objects.filter(organisation=organisation).exists():
            return 0
        advisor = users["hyresradgivare"]
        landlords = list(Landlord.objects.filter(organisation=organisation).order_by("pk"))
        created = 0
        for i, scenario in enumerate(SCENARIOS):
            surname, birth, serial, _children, _phone, _housing, _aktuell, notices, follow_up = scenario
            landlord = landlords[i % len(landlords)]
            for notice in notices:
                self._notice_register(organisation, advisor, today, i, scenario, landlord, notice)
            created += 1
            case = Case.objects.get(organisation=organisation, household__members__personal_identity_number=_pin(birth, serial))
            self._follow_up(case, follow_up, users, today)
            if surname not in LATE_CASES:
                self._first_steps_on_time(case, users, today)
        services.run_daily_checks(today=today, organisation=organisation)
        return created

    def _case_workers(self, organisation, users):
        """Named case workers (issue 12): each demo case worker takes up to two of their unit's open
        cases, so that "Mina" is not empty; the rest stay in the unit's queue. Idempotent."""
        from cases.models import Assignment, CaseStatus
        from cases.services import caseload

        for username in ("hyresradgivare", "barn", "vuxna", "aldre", "ekbistand"):
            worker = users[username]
            if Assignment.objects.filter(user=worker, ended_at__isnull=True).exists():
                continue
            assignments = Assignment.objects.filter(
                unit=worker.unit, user__isnull=True, ended_at__isnull=True, case__organisation=organisation, case__status=CaseStatus.OPEN
            ).select_related("case").order_by("case__number")[:2]
            for assignment in assignments:
                caseload.case_worker_set(case=assignment.case, unit=worker.unit, worker=worker, user=worker)

    def _notice_register(self, organisation, advisor, today, i, scenario, landlord, notice) -> None:
        """One notice of scenario i, registered through the intake service as the form does."""
        days = dt.timedelta
        surname, birth, serial, children, phone, housing, aktuell, _notices, follow_up = scenario
        notice_type, offset, street, eviction_in = notice
        received = today + days(offset)
        members = [
            services.MemberData(
                name=f"{'Sara' if i % 2 else 'Johan'} {surname}",
                role="TENANT",
                personal_identity_number=_pin(birth, serial),
                protected_identity=follow_up == "protected",
            )
        ]
        members += [
            services.MemberData(
                name=f"Barn{n + 1} {surname}", role="CHILD", birth_date=dt.date.fromisoformat(b), child_residence="LIVING"
            )
            for n, b in enumerate(children)
        ]
        kronofogden = notice_type in KRONOFOGDEN_NOTICES
        services.notice_register(
            organisation=organisation,
            user=advisor,
            today=received,
            notice=services.NoticeData(
                notice_type=notice_type,
                received_date=received,
                document_date=received - days(2),
                served_date=received - days(1) if notice_type == "RENT_ARREARS_TERMINATION" else None,
                eviction_date=today + days(eviction_in) if eviction_in else None,
                debt_amount=Decimal(12000 + 1450 * i),
                recovery_amount=Decimal(12000 + 1450 * i),
                sender_kind="KRONOFOGDEN" if kronofogden else "LANDLORD",
                landlord=None
                if kronofogden
                else services.LandlordData(name=landlord.name, org_number=landlord.org_number, reference=f"H-{1000 + i}"),
                kronofogden_reference=f"KFM-{2026}-{4400 + i}" if kronofogden else "",
                description="Upprepade klagomål på störande ljud nattetid." if "DISTURBANCE" in notice_type else "",
            ),
            household=services.HouseholdData(
                street_address=street,
                apartment_number=f"{1101 + i}",
                postal_code="12050",
                city="Stockholm",
                area=["Årsta", "Enskede", "Bandhagen", "Högdalen", "Rågsved"][i % 5],
                housing_type=housing,
                phone=phone,
                members=members,
                active_units=[services.ActiveUnitData(unit_code=code) for code in aktuell],
            ),
        )

    def _first_steps_on_time(self, case, users, today):
        """Every task due before today done on its due day, by someone of its unit (the hyresrådgivare when
        the unit has no demo user). A done task may bring the next step: a few rounds until none is due."""
        by_unit = {user.unit_id: user for user in users.values() if user.unit_id}
        for _round in range(4):
            due = list(case.tasks.filter(status=TaskStatus.OPEN, due_date__lt=today).select_related("unit").order_by("due_date", "pk"))
            if not due:
                return
            for task in due:
                services.task_complete(
                    task=task, user=by_unit.get(task.unit_id, users["hyresradgivare"]), note="Klart i tid.", today=task.due_date
                )

    def _follow_up(self, case, follow_up, users, today):
        advisor = users["hyresradgivare"]
        if follow_up == "contact":
            for task in case.tasks.filter(status=TaskStatus.OPEN, kind__in=[TaskKind.SEND_LETTER, TaskKind.PHONE_CONTACT]):
                services.task_complete(task=task, user=advisor, note="Klart.", today=today)
            services.contact_register(
                case=case,
                user=advisor,
                date=today - dt.timedelta(days=3),
                channel="PHONE",
                established=True,
                note="Familjen nåddes per telefon; möte bokat.",
                today=today,
            )
        elif follow_up == "closed":
            services.contact_register(
                case=case,
                user=advisor,
                date=today - dt.timedelta(days=30),
                channel="MEETING",
                established=True,
                note="Avbetalningsplan upprättad med hyresvärden.",
                today=today,
            )
            services.case_close(
                case=case, user=advisor, outcome=Outcome.PREVENTED_AGREEMENT, note="Avbetalningsplan, hyresvärden återtog uppsägningen."
            )
