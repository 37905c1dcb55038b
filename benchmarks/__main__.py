"""Benchmark the pages and services that must stay fast at city scale (issue 6).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/avh_bench python -m benchmarks \
        --sizes 10000,100000,1000000 --requests 50

For each size (notices): empty the database's case tables, generate the data
(`manage.py generate_data --reset`), then measure in-process with Django's test
Client (real middleware, templates, audit log) the server time p50/p95 and the
number of database queries per request. For the lists and the case page the
captured SQL is replayed alone on a raw cursor: "server / SQL" says how far the
page is from the database's own limit. The table goes to docs/benchmarks.md
(regenerated) and to stdout.

PostgreSQL only: the figures mean nothing on SQLite. The database named by
DATABASE_URL is emptied: give it one of its own (createdb avh_bench).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import platform
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "benchmarks.md"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Mät sidor och tjänster vid olika datamängder (PostgreSQL i DATABASE_URL; databasen töms).",
    )
    parser.add_argument("--sizes", default="10000,100000,1000000", help="Antal underrättelser per körning, kommaseparerat.")
    parser.add_argument("--requests", type=int, default=50, help="Anrop per mätpunkt (minst 50 för p95).")
    parser.add_argument("--pdf-requests", type=int, default=10, help="Renderingar av dagordningens PDF (WeasyPrint, sekunder per styck).")
    parser.add_argument("--daily-requests", type=int, default=5, help="Körningar av run_daily_checks för en förvaltning.")
    parser.add_argument("--seed", type=int, default=1, help="Slumpfrö för generate_data och urvalet av ärenden.")
    parser.add_argument("--organisations", type=int, default=13, help="Antal förvaltningar i testdata.")
    parser.add_argument("--skip-generate", action="store_true", help="Mät befintliga data (en storlek) utan att generera om.")
    parser.add_argument("--output", default=str(OUTPUT), help="Markdown-fil att skriva (standard docs/benchmarks.md).")
    parser.add_argument("--imports", type=int, default=0,
                        help="Mät också import av en lista med så många rader (docs/benchmarks_import.md); 0 = nej.")
    parser.add_argument("--render-only", action="store_true",
                        help="Skriv bara om tabellen från senaste körningens mätvärden (var/benchmarks.json), t.ex. efter ändrade noter.")
    return parser.parse_args(argv)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * p
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


class Result:
    def __init__(self, name: str):
        self.name = name
        self.times: list[float] = []
        self.queries: list[int] = []
        self.sql_times: list[float] = []
        self.statuses: set[int] = set()

    def row(self) -> dict:
        p50 = percentile(self.times, 0.5) * 1000
        sql50 = percentile(self.sql_times, 0.5) * 1000 if self.sql_times else None
        return {
            "name": self.name, "n": len(self.times), "p50": p50, "p95": percentile(self.times, 0.95) * 1000,
            "queries": (min(self.queries), max(self.queries)) if self.queries else (0, 0),
            "sql50": sql50, "ratio": (p50 / sql50) if sql50 else None, "statuses": sorted(self.statuses),
        }


def replay_sql(captured) -> float:
    """The captured statements alone, on a raw cursor, rolled back afterwards (the case page writes an audit event)."""
    from django.db import connection, transaction

    with transaction.atomic():
        raw = connection.cursor().cursor
        started = time.perf_counter()
        for query in captured:
            sql = query["sql"]
            if sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")):
                continue
            raw.execute(sql)
            if raw.description is not None:
                raw.fetchall()
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed


def timed(result: Result, call, *, replay: bool = False):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    executed = []

    def count(execute, sql, params, many, context):
        executed.append(1)
        return execute(sql, params, many, context)

    # The query log keeps 9,000 entries: cleared first, and queries are counted by a wrapper (the daily checks run more).
    # The statements' texts are kept only where they are replayed (keeping them costs time, as DEBUG does).
    connection.queries_log.clear()
    capture = CaptureQueriesContext(connection) if replay else contextlib.nullcontext()
    with capture as ctx, connection.execute_wrapper(count):
        started = time.perf_counter()
        value = call()
        elapsed = time.perf_counter() - started
    result.times.append(elapsed)
    result.queries.append(len(executed))
    status = getattr(value, "status_code", None)
    if status is not None:
        result.statuses.add(status)
    if replay:
        result.sql_times.append(replay_sql(ctx.captured_queries))
    return value


def unused_pin(rng: random.Random) -> str:
    """A test personnummer (serial 98x/99x, Luhn) that no one in the database has: a new household per intake."""
    from cases.models import Person
    from devdata.pins import test_pin

    while True:
        born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(20000))
        pin = test_pin(born, rng.randint(980, 999))
        if not Person.objects.filter(personal_identity_number=pin).exists():
            return pin


def intake_form_data(pin: str, today: dt.date, rng: random.Random) -> dict:
    received = today - dt.timedelta(days=1)
    data = {
        "notice_type": "RENT_ARREARS_TERMINATION", "sender_kind": "LANDLORD", "channel": "POST",
        "landlord_name": "AB Familjebostäder", "landlord_org_number": "556035-8672", "landlord_reference": "H-1234",
        "received_date": received.isoformat(), "document_date": (received - dt.timedelta(days=2)).isoformat(),
        "served_date": (received - dt.timedelta(days=1)).isoformat(), "debt_amount": "18450.00", "recovery_amount": "18450.00",
        "street_address": f"Sockenvägen {rng.randint(1, 300)}", "apartment_number": "1102", "postal_code": "120 40", "city": "Stockholm",
        "area": "Årsta", "housing_type": "ORDINARY", "phone": "070-1234567",
        "members-TOTAL_FORMS": "3", "members-INITIAL_FORMS": "0", "members-MIN_NUM_FORMS": "0", "members-MAX_NUM_FORMS": "30",
        "members-0-name": "Test Testsson", "members-0-personal_identity_number": pin, "members-0-role": "TENANT",
        "members-1-name": "Barn Testsson", "members-1-birth_date": "2016-09-16", "members-1-role": "CHILD",
        "members-1-child_residence": "LIVING",
    }
    return data


def api_body(pin: str, today: dt.date) -> dict:
    received = today - dt.timedelta(days=1)
    return {
        "notice_type": "RENT_ARREARS_TERMINATION", "received_date": received.isoformat(),
        "document_date": (received - dt.timedelta(days=2)).isoformat(), "served_date": received.isoformat(),
        "debt_amount": "18450.00", "recovery_amount": "18450.00",
        "landlord": {"name": "AB Exempelbostäder", "org_number": "556035-8672", "reference": "H-1234"},
        "household": {
            "street_address": "Sockenvägen 290", "apartment_number": "1102", "postal_code": "12040", "city": "Stockholm",
            "housing_type": "ORDINARY", "phone": "070-1234567",
            "members": [{"name": "Test Testsson", "personal_identity_number": f"{pin[:8]}-{pin[8:]}", "role": "TENANT"}],
            "active_units": [{"unit": "EKONOMISKT_BISTAND"}],
        },
    }


def measure(args, size: int, rng: random.Random) -> list[dict]:
    from django.db import transaction
    from django.test import Client
    from django.utils import timezone

    from bosam import services as bosam_services
    from bosam.models import Meeting, MeetingDocument, MeetingStatus
    from bosam.pdf import document_pdf
    from cases import services
    from cases.models import Case
    from organisation.models import Organisation, User

    org = Organisation.objects.get(code="enskede-arsta-vantor")
    advisor = User.objects.get(username=f"gen-{org.code}-hr1")
    worker = User.objects.get(username=f"gen-{org.code}-mv1")
    today = timezone.localdate()
    n = args.requests
    results = []

    def client_for(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    advisor_client, worker_client = client_for(advisor), client_for(worker)
    chef_client = client_for(User.objects.get(username=f"gen-{org.code}-chef1"))
    chair_client = client_for(User.objects.get(username=f"gen-{org.code}-ordf1"))

    results += measure_pages(n, advisor_client, worker_client, org, rng)
    results += measure_followup_pages(n, chef_client)
    results += measure_followup_year(args, org, chef_client, client_for(steering_group_member(org)), today)
    results += measure_registration(n, advisor_client, today, rng)

    meeting = Meeting.objects.filter(organisation=org, status=MeetingStatus.PLANNED, date__gte=today).order_by("date").first()
    result = Result("bosam.services.agenda_prepare – nästa möte (ny dagordning)")
    for _ in range(n):
        with transaction.atomic():
            timed(result, lambda: bosam_services.agenda_prepare(meeting=meeting, today=today))
            items = meeting.items.count()
            transaction.set_rollback(True)
    result.name += f", {items} ärenden"
    results.append(result)

    bosam_services.agenda_prepare(meeting=meeting, today=today)
    result = Result(f"bosam.pdf.document_pdf – dagordningens PDF, {meeting.items.count()} ärenden (ej cachad)")
    for _ in range(args.pdf_requests):
        with transaction.atomic():
            MeetingDocument.objects.filter(meeting=meeting).delete()
            timed(result, lambda: document_pdf(Meeting.objects.get(pk=meeting.pk), "AGENDA"))
            transaction.set_rollback(True)
    results.append(result)

    results += measure_pdf_requests(n, chair_client, meeting)

    open_cases = Case.objects.filter(organisation=org, status="OPEN").count()
    # The day's first run writes what changed (new tasks, urgency, deviations); the runs after it change nothing.
    result = Result(f"cases.services.run_daily_checks – dagens första körning, en förvaltning ({open_cases} öppna ärenden)")
    timed(result, lambda: services.run_daily_checks(organisation=org))
    results.append(result)
    result = Result(f"cases.services.run_daily_checks – körd igen samma dag, en förvaltning ({open_cases} öppna ärenden)")
    for _ in range(max(1, args.daily_requests - 1)):
        timed(result, lambda: services.run_daily_checks(organisation=org))
    results.append(result)
    all_open = Case.objects.filter(status="OPEN").count()
    with_open = Organisation.objects.filter(cases__status="OPEN").distinct().count()  # those the run goes through
    # The same two apart for the whole city (the first district has had its run): one pair of rows, one count each.
    result = Result(f"cases.services.run_daily_checks – dagens första körning, alla {with_open} förvaltningar ({all_open} öppna ärenden)")
    timed(result, lambda: services.run_daily_checks())
    results.append(result)
    result = Result(f"cases.services.run_daily_checks – körd igen samma dag, alla {with_open} förvaltningar ({all_open} öppna ärenden)")
    for _ in range(max(1, args.daily_requests // 2)):
        timed(result, lambda: services.run_daily_checks())
    results.append(result)
    return [r.row() for r in results]


def measure_followup_pages(n: int, chef_client) -> list[Result]:
    """The pages of issues 11-14: statistics (dashboard and its printable report), the deviations register."""
    results = []
    pages = [
        ("Statistik (chef)", "/statistik/"),
        ("Statistik, utskrift (chef)", "/statistik/utskrift/"),
        ("Avvikelser (chef)", "/avvikelser/"),
    ]
    for name, url in pages:
        result = Result(f"GET {url} – {name}")
        chef_client.get(url)
        for _ in range(n):
            timed(result, lambda u=url: chef_client.get(u), replay=True)
        results.append(result)
    return results


def steering_group_member(org):
    """The generated data has no steering group: one member for the period report (made once, kept)."""
    from django.contrib.auth.models import Group

    from organisation.models import Role, User

    user, created = User.objects.get_or_create(username=f"gen-{org.code}-styr1", defaults={
        "organisation": org, "first_name": "Stina", "last_name": "Styrgrupp"})
    if created:
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get_or_create(name=Role.STYRGRUPP)[0])
    return user


def busy_day(org, today):
    """The latest day before today on which a case of the organisation got its first notice."""
    from django.db.models import Max, Min

    from cases.models import Case

    return (Case.objects.filter(organisation=org).annotate(first=Min("notices__received_date")).filter(first__lt=today)
            .aggregate(day=Max("first"))["day"])


def measure_followup_year(args, org, chef_client, steering_client, today) -> list[Result]:
    """Issue 13, Scale: the dashboard for a year, the XLSX export of a year, the period report's page for a year, and
    the nightly aggregation of one day."""
    from followup import services as followup_services
    from followup.aggregates import aggregate_day, aggregate_days

    start = today - dt.timedelta(days=365)
    period = f"date_from={start.isoformat()}&date_to={today.isoformat()}"
    # In production the nightly run has written every past day; the generated data has none. The year is written here
    # in one pass (what the catch-up does in blocks of a month), so the year's pages read the stored days and today live.
    catch_up = Result("followup.aggregates.aggregate_days – ett års dagar i ett svep, en förvaltning")
    timed(catch_up, lambda: aggregate_days(organisation_id=org.pk, start=start, end=today - dt.timedelta(days=1)))
    results = [catch_up]
    for name, client, url, count in [
        ("Statistik, ett år (chef)", chef_client, f"/statistik/?{period}", args.requests),
        ("Statistik, XLSX-export av ett år (chef)", chef_client, f"/statistik/export.xlsx?{period}", args.pdf_requests),
    ]:
        result = Result(f"GET {url.split('?')[0]} – {name}")
        client.get(url)
        for _ in range(count):
            timed(result, lambda c=client, u=url: c.get(u))
        results.append(result)
    report = followup_services.report_prepare(organisation=org, kind="YEAR", period_start=start, period_end=today)
    url = f"/statistik/rapporter/{report.pk}/"
    result = Result("GET /statistik/rapporter/<id>/ – periodrapport för ett år (styrgrupp)")
    steering_client.get(url)
    for _ in range(args.requests):
        timed(result, lambda: steering_client.get(url))
    results.append(result)
    # A working day with something to write in each table (notices, households, a case's first notice): the statements
    # are one per table written, so a day without a new case (yesterday, at some sizes) costs one fewer.
    day = busy_day(org, today)
    result = Result("followup.aggregates.aggregate_day – nattlig sammanställning av en dag med nya ärenden, en förvaltning")
    for _ in range(args.daily_requests):
        timed(result, lambda: aggregate_day(organisation_id=org.pk, day=day))
    results.append(result)
    return results


def measure_pdf_requests(n: int, chair_client, meeting) -> list[Result]:
    """What a chair's browser gets: the pre-rendered PDF at once; when the content changed, the progress page."""
    from django.core.cache import cache
    from django.db import transaction

    from bosam.models import Meeting, MeetingDocument
    from bosam.pdf import document_pdf

    url = f"/api/v1/meetings/{meeting.pk}/agenda.pdf"
    html = {"HTTP_ACCEPT": "text/html,*/*;q=0.8"}
    document_pdf(Meeting.objects.get(pk=meeting.pk), "AGENDA")
    ready = Result("GET agenda.pdf – webbläsare, dagordningen förrenderad")
    for _ in range(n):
        timed(ready, lambda: chair_client.get(url, **html))
    waiting = Result("GET agenda.pdf – webbläsare, ej renderad (förloppssida)")
    for _ in range(n):
        with transaction.atomic():
            MeetingDocument.objects.filter(meeting=meeting).delete()
            cache.delete(f"bosam-pdf-render-{meeting.pk}-AGENDA")
            timed(waiting, lambda: chair_client.get(url, **html))
            transaction.set_rollback(True)
    return [ready, waiting]


