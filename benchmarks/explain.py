"""EXPLAIN (ANALYZE, BUFFERS) of the overview's slow variants, for benchmarks/notes.md (issue 16).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/avh_perf_bench python -m benchmarks.explain [--q Lindberg]

Builds the queries with the list's own selectors (the hyresrådgivare's overview of the first generated
organisation): the page's rows and the paginator's count; for the search, the statement of its page's ids
and total."""

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
    from django.db.models import Count, Window

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
        if filters.q:
            # What the page runs after a search (selectors.case_list_page): the page's ids with the total, then
            # those 25 rows by id.
            statements = (("ids with the total (first page)",
                           qs.annotate(list_total=Window(Count("pk"))).values_list("pk", "list_total")[:25]),)
        else:
            statements = (("rows (first page)", qs[:25]), ("count", qs.order_by().values("pk")))
        for label, query in statements:
            plan = query.explain(analyze=True, buffers=True)
            if label == "count":
                started = time.perf_counter()
                total = qs.count()
                print(f"count = {total} in {(time.perf_counter() - started) * 1000:.1f} ms")
            print(f"### {name}: {label}\n{plan}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
