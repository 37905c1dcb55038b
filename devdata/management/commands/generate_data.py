"""Synthetic data at city scale, for benchmarks and load tests (issue 6, "Data at scale").

    python manage.py generate_data --households 40000 --seed 1 [--organisations 13] [--reset]

Realistic rather than random: only test personnummer (serials 980–999 with a
correct Luhn digit), children in about a third of households, notice chains in
the proportions of docs/domain/deadlines.md (a few per cent of notices
reach Kronofogden: Stockholm's ~224 executed evictions a year against ~15,000
notices; about 58 % of applications are withdrawn), repeated terminations, several
notices per case, cases open and closed with outcomes. Assignments and tasks are
not invented: every notice runs the real plan (`cases.rules.routing.decide`) on an
in-memory DecisionInput, and the generator reconciles the result the way
`cases.services` does. BOSAM: one series per organisation with a year of closed
meetings (agenda items, attendance, activities, frozen minutes) and the next
meetings planned by the real `bosam.services.plan_meetings`.

Volume per district is fixed (about 1,500 notices a year, the rate of
deadlines.md), so the time span grows with N: the open workload of a district
(and so "Mina ärenden" and the BOSAM agenda) stays the same size while the
history grows. 1,000,000 notices is therefore about 50 years of 13 districts.

Rows are written in big transactions: COPY on PostgreSQL, bulk_create elsewhere.
Ids are given by the generator, so one pass writes parents and children. The
same seed gives the same data. `--reset` first empties every case and BOSAM
table (only for a benchmark database!).
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import functools
import io
import json
import random
import time
from collections import defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from stdnum import luhn

from bosam import services as bosam_services
from bosam.models import Activity, AgendaItem, Attendance, Meeting, MeetingSeries, MeetingStatus, Weekday
from bosam.selectors import agenda_content
from cases.models import (
    ActiveInvolvement,
    Assignment,
    AuditEvent,
    Case,
    CaseNumberSequence,
    Contact,
    Deviation,
    Household,
    Landlord,
    Notice,
    Person,
    RoutingDecision,
    Task,
)
from cases.rules import reconcile, routing, workdays
from cases.rules.case_facts import NoticeFacts, case_facts
from cases.rules.deadlines import age_on, case_dates, is_urgent
from devdata.pins import test_pin
from organisation.defaults import create_organisation
from organisation.models import Department, Organisation, Role, Unit, User

STOCKHOLM = ZoneInfo("Europe/Stockholm")

# Stockholm's 13 district administrations (since 2020), with a few areas each.
DISTRICTS = [
    ("enskede-arsta-vantor", "Enskede-Årsta-Vantörs stadsdelsförvaltning", ["Årsta", "Enskede", "Hägerstensåsen", "Rågsved", "Högdalen"]),
    ("farsta", "Farsta stadsdelsförvaltning", ["Farsta", "Hökarängen", "Sköndal"]),
    ("skarholmen", "Skärholmens stadsdelsförvaltning", ["Skärholmen", "Bredäng", "Sätra", "Vårberg"]),
    ("hagersten-alvsjo", "Hägersten-Älvsjö stadsdelsförvaltning", ["Hägersten", "Liljeholmen", "Älvsjö", "Fruängen"]),
    ("skarpnack", "Skarpnäcks stadsdelsförvaltning", ["Skarpnäck", "Bagarmossen", "Björkhagen"]),
    ("sodermalm", "Södermalms stadsdelsförvaltning", ["Södermalm", "Hammarby sjöstad"]),
    ("kungsholmen", "Kungsholmens stadsdelsförvaltning", ["Kungsholmen", "Stadshagen"]),
    ("norrmalm", "Norrmalms stadsdelsförvaltning", ["Vasastan", "Norrmalm"]),
    ("ostermalm", "Östermalms stadsdelsförvaltning", ["Östermalm", "Gärdet"]),
    ("bromma", "Bromma stadsdelsförvaltning", ["Bromma", "Abrahamsberg", "Traneberg"]),
    ("hasselby-vallingby", "Hässelby-Vällingby stadsdelsförvaltning", ["Hässelby", "Vällingby", "Råcksta"]),
    ("spanga-tensta", "Spånga-Tensta stadsdelsförvaltning", ["Spånga", "Tensta", "Hjulsta"]),
    ("rinkeby-kista", "Rinkeby-Kista stadsdelsförvaltning", ["Rinkeby", "Kista", "Husby", "Akalla"]),
]

STREETS = [
    "Sockenvägen", "Årstavägen", "Rågsvedsvägen", "Storforsplan", "Bredängsvägen", "Tenstavägen", "Rinkebysvingen",
    "Hässelby torg", "Vällingbyplan", "Götgatan", "Hornsgatan", "Fleminggatan", "Odengatan", "Karlavägen", "Bergsgatan",
    "Akalla torg", "Kistagången", "Skarpnäcks allé", "Farstavägen", "Huddingevägen", "Sätra torg", "Vårbergsvägen",
]
FIRST_NAMES = ["Test", "Anna", "Erik", "Maria", "Karl", "Sara", "Johan", "Fatima", "Ali", "Eva", "Lars", "Amira", "Omar",
               "Linnea", "Mohammed", "Elin", "Ahmed", "Sofia", "Hassan", "Emma", "Nils", "Leila", "Per", "Ida"]
SURNAMES = ["Testsson", "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
            "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Hassan", "Ali", "Mohammed", "Lindberg", "Berg", "Lund", "Holm"]
LANDLORDS = [
    "AB Familjebostäder", "AB Stockholmshem", "AB Svenska Bostäder", "Wallenstam AB", "Heimstaden AB",
    "Akelius Lägenheter AB", "Victoriahem AB", "Rikshem AB",
]
AGENTS = ["", "", "", "Intrum Sverige AB", "Lowell Sverige AB", "Visma Collectors AB"]

# The units a household may already be aktuell at, with weights (R1).
AKTUELL_UNITS = [("EKONOMISKT_BISTAND", 50), ("VUXNA", 15), ("MOTTAGNING_VUXNA", 8), ("FUNKTIONSNEDSATTNING", 7),
                 ("AO_BISTAND", 8), ("BARN_UNGA", 12)]
# Staff per organisation: (suffix, role, unit code, count).
STAFF = [
    ("hr", Role.HYRESRADGIVARE, "HYRESRADGIVNING", 3),
    ("mbu", Role.HANDLAGGARE, "MOTTAGNING_BARN_UNGA", 2),
    ("bu", Role.HANDLAGGARE, "BARN_UNGA", 1),
    ("mv", Role.HANDLAGGARE, "MOTTAGNING_VUXNA", 2),
    ("vux", Role.HANDLAGGARE, "VUXNA", 1),
    ("ekb", Role.HANDLAGGARE, "EKONOMISKT_BISTAND", 2),
    ("bost", Role.HANDLAGGARE, "BOSTAD", 1),
    ("aou", Role.HANDLAGGARE, "AO_UPPSOKARE", 1),
    ("aob", Role.HANDLAGGARE, "AO_BISTAND", 1),
    ("fn", Role.HANDLAGGARE, "FUNKTIONSNEDSATTNING", 1),
    ("chef", Role.CHEF, "MOTTAGNING_BARN_UNGA", 1),
    ("ordf", Role.BOSAM_ORDFORANDE, "HYRESRADGIVNING", 1),
]

NOTICES_PER_DISTRICT_YEAR = 1500
# Measured average (seed 1, 20,000 households: 1.66): the benchmark turns a notice count into households with it.
NOTICES_PER_HOUSEHOLD = 1.7
BOSAM_HISTORY_DAYS = 365
CHUNK_HOUSEHOLDS = 10_000
MANDATORY_KINDS = {"SEND_LETTER", "PHONE_CONTACT", "NOTIFY_CHILD_INTAKE", "REPORT_OF_CONCERN", "HOME_VISIT",
                   "HANDOVER_ADULT_INTAKE", "CONTACT_ELDERLY_OUTREACH", "COPY_TO_TENANCY_ADVISOR", "HOUSING_ROUTINE", "BOSAM_REVIEW"}

# Tables in an order that respects foreign keys (for bulk_create; COPY relies on deferred constraints).
MODELS = [Household, Person, ActiveInvolvement, Case, Notice, RoutingDecision, Assignment, Task, Contact, Deviation, AuditEvent,
          AgendaItem, Attendance, Activity]
RESET_TABLES = [Activity, Attendance, AgendaItem, "bosam_meetingdocument", Meeting, "bosam_meetingseries_departments",
                MeetingSeries, AuditEvent, Deviation, "cases_consent", Contact, Task, Assignment, RoutingDecision, Notice,
                Case, CaseNumberSequence, ActiveInvolvement, Person, Household, Landlord]


def weighted(rng: random.Random, pairs):
    total = sum(w for _v, w in pairs)
    x = rng.random() * total
    for value, weight in pairs:
        x -= weight
        if x < 0:
            return value
    return pairs[-1][0]


def at(day: dt.date, rng: random.Random, hour_from: int = 8, hour_to: int = 16) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(rng.randint(hour_from, hour_to - 1), rng.randint(0, 59)), tzinfo=STOCKHOLM)


class PinAllocator:
    """Unique test personnummer: serials 980–999 per birth date; when a date's 20 are used, its
    samordningsnummer (day + 60), then the next date with free serials.

    Full dates point onwards to the next date tried (path compression), so finding a free date
    stays cheap when millions of people fill the calendar: a plain day-by-day walk made the
    generator slow down quadratically near 600 000 people."""

    EARLIEST = dt.date(1920, 1, 1)

    def __init__(self, latest: dt.date | None = None):
        self.next_serial: dict[tuple, int] = {}
        self.onwards: dict[dt.date, dt.date] = {}
        # No birth date after this: past it the search goes on from EARLIEST (a number must never lie in the future).
        self.latest = latest or timezone.localdate()

    def _free(self, key) -> bool:
        return self.next_serial.get(key, 980) <= 999

    def _first_day_with_room(self, day: dt.date) -> dt.date:
        path = []
        while not (self._free((day, False)) or self._free((day, True))):
            path.append(day)
            day = self.onwards.get(day, day + dt.timedelta(days=1))
            if day > self.latest:
                day = self.EARLIEST
        for full in path:
            self.onwards[full] = day
        return day

    def take(self, born: dt.date, samordning: bool = False) -> tuple[str, dt.date]:
        day = self._first_day_with_room(born)
        if not self._free((day, samordning)):
            samordning = not samordning
        key = (day, samordning)
        serial = self.next_serial.get(key, 980)
        self.next_serial[key] = serial + 1
        return test_pin(day, serial, samordning=samordning), day


class Writer:
    """Rows per table as tuples of attnames; flushed by COPY (PostgreSQL) or bulk_create."""

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"
        self.columns = {m: [f.attname for f in m._meta.concrete_fields] for m in MODELS}
        self.json_fields = {m: {f.attname for f in m._meta.concrete_fields if f.get_internal_type() == "JSONField"} for m in MODELS}
        # A column the generator does not fill gets the model field's own default (a field added later stays valid).
        self.field_defaults = {m: {f.attname: f.get_default() for f in m._meta.concrete_fields} for m in MODELS}
        self.rows: dict = defaultdict(list)
        self.next_id = {}
        self.totals: dict = defaultdict(int)
        for model in MODELS:
            last = model._base_manager.order_by("-pk").values_list("pk", flat=True).first()
            self.next_id[model] = (last or 0) + 1

    def add(self, model, **values) -> int:
        if "id" not in values:
            values["id"] = self.next_id[model]
            self.next_id[model] += 1
        self.rows[model].append(values)
        return values["id"]

    def flush(self) -> None:
        with transaction.atomic():
            for model in MODELS:
                rows = self.rows.pop(model, [])
                if not rows:
                    continue
                self.totals[model] += len(rows)
                if self.postgres:
                    self._copy(model, rows)
                else:
                    objs = [model(**row) for row in rows]
                    model.objects.bulk_create(objs, batch_size=500)

    def _copy(self, model, rows) -> None:
        columns = self.columns[model]
        json_fields = self.json_fields[model]
        field_defaults = self.field_defaults[model]
        buffer = io.StringIO()
        for row in rows:
            values = (row.get(c, _DEFAULTS.get(c, field_defaults[c])) for c in columns)
            buffer.write("\t".join(_copy_value(value, c in json_fields) for c, value in zip(columns, values, strict=True)))
            buffer.write("\n")
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(f'COPY {model._meta.db_table} ({", ".join(columns)}) FROM STDIN', buffer)

    def fix_sequences(self) -> None:
        if not self.postgres:
            return
        with connection.cursor() as cursor:
            for model in [*MODELS, Meeting, CaseNumberSequence]:
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 1))"  # noqa: S608
                )


# Field defaults for columns a row leaves out (model defaults the generator does not set).
_DEFAULTS = {
    "apartment_number": "", "postal_code": "", "city": "", "area": "", "phone": "", "other_residents": "",
    "birth_date": None, "protected_identity": False, "child_residence": "", "personal_identity_number": "",
    "closed_at": None, "contact_established_on": None, "outcome": "", "outcome_note": "", "lead_unit_id": None, "urgent": False,
    "recovery_deadline": None, "eviction_date": None, "next_due_date": None, "debt_amount": None, "flags": [], "explanation": [],
    "agent": "", "landlord_reference": "", "kronofogden_reference": "", "document_date": None, "served_date": None,
    "termination_date": None, "eviction_time": None, "reply_deadline": None, "debt_months": None, "recovery_amount": None,
    "monthly_rent": None, "warning_date": None, "description": "", "attachment": "", "registered_by_id": None, "landlord_id": None,
    "notice_id": None, "changes": [], "user_id": None, "decision_id": None, "is_manual": False, "reason": "", "ended_at": None,
    "end_reason": "", "title": "", "assignee_id": None, "completed_at": None, "completed_by_id": None, "completion_note": "",
    "created_by_id": None, "note": "", "established": False, "case_id": None, "dedupe_key": "", "automatic": True,
    "detail": "", "without_assignment": False, "ip_address": None, "user_unit_id": None, "case_worker_id": None, "ended": None,
    "added_by_chair": False, "added_reason": "", "removed_at": None, "removed_reason": "", "representative": "", "item_id": None,
    "rules": [], "plan_version": "", "latest_notice_type": "", "children_count": 0, "rooms": None,
}


def _copy_value(value, is_json: bool) -> str:
    if value is None:
        return r"\N"
    kind = type(value)
    if is_json:
        kind = None
    if kind is int:
        return str(value)
    if kind is str:
        text = value
        if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
            return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
        return text
    if is_json:
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, bool):
        return "t" if value else "f"
    elif isinstance(value, dt.datetime | dt.date | dt.time):
        text = value.isoformat()
    else:
        text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class Command(BaseCommand):
    help = "Skapar syntetiska testdata i stor skala (endast testpersonnummer) för prestandamätningar."

    def add_arguments(self, parser):
        size = parser.add_mutually_exclusive_group(required=True)
        size.add_argument("--households", type=int, help="Antal hushåll (ca 1,7 underrättelser per hushåll).")
        size.add_argument("--notices", type=int, help="Skapa hushåll tills så många underrättelser finns (i stället för --households).")
        parser.add_argument("--seed", type=int, default=1, help="Slumpfrö; samma frö ger samma data.")
        parser.add_argument("--organisations", type=int, default=13, help="Antal stadsdelsförvaltningar (högst 13).")
        parser.add_argument("--reset", action="store_true", help="Töm alla ärende- och BOSAM-tabeller först (bara i en testdatabas!).")
        parser.add_argument("--today", help="Datum att bygga data kring (YYYY-MM-DD); standard: i dag.")

    def handle(self, *args, **options):
        if not 1 <= options["organisations"] <= len(DISTRICTS):
            raise CommandError(f"--organisations ska vara 1–{len(DISTRICTS)}.")
        if (options["households"] or options["notices"] or 0) < 1:
            raise CommandError("Ange --households eller --notices, minst 1.")
        today = dt.date.fromisoformat(options["today"]) if options.get("today") else timezone.localdate()
        started = time.perf_counter()
        if options["reset"]:
            reset_tables()
            self.stdout.write("Tabellerna tömda.")
        # Routing asks for the same working-day sums again and again; a cache makes a million decisions affordable.
        original = routing.add_working_days
        routing.add_working_days = functools.lru_cache(maxsize=200_000)(workdays.add_working_days)
        try:
            generator = Generator(
                households=options["households"], notices=options["notices"], seed=options["seed"],
                organisations=options["organisations"], today=today,
                progress=lambda text: self.stdout.write(f"[{time.perf_counter() - started:7.1f} s] {text}"),
            )
            totals = generator.run()
        finally:
            routing.add_working_days = original
        summary = ", ".join(f"{m.__name__}: {n}" for m, n in totals.items())
        self.stdout.write(self.style.SUCCESS(f"Klart på {time.perf_counter() - started:.1f} s. {summary}"))


def reset_tables() -> None:
    tables = [t if isinstance(t, str) else t._meta.db_table for t in RESET_TABLES]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Inside an outer transaction (a test) the deferred foreign-key checks must run before TRUNCATE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (table names are ours)


@dataclasses.dataclass(frozen=True)
class CaseInput:
    """What one case is built from: its household's facts and the two dates drawn for it."""

    o: dict
    case_id: int
    housing: str
    phone: str
    members: list
    involvements: list
    first: dt.date
    contact_on: dt.date | None
    letter_on: dt.date | None