def search_url(client, url: str) -> str:
    """The list's address for a search: the text is never read from the address (it would be in the access log); the
    filter form is posted and the redirect names the search kept in the session (`s=`). Without this the "name
    search" rows measured the unfiltered list."""
    from urllib.parse import parse_qsl, urlsplit

    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    if "q" not in query:
        return url
    response = client.post(parts.path, query)
    assert response.status_code == 302 and "s=" in response.url, (response.status_code, response.url)
    return response.url


def measure_pages(n: int, advisor_client, worker_client, org, rng: random.Random) -> list[Result]:
    """The case lists and the case page, read n times each."""
    from cases.models import Case, CaseStatus

    results = []
    lists = [
        ("Mina ärenden (hyresrådgivare)", advisor_client, "/arenden/"),
        ("Mina ärenden (handläggare, Mottagningsenheten vuxna)", worker_client, "/arenden/"),
        ("Översikt: barnfamiljer, närmaste frist", advisor_client, "/arenden/alla/?children=yes&sort=deadline"),
        ("Översikt: alla statusar, avhysningsdatum, senast öppnade", advisor_client,
         "/arenden/alla/?status=alla&notice_type=EVICTION_DATE&sort=-opened"),
        ("Översikt: sök på namn, alla statusar", advisor_client, "/arenden/alla/?status=alla&q=Lindberg"),
    ]
    for name, client, url in lists:
        result = Result(f"GET {url.split('?')[0]} – {name}")
        url = search_url(client, url)
        client.get(url)  # warm-up: templates and translations compiled once
        for _ in range(n):
            timed(result, lambda c=client, u=url: c.get(u), replay=True)
        results.append(result)

    # Open and closed cases apart: a closed case's page shows less (no plan ahead, no letters to send), so a mixed
    # sample gave a range of query counts that depended on the draw.
    for status, label in ((CaseStatus.OPEN, "öppna"), (CaseStatus.CLOSED, "avslutade")):
        ids = list(Case.objects.filter(organisation=org, status=status).values_list("pk", flat=True))
        result = Result(f"GET /arenden/<id>/ – ärendesidan (slumpvalda {label} ärenden)")
        advisor_client.get(f"/arenden/{ids[0]}/")
        for case_id in rng.sample(ids, min(n, len(ids))):
            timed(result, lambda c=case_id: advisor_client.get(f"/arenden/{c}/"), replay=True)
        results.append(result)
    return results


