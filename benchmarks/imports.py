"""Import at volume (issue 14, "Scale"): preview of a 5,000-row list under 30 s, commit under 120 s, bounded memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/avh_bench python -m benchmarks.imports --rows 5000
    (or as part of the main run: python -m benchmarks --imports 5000)

Each run makes an organisation of its own (so nothing of earlier runs is joined or "already imported"), a
hyresrådgivare, and a CSV of valid rent-arrears rows with test personnummer; then it times, in this process,
the upload + preview (services.import_create) and the commit (the Celery task, run inline).
Runs with DEBUG off, as the worker does in production (with DEBUG on, Django keeps every query's text and time).
Writes docs/benchmarks_import.md, with the size of the database it ran on.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "benchmarks_import.md"
LIMITS = {"preview": 30.0, "commit": 120.0}


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(rows: int) -> dict:
    from django.conf import settings
    from django.contrib.auth.models import Group
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from cases.models import Case, Notice
    from imports import services
    from imports.models import ImportStatus
    from organisation.defaults import create_organisation
    from organisation.models import Department, Organisation, Unit, User
    from tests.import_files import csv_bytes, good_row

    database = {"notices": Notice.objects.count(), "cases": Case.objects.count(),
                "organisations": Organisation.objects.count()}
    stamp = time.strftime("%Y%m%d%H%M%S")
    organisation = create_organisation(Organisation, Department, Unit, code=f"bench-import-{stamp}", name=f"Importmätning {stamp}")
    user = User.objects.create_user(username=f"bench-import-{stamp}", password=None, organisation=organisation,
                                    unit=organisation.units.get(code="HYRESRADGIVNING"), first_name="Mät", last_name="Import")
    user.groups.add(Group.objects.get_or_create(name="hyresradgivare")[0])
    today = timezone.localdate()
    content = csv_bytes([good_row(i, today=today) for i in range(rows)])
    rss_before = _max_rss_mb()

    started = time.perf_counter()
    notice_import = services.import_create(organisation=organisation, user=user,
                                           upload=SimpleUploadedFile("lista.csv", content, content_type="text/csv"))
    preview_seconds = time.perf_counter() - started
    rss_after_preview = _max_rss_mb()

    # The task runs inline (eager), in this process, exactly as the worker would run it; no broker needed.
    from avhysning.celery import app

    app.conf.task_always_eager = True
    started = time.perf_counter()
    services.import_commit_start(notice_import=notice_import, user=user, rows="ALL")
    commit_seconds = time.perf_counter() - started
    notice_import.refresh_from_db()
    assert notice_import.status == ImportStatus.DONE, notice_import.failure
    assert notice_import.created_cases == rows, notice_import.created_cases
    rss_after_commit = _max_rss_mb()

    # The next month's list: the same tenants, new notices, every row joining the open case the first list opened
    # (the cases were opened just now, after PostgreSQL last analysed its tables, as in a real month).
    joining = csv_bytes([good_row(i, today=today, reference=f"NASTA-{i:05d}") for i in range(rows)])
    started = time.perf_counter()
    joining_import = services.import_create(organisation=organisation, user=user,
                                            upload=SimpleUploadedFile("lista2.csv", joining, content_type="text/csv"))
    joining_preview_seconds = time.perf_counter() - started
    started = time.perf_counter()
    services.import_commit_start(notice_import=joining_import, user=user, rows="ALL")
    joining_commit_seconds = time.perf_counter() - started
    joining_import.refresh_from_db()
    assert joining_import.status == ImportStatus.DONE, joining_import.failure
    assert (joining_import.created_cases, joining_import.joined_cases) == (0, rows), (
        joining_import.created_cases, joining_import.joined_cases)
    return {
        "rows": rows, "file_bytes": len(content), "preview_seconds": preview_seconds, "commit_seconds": commit_seconds,
        "commit_ms_per_row": 1000 * commit_seconds / rows, "rss_mb_before": rss_before, "rss_mb_after_preview": rss_after_preview,
        "rss_mb_after_commit": rss_after_commit, "joining_preview_seconds": joining_preview_seconds,
        "joining_commit_seconds": joining_commit_seconds, "load_average": os.getloadavg(), "database": database,
        "debug": settings.DEBUG,
    }


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", "\u00a0")


def render(result: dict) -> str:
    limits = {**LIMITS, "joining_preview": LIMITS["preview"], "joining_commit": LIMITS["commit"]}
    verdict = {name: "ja" if result[f"{name}_seconds"] <= limit else "**nej**" for name, limit in limits.items()}
    load = ", ".join(f"{x:.1f}" for x in result["load_average"])
    db = result["database"]
    return "\n".join([
        "# Import vid volym (issue 14)",
        "",
        f"Uppmätt {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M')} UTC med `python -m benchmarks.imports --rows {result['rows']}`, "
        f"PostgreSQL, {os.cpu_count()} kärnor ({platform.processor() or platform.machine()}), belastning {load} under körningen, "
        f"DEBUG {'på' if result['debug'] else 'av'}. Databasen höll före körningen {_thousands(db['notices'])} underrättelser i "
        f"{_thousands(db['cases'])} ärenden och {db['organisations']} organisationer (körningen lägger till en egen).",
        "",
        "| steg | rader | sekunder | gräns | inom gränsen |",
        "| --- | ---: | ---: | ---: | --- |",
        f"| förhandsgranskning (uppladdning, läsning, validering, utfall) | {result['rows']} | {result['preview_seconds']:.1f} | "
        f"{LIMITS['preview']:.0f} | {verdict['preview']} |",
        f"| genomförande (en transaktion, notice_register per rad) | {result['rows']} | {result['commit_seconds']:.1f} | "
        f"{LIMITS['commit']:.0f} | {verdict['commit']} |",
        f"| nästa lista, samma hushåll: förhandsgranskning | {result['rows']} | {result['joining_preview_seconds']:.1f} | "
        f"{LIMITS['preview']:.0f} | {verdict['joining_preview']} |",
        f"| nästa lista, samma hushåll: genomförande (varje rad ansluter till sitt öppna ärende) | {result['rows']} | "
        f"{result['joining_commit_seconds']:.1f} | {LIMITS['commit']:.0f} | {verdict['joining_commit']} |",
        "",
        f"Genomförandet tar {result['commit_ms_per_row']:.1f} ms per rad. Processens högsta minne (ru_maxrss): "
        f"{result['rss_mb_before']:.0f} MB före, {result['rss_mb_after_preview']:.0f} MB efter förhandsgranskningen, "
        f"{result['rss_mb_after_commit']:.0f} MB efter genomförandet; filen var {result['file_bytes'] / 1e6:.1f} MB.",
        "",
    ])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Mät import av en hyresvärdslista (förhandsgranskning och genomförande).")
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--output", default=str(OUTPUT))
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "avhysning.settings")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-" + os.urandom(24).hex())
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        print("DATABASE_URL måste peka på en PostgreSQL-databas, t.ex. postgres://postgres@127.0.0.1:5432/avh_bench", file=sys.stderr)
        return 2
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    result = run(args.rows)
    text = render(result)
    Path(args.output).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