class Generator:
    def __init__(self, *, households: int | None, notices: int | None, seed: int, organisations: int, today: dt.date, progress):
        # With a notice target the household count is estimated for the time span, then households are made until it is met.
        self.target_notices = notices
        self.n = households or max(1, round(notices / NOTICES_PER_HOUSEHOLD))
        self.rng = random.Random(seed)  # noqa: S311 (synthetic data, reproducible by seed)
        self.today = today
        self.progress = progress
        self.config = routing.PlanConfig()
        self.pins = PinAllocator(latest=today)
        self.districts = DISTRICTS[:organisations]
        per_org = self.n / organisations
        households_per_year = NOTICES_PER_DISTRICT_YEAR / NOTICES_PER_HOUSEHOLD
        self.span_days = max(120, int(per_org / households_per_year * 365))
        self.case_numbers: dict[tuple, int] = defaultdict(int)
        self.cases: list[tuple] = []  # compact facts for BOSAM: (case_id, org, opened, closed, children, notices[(date, type)])

    # --- set-up --------------------------------------------------------------------------

    def setup_organisations(self) -> None:
        self.orgs = []
        for code, name, areas in self.districts:
            org = create_organisation(Organisation, Department, Unit, code=code, name=name)
            units = {u.code: u for u in org.units.all()}
            staff = defaultdict(list)
            for suffix, role, unit_code, count in STAFF:
                group = Group.objects.get_or_create(name=role.value)[0]
                for i in range(1, count + 1):
                    user, created = User.objects.get_or_create(
                        username=f"gen-{code}-{suffix}{i}",
                        defaults={"organisation": org, "unit": units[unit_code], "first_name": suffix.upper(), "last_name": f"{code} {i}",
                                  "email": f"{suffix}{i}.{code}@example.se", "is_staff": role == Role.BOSAM_ORDFORANDE},
                    )
                    if created:
                        user.set_unusable_password()
                        user.save(update_fields=["password"])
                    user.groups.add(group)
                    staff[(role.value, unit_code)].append(user.pk)
            landlords = []
            for i, landlord_name in enumerate(LANDLORDS):
                digits = f"55{(hash_int(code) + i * 7919) % 10_000_000:07d}"
                org_number = digits + luhn.calc_check_digit(digits)
                landlord, _created = Landlord.objects.get_or_create(
                    organisation=org, org_number=f"{org_number[:6]}-{org_number[6:]}",
                    defaults={"name": landlord_name, "phone": "08-123 456 00", "email": "hyra@example.se"},
                )
                landlords.append(landlord.pk)
            series = self.setup_series(org)
            self.orgs.append({
                "org": org, "code": code, "areas": areas, "units": units, "unit_ids": {c: u.pk for c, u in units.items()},
                "staff": staff, "advisors": staff[(Role.HYRESRADGIVARE.value, "HYRESRADGIVNING")],
                "chair": staff[(Role.BOSAM_ORDFORANDE.value, "HYRESRADGIVNING")][0], "landlords": landlords, "series": series,
                "departments": list(org.departments.order_by("pk").values_list("pk", flat=True)),
                "department_names": {pk: (code, name) for pk, code, name in org.departments.values_list("pk", "code", "name")},
            })

    def setup_series(self, org) -> dict:
        series, created = MeetingSeries.objects.get_or_create(
            organisation=org, name=f"BOSAM {org.name.replace(' stadsdelsförvaltning', '')}",
            defaults={"weekday": Weekday.TUESDAY, "time": dt.time(9, 0), "place": "Stadsdelsförvaltningen, sammanträdesrum 1",
                      "interval_days": 14, "start_date": self.today - dt.timedelta(days=BOSAM_HISTORY_DAYS)},
        )
        if created:
            series.departments.set(org.departments.all())
        bosam_services.plan_meetings(today=self.today, organisation=org)
        past = [a for _n, a in bosam_services.series_dates(series, series.start_date, self.today - dt.timedelta(days=1))]
        scheduled = [n for n, _a in bosam_services.series_dates(series, series.start_date, self.today - dt.timedelta(days=1))]
        future = list(Meeting.objects.filter(series=series, date__gte=self.today).order_by("date").values_list("date", flat=True))
        # On a second run the past meetings of the first are there already: only the missing ones are made.
        held = set(Meeting.objects.filter(series=series, date__lt=self.today).values_list("scheduled_date", flat=True))
        to_make = [(n, a) for n, a in zip(scheduled, past, strict=True) if n not in held]
        return {"obj": series, "past": to_make, "dates": sorted(past + future)}

    def next_meeting(self, o: dict, day: dt.date) -> dt.date | None:
        dates = o["series"]["dates"]
        if not dates or day < self.today - dt.timedelta(days=BOSAM_HISTORY_DAYS):
            return None
        i = bisect.bisect_left(dates, day)
        return dates[i] if i < len(dates) else None

    # --- the run -----------------------------------------------------------------------

    def continue_numbering(self) -> None:
        """Case numbers go on from what the database holds (the demo data, an earlier run): never the same number twice."""
        org_ids = [o["org"].pk for o in self.orgs]
        for org_id, year, last in CaseNumberSequence.objects.filter(organisation__in=org_ids).values_list("organisation", "year", "last"):
            self.case_numbers[(org_id, year)] = last
        # A number given without its sequence (a hand-made row) counts too.
        for org_id, number in Case.objects.filter(organisation__in=org_ids).values_list("organisation", "number").iterator():
            year, _dash, serial = number.partition("-")
            if year.isdigit() and serial.isdigit():
                key = (org_id, int(year))
                self.case_numbers[key] = max(self.case_numbers[key], int(serial))

    def save_numbering(self) -> None:
        for (org_id, year), last in self.case_numbers.items():
            CaseNumberSequence.objects.update_or_create(organisation_id=org_id, year=year, defaults={"last": last})

    def run(self) -> dict:
        self.setup_organisations()
        self.continue_numbering()
        self.progress(f"{len(self.orgs)} organisationer, tidsspann {self.span_days} dagar, {self.n} hushåll")
        self.writer = Writer()
        first_notice = self.writer.next_id[Notice]
        index = 0
        while (index < self.n) if self.target_notices is None else (self.writer.next_id[Notice] - first_notice < self.target_notices):
            self.household(self.orgs[index % len(self.orgs)])
            index += 1
            if index % CHUNK_HOUSEHOLDS == 0:
                self.writer.flush()
                self.progress(f"{index} hushåll, {self.writer.totals[Notice]} underrättelser")
        self.writer.flush()
        self.progress(f"{index} hushåll, {self.writer.totals[Notice]} underrättelser; BOSAM-historik …")
        self.save_numbering()
        self.bosam_history()
        self.writer.flush()
        self.writer.fix_sequences()
        if connection.vendor == "postgresql":
            # Fresh statistics after a bulk load, as autovacuum would give them later: the planner needs them.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.freeze_minutes()
        self.progress("klart")
        return dict(self.writer.totals)

    # --- one household and its cases ---------------------------------------------------------

    def household(self, o: dict) -> None:
        rng = self.rng
        start = self.today - dt.timedelta(days=rng.randrange(self.span_days))
        housing = weighted(rng, [("ORDINARY", 920), ("TRIAL_FLAT", 25), ("TRAINING_FLAT", 20), ("SHIS", 25), ("OTHER", 10)])
        surname = rng.choice(SURNAMES)
        phone = f"070-{rng.randint(1000000, 9999999)}" if rng.random() < 0.7 else ""
        household_id = self.writer.add(
            Household, organisation_id=o["org"].pk, street_address=f"{rng.choice(STREETS)} {rng.randint(1, 299)}",
            apartment_number=f"{rng.randint(1, 19):02d}{rng.randint(1, 12):02d}",
            postal_code=f"1{rng.randint(2, 9)}{rng.randint(0, 999):03d}",
            city="Stockholm", area=rng.choice(o["areas"]), housing_type=housing, rooms=rng.randint(1, 5),
            phone=phone, created_at=at(start, rng),
        )
        members = self.members(household_id, o["org"].pk, start, surname)
        involvements = []
        if rng.random() < 0.2:
            has_children = any(m["role"] == "CHILD" for m in members)
            for _ in range(1 if rng.random() < 0.8 else 2):
                code = weighted(rng, [(c, w) for c, w in AKTUELL_UNITS if has_children or c != "BARN_UNGA"])
                if code in [i["unit"] for i in involvements]:
                    continue
                workers = o["staff"].get((Role.HANDLAGGARE.value, code), [])
                worker = rng.choice(workers) if workers and rng.random() < 0.5 else None
                started = start - dt.timedelta(days=rng.randint(30, 900))
                self.writer.add(ActiveInvolvement, household_id=household_id, unit_id=o["unit_ids"][code], case_worker_id=worker,
                                started=started)
                involvements.append({"unit": code, "user_id": worker})
        day = start
        for _case_index in range(2 if rng.random() < 0.12 else 1):
            closed = self.case(o, household_id, housing, phone, members, involvements, day)
            if closed is None:
                break  # the case is still open: no later case for the household
            day = closed + dt.timedelta(days=rng.randint(60, 900))
            if day >= self.today:
                break

    def members(self, household_id: int, org_id: int, start: dt.date, surname: str) -> list[dict]:
        rng = self.rng
        members = []
        age = weighted(rng, [(rng.randint(19, 29), 20), (rng.randint(30, 49), 45), (rng.randint(50, 64), 25), (rng.randint(65, 92), 10)])
        tenant_born = start - dt.timedelta(days=age * 365 + rng.randrange(365))
        protected = rng.random() < 0.01
        adults = [("TENANT", tenant_born)]
        if rng.random() < 0.25:
            adults.append(("CO_TENANT", tenant_born + dt.timedelta(days=rng.randint(-3000, 3000))))
        if rng.random() < 0.05:
            adults.append(("OTHER_ADULT", start - dt.timedelta(days=rng.randint(19, 60) * 365)))
        for role, born in adults:
            pin, born = self.pins.take(born, samordning=rng.random() < 0.03)
            name = f"{rng.choice(FIRST_NAMES)} {surname}"
            self.writer.add(Person, household_id=household_id, organisation_id=org_id, name=name, personal_identity_number=pin,
                            protected_identity=protected, role=role)
            members.append({"role": role, "born": born})
        # Children in about a third of households.
        if rng.random() < 1 / 3:
            for i in range(weighted(rng, [(1, 45), (2, 35), (3, 15), (4, 5)])):
                born = start - dt.timedelta(days=rng.randint(60, 17 * 365))
                residence = weighted(rng, [("LIVING", 85), ("ALTERNATING", 10), ("VISITING", 5)])
                pin = ""
                if rng.random() < 0.5:
                    pin, born = self.pins.take(born)
                self.writer.add(Person, household_id=household_id, organisation_id=org_id, name=f"Barn{i + 1} {surname}",
                                personal_identity_number=pin, birth_date=born, protected_identity=protected, role="CHILD",
                                child_residence=residence)
                members.append({"role": "CHILD", "born": born, "residence": residence})
        return members

    def notice_chain(self, first: dt.date) -> list[tuple[str, dt.date]]:
        """Types and received dates of the notices of one case (proportions of deadlines.md)."""
        rng = self.rng
        kind = weighted(rng, [("RENT_ARREARS_TERMINATION", 75), ("DISTURBANCE_WARNING", 12), ("DISTURBANCE_TERMINATION", 3),
                              ("OTHER_TERMINATION", 6), ("EVICTION_APPLICATION", 3)])
        chain = [(kind, first)]
        day = first
        to_kronofogden = 0.0
        if kind == "RENT_ARREARS_TERMINATION":
            while rng.random() < 0.4:  # new arrears, a new termination some months later
                day += dt.timedelta(days=rng.randint(45, 240))
                chain.append(("RENT_ARREARS_TERMINATION", day))
            to_kronofogden = 0.08
        elif kind == "DISTURBANCE_WARNING":
            if rng.random() < 0.3:
                day += dt.timedelta(days=rng.randint(30, 120))
                chain.append(("DISTURBANCE_WARNING", day))
            if rng.random() < 0.25:
                day += dt.timedelta(days=rng.randint(30, 180))
                chain.append(("DISTURBANCE_TERMINATION", day))
                to_kronofogden = 0.15
        elif kind in ("DISTURBANCE_TERMINATION", "OTHER_TERMINATION"):
            to_kronofogden = 0.12
        if kind == "EVICTION_APPLICATION" or rng.random() < to_kronofogden:
            self.kronofogden_chain(chain, day, application_sent=kind == "EVICTION_APPLICATION")
        return chain

    def kronofogden_chain(self, chain: list[tuple[str, dt.date]], day: dt.date, *, application_sent: bool) -> None:
        """Kronofogden's part of a chain: the application, then its withdrawal or an eviction date (appended to chain)."""
        rng = self.rng
        if not application_sent:
            day += dt.timedelta(days=rng.randint(30, 90))
            chain.append(("EVICTION_APPLICATION", day))
        # About 58 % of applications are withdrawn (Kronofogden 2025): some before, some after the date is set.
        if rng.random() < 0.45:
            day += dt.timedelta(days=rng.randint(10, 60))
            chain.append(("EVICTION_CANCELLED", day))
        else:
            day += dt.timedelta(days=rng.randint(20, 60))
            chain.append(("EVICTION_DATE", day))
            if rng.random() < 0.25:
                day += dt.timedelta(days=rng.randint(3, 14))
                chain.append(("EVICTION_CANCELLED", day))

    def case(self, o, household_id, housing, phone: str, members, involvements, first: dt.date) -> dt.date | None:
        """One case: its notices, decisions, assignments, tasks, contacts, audit. Returns the closing date, or None if open."""
        rng, w, today = self.rng, self.writer, self.today
        org_id = o["org"].pk
        full_chain = self.notice_chain(first)
        chain = [(t, d) for t, d in full_chain if d <= today]
        executed, closed_on = self.closing(chain, full_chain)
        is_open = closed_on is None
        evaluated = closed_on or today
        year = first.year
        self.case_numbers[(org_id, year)] += 1
        number = f"{year}-{self.case_numbers[(org_id, year)]:04d}"
        case_id = w.next_id[Case]
        w.next_id[Case] += 1
        advisor = rng.choice(o["advisors"])
        contact_on = first + dt.timedelta(days=rng.randint(1, 20)) if rng.random() < 0.62 else None
        letter_on = workdays.add_working_days(first, 1) if rng.random() < 0.95 else None
        notices = self.notices(o, case_id, chain, advisor)
        notice_facts = [
            NoticeFacts(v["notice_type"], v["received_date"], notice_id, v.get("served_date"), v.get("eviction_date"),
                        v.get("debt_amount"), v.get("sent_date"), v.get("reply_deadline"), v.get("ground", ""))
            for notice_id, v in notices
        ]
        facts_in = CaseInput(o, case_id, housing, phone, members, involvements, first, contact_on, letter_on)
        assignments, tasks, decision, version = self.plan(facts_in, notices, notice_facts, is_open)
        for current in assignments.values():
            w.add(Assignment, **current)

        # Contacts and what was done; the audit trail of it.
        audit = [("NOTICE_REGISTER", v["registered_at"], advisor, v["notice_type"]) for _i, v in notices]
        self.contacts(case_id, first, contact_on, evaluated, advisor, audit)
        next_due = self.tasks(org_id, case_id, tasks, contact_on, letter_on, closed_on, advisor, audit)
        for _ in range(rng.randint(0, 2)):
            viewed = first + dt.timedelta(days=rng.randint(0, max(0, (evaluated - first).days)))
            audit.append(("CASE_VIEW", at(viewed, rng), rng.choice(o["advisors"]), ""))

        # The case row with the facts the services keep on it.
        facts = case_facts(
            notice_facts, tuple(routing.Member(m["role"], age_on(m["born"], chain[-1][1]), m.get("residence", "")) for m in members),
            recovery_period_start=self.config.recovery_period_start,
        )
        types = [v["notice_type"] for _i, v in notices]
        lead = next((a for a in assignments.values() if a["role"] == "LEAD" and a["ended_at"] is None), None)
        opened_at = notices[0][1]["registered_at"]
        closed_at = at(closed_on, rng) if closed_on else None
        outcome = ""
        if closed_on:
            outcome = self.outcome(executed, types)
            audit.append(("CASE_CLOSE", closed_at, advisor, outcome))
        w.add(Case, id=case_id, organisation_id=org_id, household_id=household_id, number=number, status="CLOSED" if closed_on else "OPEN",
              opened_at=opened_at, closed_at=closed_at,
              contact_established_on=contact_on if contact_on and contact_on <= evaluated else None,
              outcome=outcome, lead_unit_id=lead["unit_id"] if lead else None,
              urgent=bool(not closed_on and is_urgent(today=today, recovery_deadline=facts.recovery_deadline,
                                                      eviction_date=facts.eviction_date, reply_deadline=facts.reply_deadline,
                                                      next_meeting_date=self.next_meeting(o, today + dt.timedelta(days=1)),
                                                      within_working_days=self.config.urgency_fallback_days)),
              recovery_deadline=facts.recovery_deadline, recovery_deadline_basis=facts.recovery_deadline_basis,
              recovery_deadline_other=facts.recovery_deadline_other, reply_deadline=facts.reply_deadline,
              eviction_date=facts.eviction_date,
              next_due_date=None if closed_on else next_due, children_count=facts.children_count, debt_amount=facts.debt_amount,
              latest_notice_type=facts.latest_notice_type, plan_version=self.config.version,
              explanation=routing.explanation_data(decision), flags=facts.flags, version=version + len(audit),
              updated_at=closed_at or at(today, rng, 5, 6))
        for action, moment, user_id, detail in audit:
            w.add(AuditEvent, organisation_id=org_id, user_id=user_id, user_unit_id=o["unit_ids"]["HYRESRADGIVNING"], case_id=case_id,
                  action=action, detail=detail, without_assignment=False, at=moment)
        self.cases.append((case_id, o["code"], first, closed_on, facts.children_count, tuple((d, t) for t, d in chain)))
        return closed_on

    def closing(self, chain, full_chain) -> tuple[bool, dt.date | None]:
        """Whether the eviction was executed, and the closing date (None: still open after today, or notices still to come)."""
        today = self.today
        last_day = chain[-1][1]
        types = [t for t, _d in chain]
        executed = "EVICTION_DATE" in types and "EVICTION_CANCELLED" not in types
        closed_on = last_day + dt.timedelta(days=self.rng.randint(15, 60))
        if executed:
            closed_on = max(closed_on, last_day + dt.timedelta(days=40))
        if closed_on > today or len(chain) < len(full_chain):
            closed_on = None
        return executed, closed_on

    def notices(self, o, case_id, chain, advisor) -> list[tuple[int, dict]]:
        """The notices, with the details each type carries."""
        rng, w = self.rng, self.writer
        landlord = rng.choice(o["landlords"])
        rent = Decimal(rng.randrange(4500, 14000, 50))
        notices = []
        debt = None
        for kind, received in chain:
            kronofogden = kind in routing.KRONOFOGDEN_NOTICES or (kind == "EVICTION_CANCELLED" and rng.random() < 0.7)
            values = {"case_id": case_id, "notice_type": kind, "received_date": received,
                      "sender_kind": "KRONOFOGDEN" if kronofogden else "LANDLORD", "landlord_id": None if kronofogden else landlord,
                      "channel": weighted(rng, [("POST", 60), ("EMAIL", 25), ("PORTAL", 10), ("API", 5)]),
                      "document_date": received - dt.timedelta(days=rng.randint(1, 6)), "registered_by_id": advisor,
                      "registered_at": at(received, rng)}
            debt = self.notice_details(values, rent, debt)
            notice_id = w.add(Notice, **values)
            notices.append((notice_id, values))
        return notices

    def notice_details(self, values: dict, rent: Decimal, debt: Decimal | None) -> Decimal | None:
        """The fields of the notice's type added to values; returns the debt the later notices carry."""
        rng = self.rng
        kind, received = values["notice_type"], values["received_date"]
        if kind == "RENT_ARREARS_TERMINATION":
            months = rng.randint(1, 6)
            debt = rent * months + Decimal(rng.randrange(0, 3000))
            served = received - dt.timedelta(days=rng.randint(0, 6)) if rng.random() < 0.93 else None
            values.update(served_date=served, termination_date=values["document_date"], debt_amount=debt, debt_months=months,
                          recovery_amount=debt, monthly_rent=rent, landlord_reference=f"H-{rng.randint(1000, 99999)}",
                          agent=rng.choice(AGENTS))
        elif kind in ("DISTURBANCE_WARNING", "DISTURBANCE_TERMINATION", "OTHER_TERMINATION"):
            values.update(warning_date=values["document_date"] if kind == "DISTURBANCE_WARNING" else None,
                          termination_date=values["document_date"] if kind != "DISTURBANCE_WARNING" else None,
                          description="Störande ljud nattetid enligt grannar." if kind.startswith("DISTURBANCE") else
                          "Otillåten andrahandsuthyrning.", landlord_reference=f"S-{rng.randint(1000, 99999)}")
        elif kind in routing.KRONOFOGDEN_NOTICES:
            values.update(kronofogden_reference=f"KFM-{received.year}-{rng.randint(10000, 999999)}",
                          reply_deadline=received + dt.timedelta(days=14), debt_amount=debt)
            if kind == "EVICTION_DATE":
                values.update(eviction_date=received + dt.timedelta(days=rng.randint(14, 35)),
                              eviction_time=dt.time(rng.choice([8, 9, 10, 13]), 0))
        return debt

    def plan(self, c: CaseInput, notices, notice_facts, is_open: bool) -> tuple[dict, dict, routing.Decision, int]:
        """The plan, notice by notice (trigger NOTICE), then today's daily check for an open case.

        Returns the assignments and tasks as rows, the last decision and the case's version."""
        rng, w, today = self.rng, self.writer, self.today
        assignments: dict[str, dict] = {}
        tasks: dict[str, dict] = {}
        decision = None
        evaluations = [(values["received_date"], "NOTICE", notice_id, i) for i, (notice_id, values) in enumerate(notices)]
        if is_open:
            evaluations.append((today, "DAILY", None, len(notices) - 1))
        version = 1
        for day, trigger, notice_id, last in evaluations:
            latest = notices[last][1]
            inp = self.decision_input(c, notices[: last + 1], notice_facts[: last + 1], tasks, day)
            decision = routing.decide(inp, self.config)
            moment = latest["registered_at"] + dt.timedelta(seconds=1) if trigger == "NOTICE" else at(day, rng, 5, 6)
            changes = self.reconcile(c.o, c.case_id, decision, assignments, tasks, moment, inp, c.letter_on)
            if trigger == "DAILY" and not changes:
                break
            record_id = w.add(RoutingDecision, case_id=c.case_id, notice_id=notice_id, trigger=trigger, plan_version=decision.plan_version,
                              rules_fired=list(decision.rules_fired), explanation=routing.explanation_data(decision), changes=changes,
                              created_at=moment)
            for entry in [*assignments.values(), *tasks.values()]:
                if entry.get("decision_id") == "pending":
                    entry["decision_id"] = record_id
            version += 1
        return assignments, tasks, decision, version

    def decision_input(self, c: CaseInput, notices, notice_facts, tasks: dict, day: dt.date) -> routing.DecisionInput:
        """What routing is given on that day, from the notices so far."""
        latest = notices[-1][1]
        dates = case_dates(notice_facts, recovery_period_start=self.config.recovery_period_start)
        return routing.DecisionInput(
            notice_type=latest["notice_type"], notice_types_on_case=tuple(v["notice_type"] for _i, v in notices),
            received_date=latest["received_date"], first_received_date=c.first,
            members=tuple(routing.Member(m["role"], age_on(m["born"], latest["received_date"]), m.get("residence", ""))
                          for m in c.members),
            active_units=tuple(routing.ActiveUnit(i["unit"], i["user_id"]) for i in c.involvements), housing_type=c.housing,
            phone_known=bool(c.phone), contact_established=c.contact_on is not None and c.contact_on <= day,
            letter_sent_date=c.letter_on if c.letter_on and c.letter_on <= day else None, today=day,
            next_meeting_date=self.next_meeting(c.o, day),
            escalations_done=tuple(k for k in tasks if k in reconcile.ESCALATION_TASK_KINDS),
            recovery_deadline=dates.recovery_deadline, eviction_date=dates.eviction_date, reply_deadline=dates.reply_deadline,
        )

    def contacts(self, case_id, first: dt.date, contact_on, evaluated: dt.date, advisor, audit: list) -> None:
        """The contact established (with its audit entry), or at times a failed attempt."""
        rng, w = self.rng, self.writer
        if contact_on and contact_on <= evaluated:
            channel = weighted(rng, [("PHONE", 60), ("VISIT", 15), ("MEETING", 15), ("LETTER", 10)])
            w.add(Contact, case_id=case_id, date=contact_on, channel=channel, established=True, note="Kontakt etablerad.",
                  created_by_id=advisor, created_at=at(contact_on, rng))
            audit.append(("CONTACT_REGISTER", at(contact_on, rng), advisor, channel))
        elif rng.random() < 0.4:
            attempt = min(first + dt.timedelta(days=rng.randint(1, 10)), evaluated)
            w.add(Contact, case_id=case_id, date=attempt, channel="PHONE", established=False, note="Inget svar.",
                  created_by_id=advisor, created_at=at(attempt, rng))

    def tasks(self, org_id, case_id, tasks: dict, contact_on, letter_on, closed_on, advisor, audit: list) -> dt.date | None:
        """The task rows with their outcome, and a deviation for an overdue mandatory one. Returns the next open due date."""
        rng, w, today = self.rng, self.writer, self.today
        next_due = None
        for kind, t in tasks.items():
            status, completed = self.task_outcome(kind, t, contact_on, letter_on, closed_on)
            completed_at = at(completed, rng) if completed else None
            if completed_at and completed_at < t["created_at"]:
                completed_at = t["created_at"] + dt.timedelta(hours=1)
            task_id = w.add(Task, case_id=case_id, kind=kind, unit_id=t["unit_id"], assignee_id=t["assignee_id"], due_date=t["due"],
                            status=status, rules=t["rules"], plan_version=self.config.version, decision_id=t["decision_id"],
                            created_at=t["created_at"], completed_at=completed_at,
                            completed_by_id=advisor if status == "DONE" else None,
                            note_sentence="case_closed" if status == "CANCELLED" and closed_on else "")
            if status == "DONE":
                audit.append(("TASK_COMPLETE", completed_at, advisor, kind))
            if status == "OPEN":
                next_due = min(next_due, t["due"]) if next_due else t["due"]
                if kind in MANDATORY_KINDS and t["due"] < today:
                    w.add(Deviation, organisation_id=org_id, case_id=case_id, kind="TASK_OVERDUE", automatic=True,
                          dedupe_key=f"task-overdue-{task_id}", occurred_on=today,
                          sentence="task_overdue", params={"task": kind, "date": t["due"].isoformat()}, created_at=at(today, rng, 5, 6))
        return next_due

    def outcome(self, executed: bool, types: list[str]) -> str:
        """The outcome a closed case is given (proportions of deadlines.md)."""
        if executed:
            return "EVICTED"
        if "EVICTION_CANCELLED" in types:
            return weighted(self.rng, [("PREVENTED_PAID", 45), ("PREVENTED_AGREEMENT", 30), ("PREVENTED_SOCIAL_SERVICES", 25)])
        return weighted(self.rng, [("PREVENTED_PAID", 35), ("PREVENTED_AGREEMENT", 20), ("PREVENTED_SOCIAL_SERVICES", 15),
                                   ("PREVENTED_WITHDRAWN", 10), ("MOVED", 8), ("NEW_HOUSING", 5), ("OTHER", 7)])

    def reconcile(self, o, case_id, decision, assignments: dict, tasks: dict, moment, inp, letter_on) -> list[str]:
        """The decision applied to the in-memory rows with the services' own pure code (cases.rules.reconcile)."""
        active = {code: reconcile.ActiveAssignment(code, a["role"], a["user_id"], tuple(a["rules"])) for code, a in assignments.items()}
        result = reconcile.reconcile_assignments(active, decision, o["unit_ids"])
        for code, wanted in result.ended:
            current = assignments.pop(code)
            current["ended_at"] = moment
            self.writer.add(Assignment, **current, end_sentence="plan_new_role", end_params={"role": str(wanted)})
        for new in result.created:
            assignments[new.unit] = self.new_assignment(o, case_id, new.unit, new.role, new.user_id, list(new.rules), moment)
        changes = result.change_lines(active)
        users = {code: a["user_id"] for code, a in assignments.items() if a["user_id"]}
        return changes + self.reconcile_tasks(o, decision, tasks, users, moment, inp, letter_on)

    def reconcile_tasks(self, o, decision, tasks: dict, users: dict, moment, inp, letter_on) -> list[str]:
        """The decision's tasks applied to the in-memory task rows: created, due dates moved, cancelled."""
        changes = []
        day = inp.today

        def is_open(kind, t) -> bool:
            # As the services see it on that day: the letter's task is done once the letter went (task_outcome).
            return not t.get("cancelled") and not (kind == "SEND_LETTER" and letter_on and letter_on <= day)

        existing = [reconcile.ExistingTask(k, "CANCELLED" if t.get("cancelled") else "OPEN" if is_open(k, t) else "DONE", t["due"])
                    for k, t in tasks.items()]
        created = set()
        for plan in reconcile.tasks_to_create(decision, reconcile.existing_task_kinds(decision, existing), o["unit_ids"]):
            tasks[plan.kind] = {"unit_id": o["unit_ids"][plan.unit], "assignee_id": users.get(plan.unit), "due": plan.due_date,
                                "rules": list(plan.rules), "decision_id": "pending", "created_at": moment}
            created.add(plan.kind)
            changes.append(f"TASK {plan.kind}")
        for kind, t in tasks.items():
            if kind in created or not is_open(kind, t):
                continue
            due = reconcile.moved_due(kind, t["due"], decision, inp)
            if due != t["due"]:
                changes.append(f"DUE {kind} {t['due'].isoformat()} -> {due.isoformat()}")
                t["due"] = due
        if reconcile.eviction_tasks_cancelled(inp):
            gone = [k for k in routing.EVICTION_BOUND if k in tasks and is_open(k, tasks[k])]
            for kind in gone:
                tasks[kind]["cancelled"] = day
            if gone:
                changes.append("CANCEL EVICTION TASKS")
        # task_outcome gives these tasks their CANCELLED status; here only the change is recorded, once.
        for kind in reconcile.tasks_to_cancel(inp.contact_established, [k for k, t in tasks.items() if is_open(k, t)]):
            tasks[kind]["cancelled"] = True
            changes.append(f"CANCEL {kind}")
        return changes

    def new_assignment(self, o, case_id, code, role, user_id, rules, moment) -> dict:
        return {"case_id": case_id, "unit_id": o["unit_ids"][code], "user_id": user_id, "role": role, "rules": rules,
                "plan_version": self.config.version, "decision_id": "pending", "created_at": moment, "ended_at": None}

    def task_outcome(self, kind, t, contact_on, letter_on, closed_on) -> tuple[str, dt.date | None]:
        rng, today = self.rng, self.today
        due = t["due"]
        created = t["created_at"].date()
        if kind == "SEND_LETTER":
            # The letter's task is done on the day the plan was told the letter went (letter_sent_date), or not at all.
            if letter_on and letter_on <= (closed_on or today):
                return "DONE", max(letter_on, created)
            return ("CANCELLED", closed_on) if closed_on else ("OPEN", None)
        if kind == "HOME_VISIT" and contact_on and (closed_on is None or contact_on <= closed_on):
            return "CANCELLED", max(contact_on, created)
        if kind in routing.EVICTION_BOUND and isinstance(t.get("cancelled"), dt.date):
            return "CANCELLED", max(t["cancelled"], created)  # the eviction was cancelled
        if closed_on:
            if due <= closed_on and rng.random() < 0.9:
                return "DONE", max(created, min(due, closed_on) - dt.timedelta(days=rng.randint(0, 2)))
            return "CANCELLED", closed_on
        if due < today - dt.timedelta(days=2):
            return ("DONE", max(created, due - dt.timedelta(days=rng.randint(0, 2)))) if rng.random() < 0.85 else ("OPEN", None)
        return "OPEN", None

    # --- BOSAM history ----------------------------------------------------------------------

    def bosam_history(self) -> None:
        """A year of closed meetings per organisation: agenda items, attendance, activities, absences."""
        rng, w = self.rng, self.writer
        by_org = defaultdict(list)
        horizon = self.today - dt.timedelta(days=BOSAM_HISTORY_DAYS + 200)
        for case in self.cases:
            _case_id, code, _first, closed_on, _children, _chain = case
            if closed_on is None or closed_on >= horizon:
                by_org[code].append(case)
        for o in self.orgs:
            series = o["series"]["obj"]
            previous = None
            cases = by_org[o["code"]]
            for scheduled, day in o["series"]["past"]:
                meeting = Meeting.objects.create(
                    organisation=o["org"], series=series, scheduled_date=scheduled, date=day, time=series.time, place=series.place,
                    status=MeetingStatus.CLOSED, agenda_prepared_at=at(day - dt.timedelta(days=3), rng),
                    agenda_notified_at=at(day - dt.timedelta(days=3), rng), started_at=at(day, rng, 9, 10),
                    closed_at=at(day, rng, 11, 12), closed_by_id=o["chair"], minutes={},
                )
                self.agenda_items(o, meeting, day, previous or day - dt.timedelta(days=14), cases)
                self.attendance(o, meeting, day)
                previous = day
            w.flush()
        self.progress(f"BOSAM: {w.totals[AgendaItem]} dagordningspunkter, {w.totals[Activity]} aktiviteter")

    def agenda_items(self, o: dict, meeting: Meeting, day: dt.date, since: dt.date, cases: list) -> None:
        """The items of one past meeting: cases with notices since the last meeting, or still at risk; some with an activity."""
        rng, w = self.rng, self.writer
        position = defaultdict(int)
        for case_id, _code, first, closed_on, children, chain in cases:
            if first > day or (closed_on is not None and closed_on <= day):
                continue
            upto = [(d, t) for d, t in chain if d <= day]
            new = [(d, t) for d, t in upto if since < d and t != "EVICTION_CANCELLED"]
            if not new and (not upto or upto[-1][1] == "EVICTION_CANCELLED"):
                continue
            section = "NEW_NOTICES" if new else "AT_RISK"
            position[section] += 10
            item_id = w.add(AgendaItem, meeting_id=meeting.pk, case_id=case_id, section=section, position=position[section],
                            notice_type=(new or upto)[-1][1], urgent=rng.random() < 0.1, children_count=children,
                            note="Hyresrådgivaren följer upp." if rng.random() < 0.3 else "")
            if rng.random() < 0.1:
                unit = rng.choice(["EKONOMISKT_BISTAND", "MOTTAGNING_BARN_UNGA", "MOTTAGNING_VUXNA", "HYRESRADGIVNING"])
                due = workdays.add_working_days(day, 10)
                done = due < self.today and rng.random() < 0.8
                task_id = w.add(Task, case_id=case_id, kind="BOSAM_ACTIVITY", title="Gemensamt hembesök och erbjudande om stöd",
                                unit_id=o["unit_ids"][unit], due_date=due, status="DONE" if done else "OPEN",
                                created_at=at(day, rng, 10, 11), created_by_id=o["chair"],
                                completed_at=at(due, rng) if done else None, completed_by_id=o["chair"] if done else None)
                w.add(Activity, meeting_id=meeting.pk, item_id=item_id, case_id=case_id, task_id=task_id, created_by_id=o["chair"],
                      created_at=at(day, rng, 10, 11))

    def attendance(self, o: dict, meeting: Meeting, day: dt.date) -> None:
        """Each department present or not; an absence is a deviation."""
        rng, w = self.rng, self.writer
        for department_id in o["departments"]:
            present = rng.random() < 0.92
            w.add(Attendance, meeting_id=meeting.pk, department_id=department_id, present=present)
            if not present:
                w.add(Deviation, organisation_id=o["org"].pk, kind="BOSAM_ABSENCE", automatic=True, occurred_on=day,
                      dedupe_key=f"bosam-absence-{meeting.pk}-{department_id}",
                      sentence="bosam_absence", params={"department": o["department_names"][department_id][0],
                                                        "name": o["department_names"][department_id][1], "date": day.isoformat()},
                      created_at=at(day, rng))

    def freeze_minutes(self) -> None:
        """The closed meetings' minutes, frozen from their content as meeting_close does."""
        for meeting in Meeting.objects.filter(status=MeetingStatus.CLOSED, minutes={}).select_related("series").order_by("date"):
            meeting.minutes = agenda_content(meeting)
            meeting.save(update_fields=["minutes"])


def hash_int(text: str) -> int:
    """A stable small number from a text (Python's hash() is salted per process)."""
    return sum((i + 1) * ord(ch) for i, ch in enumerate(text)) * 7919