def measure_registration(n: int, advisor_client, today, rng: random.Random) -> list[Result]:
    """A notice registered with its routing, n times through the form and n times through the API."""
    import json

    results = []
    # One of each first, not measured: the landlord's first notice creates the landlord and the year's case-number row
    # (three statements more, once); every measured registration is then a new household of a known landlord.
    advisor_client.post("/arenden/registrera/ny/", intake_form_data(unused_pin(rng), today, rng))
    advisor_client.post("/api/v1/notices/", data=json.dumps(api_body(unused_pin(rng), today)), content_type="application/json")
    result = Result("POST /arenden/registrera/ny/ – registrering med routing (formulär)")
    for _ in range(n):
        data = intake_form_data(unused_pin(rng), today, rng)
        timed(result, lambda d=data: advisor_client.post("/arenden/registrera/ny/", d))
    results.append(result)

    result = Result("POST /api/v1/notices/ – registrering med routing (API)")
    for _ in range(n):
        body = json.dumps(api_body(unused_pin(rng), today))
        timed(result, lambda b=body: advisor_client.post("/api/v1/notices/", data=b, content_type="application/json"))
    results.append(result)
    return results


def counts() -> dict:
    from bosam.models import AgendaItem
    from cases.models import AuditEvent, Case, Household, Notice, Person, Task

    return {m.__name__: m.objects.count() for m in (Notice, Case, Household, Person, Task, AuditEvent, AgendaItem)}


