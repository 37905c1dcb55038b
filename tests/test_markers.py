"""The `slow` marker: `make test-fast` (-m "not slow") leaves out exactly the long runs, and nothing else.

Collects the whole suite once in a subprocess (no test runs) and reads each test's markers, so a
long run that loses its marker, or a marker that spreads to a quick test, fails here instead of
silently slowing down or thinning the inner loop. Itself slow (a full collection), so marked slow."""

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent

# The long runs (about 60 s of the suite on SQLite, plus ~35 s for the load smoke run on PostgreSQL).
SLOW = {
    "tests/test_access_matrix.py",  # the whole module: every URL for every role
    "tests/test_api_fuzz.py::test_every_api_operation_survives_fuzzing_and_answers_as_documented",
    "tests/test_faults.py",  # the whole module: fault injection and races (issue 10)
    "tests/test_generate_data.py::test_generated_data_keeps_the_invariants",
    "tests/test_imports.py::test_a_1000_row_mixed_file_previews_each_row_right_and_commits_exactly_once",  # ~6 min
    "tests/test_generate_data.py::test_same_seed_gives_the_same_data",
    "tests/test_generate_data.py::test_generate_data_adds_to_the_demo_data",
    "tests/test_generator_matches_services.py",  # the generator, then every case replayed through the services
    "tests/test_loadtest_smoke.py::test_loadtest_smoke_run_passes",
    "tests/test_markers.py",  # this module: it collects the whole suite
    # Issue 13: the nightly backfill of three months with household-days and case facts, then retention.
    "tests/test_followup_aggregates.py::test_nightly_run_twice_writes_the_same_rows_and_the_figures_stay",
    "tests/test_statistics_retention.py::test_every_figure_of_the_past_survives_the_deletion_of_the_cases",
    "tests/test_statistics_retention.py::test_the_stored_rows_hold_no_personal_data",
    "tests/test_statistics_retention.py::test_the_area_filter_keeps_query_counts_flat",
    "tests/test_demo_data.py::test_the_demo_is_a_normal_day_with_the_next_meeting_ahead",  # seed_demo, ~20 s a day
    "tests/e2e/test_intake_error_demo_browser.py::test_the_demos_first_page_is_a_normal_day",  # seed_demo, then Chromium
    "tests/test_security.py::test_every_html_page_has_csp_without_inline_scripts_and_refuses_framing",
    "tests/test_security.py::test_no_page_answers_with_a_spreadsheet",
    "tests/test_security.py::test_objects_of_another_organisation_answer_404_on_every_object_url",
    "tests/test_security.py::test_every_post_endpoint_refuses_a_request_without_csrf_token",
    # Issue 10: every URL for four roles and a superuser (Cache-Control), every admin list for an administrator.
    "tests/test_security_admin.py::test_defect11_every_authenticated_response_is_no_store",
    "tests/test_security_admin.py::test_defect5_the_administrator_reaches_no_other_organisation_in_any_admin_list",
    # Issue 15 §6: twelve years of history, and its daily statistics aggregates written before the deletion.
    "tests/test_retention.py::test_twelve_years_exactly_the_due_cases_deleted_statistics_unchanged",
}

# Run by the subprocess: collect, then print "slow|fast <node id>" for every test.
_LIST_MARKERS = """
import sys, pytest
class Report:
    def pytest_collection_finish(self, session):
        for item in session.items:
            print(("slow" if item.get_closest_marker("slow") else "fast"), item.nodeid.split("[")[0])
sys.exit(pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider"], plugins=[Report()]))
"""


def _matches(node_id: str, wanted: str) -> bool:
    return node_id == wanted or node_id.startswith(wanted + "::")


@pytest.fixture(scope="module")
def markers() -> dict[str, set[str]]:
    result = subprocess.run([sys.executable, "-c", _LIST_MARKERS], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    found: dict[str, set[str]] = {"slow": set(), "fast": set()}
    for line in result.stdout.splitlines():
        kind, _, node = line.partition(" ")
        if kind in found and "::" in node:
            found[kind].add(node)
    assert len(found["fast"]) > 200, "the subprocess did not collect the suite"
    return found


def test_the_long_runs_are_marked_slow(markers):
    unmarked = sorted(node for node in markers["fast"] if any(_matches(node, wanted) for wanted in SLOW))
    missing = [wanted for wanted in SLOW if not any(_matches(node, wanted) for node in markers["slow"])]
    assert not unmarked, f"mark these @pytest.mark.slow: {unmarked}"
    assert not missing, f"listed as slow but not collected (renamed or moved? update SLOW): {missing}"


def test_nothing_else_is_marked_slow(markers):
    extra = sorted(node for node in markers["slow"] if not any(_matches(node, wanted) for wanted in SLOW))
    assert not extra, f"marked slow but not listed in tests/test_markers.py (add it to SLOW if it is meant): {extra}"


def test_the_fast_selection_keeps_the_quick_checks(markers):
    assert "tests/test_security.py::test_free_text_is_escaped_on_every_page" in markers["fast"]
    assert "tests/test_api_fuzz.py::test_schema_needs_authentication" in markers["fast"]
    assert "tests/test_i18n.py::test_every_entry_is_translated_and_none_is_fuzzy" in markers["fast"]
