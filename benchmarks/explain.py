"""EXPLAIN (ANALYZE, BUFFERS) of the overview's slow variants, for benchmarks/notes.md (issue 16).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/avh_perf_bench python -m benchmarks.explain [--q Lindberg]

Builds the queries with the list's own selectors (the hyresrådgivare's overview of the first generated
organisation): the page's rows and the paginator's count."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.explain")
    parser.add_argument("--q", default="Lindberg", help="Namnsökning (ett vanligt efternamn).")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "avhysning.settings")
    import django

    django.setup()
    from cases.workspace import selectors
    from organisation.models import User

    user = User.objects.get(username="gen-enskede-arsta-vantor-hr1")
    variants = {
        "alla statusar, avhysningsdatum, senast öppnade": selectors.CaseFilters(status="", notice_type="EVICTION_DATE", sort="-opened"),
        "sök på namn, alla statusar": selectors.CaseFilters(status="", q=args.q),
    }
    for name, filters in variants.items():
        qs = selectors.case_list_filter(
            selectors.case_list_rows(selectors.overview_cases(user)), filters, organisation_id=user.organisation_id
        )
        for label, query in (("rows (first page)", qs[:25]), ("count", qs.order_by())):
            started = time.perf_counter()
            plan = query.explain(analyze=True, buffers=True) if label.startswith("rows") else qs.order_by().values("pk").explain(
                analyze=True, buffers=True)
            if label == "count":
                started = time.perf_counter()
                total = qs.count()
                print(f"count = {total} in {(time.perf_counter() - started) * 1000:.1f} ms")
            print(f"### {name}: {label}\n{plan}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