def machine() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kb = int(meminfo.read_text().split("MemTotal:")[1].split()[0])
        memory = f"{kb / 1024 / 1024:.1f} GB"
    import django

    return {"date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"), "cpus": os.cpu_count(), "memory": memory,
            "postgresql": pg, "python": platform.python_version(), "django": django.get_version(), "platform": platform.platform()}


NOTES = Path(__file__).with_name("notes.md")


def render(info: dict, runs: list[dict], args) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Generated by `python -m benchmarks` (see `benchmarks/__main__.py`; do not edit by hand — the notes at the end come from",
        "`benchmarks/notes.md`).",
        "",
        f"- Date: {info['date']}",
        f"- Machine: {info['cpus']} CPUs (`nproc`), {info['memory']} memory, {info['platform']} (load: see the notes)",
        f"- PostgreSQL {info['postgresql']}, Python {info['python']}, Django {info['django']}",
        f"- Requests per measurement: {args.requests} (agenda PDF {args.pdf_requests}, daily checks {args.daily_requests}); "
        "server time = in-process Django test Client, real middleware, templates (rendered as in production, without the test "
        "environment's per-template signal) and audit log; no network; DEBUG off, no second "
        "factor required (in production the verified device is one more query per request); the session's once-a-minute "
        "refresh write left out of the counts.",
        "- \"SQL\" = the same captured statements replayed alone on a raw cursor; \"server / SQL\" = p50 server time ÷ p50 SQL time.",
        "",
    ]
    for run in runs:
        c = run["counts"]
        lines += [
            f"## {run['size']:,} notices".replace(",", " "),
            "",
            (f"Generated in {run['generate_seconds']:.0f} s ({run['households']:,} households). Data: " if run["generate_seconds"] >= 1
             else f"Measured on a database generated before the run (`generate_data --notices {run['size']}`; "
                  f"{run['households']:,} households). Data: ").replace(",", " ")
            + ", ".join(f"{k} {v:,}".replace(",", " ") for k, v in c.items()) + ".",
            "",
            "| Measurement | n | p50 ms | p95 ms | queries | SQL p50 ms | server / SQL | HTTP |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        for r in run["rows"]:
            q = r["queries"]
            queries = str(q[0]) if q[0] == q[1] else f"{q[0]}–{q[1]}"
            sql = f"{r['sql50']:.1f}" if r["sql50"] is not None else ""
            ratio = f"{r['ratio']:.1f}×" if r["ratio"] is not None else ""
            lines.append(f"| {r['name']} | {r['n']} | {r['p50']:.1f} | {r['p95']:.1f} | {queries} | {sql} | {ratio} | "
                         f"{', '.join(map(str, r['statuses']))} |")
        lines.append("")
    if len(runs) > 1:
        lines += ["## Across sizes", "", "| Measurement | " + " | ".join(f"p95 ms at {r['size']:,}".replace(",", " ") for r in runs)
                  + " | queries (all sizes) |", "| --- |" + " ---: |" * len(runs) + " --- |"]
        for index, row in enumerate(runs[0]["rows"]):
            p95s = [run["rows"][index]["p95"] for run in runs]
            # Within one size the count may depend on the case's state (open/closed page); across sizes it must not change.
            per_size = [tuple(run["rows"][index]["queries"]) for run in runs]
            shown = [str(q[0]) if q[0] == q[1] else f"{q[0]}–{q[1]}" for q in per_size]
            same = f"identical ({shown[0]})" if len(set(per_size)) == 1 else "differ: " + " / ".join(shown)
            # The name without what depends on the size (", 369 ärenden", "(4100 öppna ärenden)").
            label = re.sub(r", \d[\d ]* ärenden| \(\d[\d ]* öppna ärenden\)", "", row["name"])
            lines.append(f"| {label} | " + " | ".join(f"{p:.1f}" for p in p95s) + f" | {same} |")
        lines.append("")
    if NOTES.exists():
        lines += [NOTES.read_text(encoding="utf-8").rstrip(), ""]
    return "\n".join(lines)


RESULTS = ROOT / "var" / "benchmarks.json"


def main(argv=None) -> int:
    import json

    args = parse_args(argv)
    if args.render_only:
        saved = json.loads(RESULTS.read_text(encoding="utf-8"))
        args.requests, args.pdf_requests, args.daily_requests = saved["requests"]
        text = render(saved["machine"], saved["runs"], args)
        Path(args.output).write_text(text, encoding="utf-8")
        print(text)
        return 0
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "avhysning.settings")
    # Production settings, as the server runs: DEBUG off (with it on, Django keeps every statement's text and time),
    # the collected static files; no HTTPS redirect for the in-process client.
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-" + os.urandom(24).hex())
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("OTP_REQUIRED", "false")  # the generated users have no second factor (production: +1 query)
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        print("DATABASE_URL måste peka på en PostgreSQL-databas som får tömmas, t.ex. postgres://postgres@127.0.0.1:5432/avh_bench",
              file=sys.stderr)
        return 2
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()  # 'testserver' allowed, e-mail to memory
    # Templates render as in production: the test environment also sends a signal per template rendered, which the
    # test Client answers by copying the whole context (several ms a list page; nothing here reads it).
    from django.template.base import Template
    from django.test.utils import _TestState

    Template._render = _TestState.saved_data.template_render
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    # The session's refresh (one write a minute per signed-in user, avhysning.middleware) belongs to no page: kept out
    # of the pages' counts, which otherwise differed by one whenever a request crossed the minute.
    from avhysning.middleware import SessionIdleRefreshMiddleware

    SessionIdleRefreshMiddleware.REFRESH_SECONDS = 24 * 3600
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    # Sizes measured earlier stay in the table, so one size can be (re)measured on its own.
    previous = json.loads(RESULTS.read_text(encoding="utf-8"))["runs"] if RESULTS.exists() else []
    runs = [run for run in previous if run["size"] not in sizes]
    for size in sizes:
        started = time.perf_counter()
        if not args.skip_generate:
            print(f"== {size} underrättelser: generate_data --notices {size}", flush=True)
            call_command("generate_data", notices=size, seed=args.seed, organisations=args.organisations, reset=True)
        generated = time.perf_counter() - started
        data = counts()
        print(f"== mäter ({data})", flush=True)
        rows = measure(args, size, random.Random(args.seed))  # noqa: S311
        runs.append({"size": size, "households": data["Household"], "generate_seconds": generated, "counts": data, "rows": rows})
        runs.sort(key=lambda run: run["size"])
        info = machine()
        text = render(info, runs, args)
        Path(args.output).write_text(text, encoding="utf-8")
        RESULTS.parent.mkdir(exist_ok=True)
        RESULTS.write_text(json.dumps({"machine": info, "runs": runs,
                                       "requests": [args.requests, args.pdf_requests, args.daily_requests]}), encoding="utf-8")
        print(text, flush=True)
    if args.imports:
        from benchmarks import imports

        text = imports.render(imports.run(args.imports))
        # The import into the largest database measured is the one kept, whatever order the sizes were run in.
        largest = max((run["size"] for run in runs), default=0)
        if max(sizes, default=0) >= largest:
            imports.OUTPUT.write_text(text, encoding="utf-8")
        else:
            print(f"({imports.OUTPUT.name} skrivs inte om: den visar importen i den största databasen, {largest} underrättelser)")
        print(text, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
