"""The whole import in Chromium: upload, columns, preview, commit, and the progress bar to the end,
with a real Celery worker consuming from the embedded (filesystem) broker, as under `make run`."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cases.models import Case
from imports.models import NoticeImport
from tests.import_files import csv_bytes, good_row

# PostgreSQL: SQLite's shared in-memory test database locks whole tables across threads (web, worker, test).
pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PASSWORD = "test-password-123"
ROWS = 60


@pytest.fixture
def embedded_broker(tmp_path):
    """Point the Celery app at kombu's filesystem transport and a file result backend (what `make run` uses),
    whatever broker the test run was configured with."""
    from avhysning.celery import app

    folders = {name: tmp_path / name for name in ("queue", "results", "control")}
    for folder in folders.values():
        folder.mkdir()
    keys = ("broker_url", "broker_transport_options", "result_backend", "task_always_eager")
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(
        broker_url="filesystem://",
        broker_transport_options={"data_folder_in": str(folders["queue"]), "data_folder_out": str(folders["queue"]),
                                  "control_folder": str(folders["control"])},
        result_backend=f"file://{folders['results']}",
        task_always_eager=False,
    )
    # Drop connections and backends made with the old settings (they are cached on the app).
    app._pool = None
    app.amqp._producer_pool = None
    app._local.__dict__.pop("backend", None)
    yield app
    app.conf.update(saved)
    app._pool = None
    app.amqp._producer_pool = None
    app._local.__dict__.pop("backend", None)


def test_the_whole_import_with_the_progress_bar_to_the_end(personas, live_server, page, tmp_path, embedded_broker):
    from celery.contrib.testing.worker import start_worker

    today = timezone.localdate()
    upload = tmp_path / "lista.csv"
    upload.write_bytes(csv_bytes([good_row(i, today=today) for i in range(ROWS)]))
    errors, statuses = [], []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" and "Failed to load resource" not in msg.text else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def record_status(route):
        # Read each poll's answer on its way to the page (its body is gone once the page reloads).
        response = route.fetch()
        statuses.append(response.json())
        route.fulfill(response=response)

    page.route("**/status/", record_status)

    page.goto(f"{live_server.url}/konto/logga-in/?next=/arenden/import/")
    page.locator("#id_username").fill("hyresradgivare")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{live_server.url}/arenden/import/")
    page.get_by_label("Fil (CSV eller XLSX)").set_input_files(str(upload))
    page.get_by_role("button", name="Ladda upp och välj kolumner").click()

    # The headings were recognised; the user confirms.
    page.wait_for_url("**/kolumner/")
    assert page.get_by_label("Personnummer", exact=True).input_value() == "tenant_pin"
    page.get_by_role("button", name="Förhandsgranska").click()
    page.wait_for_url("**/import/*/")
    assert page.get_by_text(f"{ROWS} rader registreras.").is_visible()
    assert page.get_by_test_id("import-rows").locator("tbody tr").count() == ROWS
    page.screenshot(path=str(tmp_path / "preview.png"), full_page=True)

    with start_worker(embedded_broker, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        page.get_by_label("Alla rader").check()
        page.get_by_label("Jag har granskat förhandsvisningen och vill registrera underrättelserna.").check()
        page.get_by_role("button", name="Genomför importen").click()
        progress = page.get_by_test_id("import-progress")
        progress.wait_for()
        assert progress.get_attribute("aria-valuemax") == str(ROWS)
        page.screenshot(path=str(tmp_path / "running.png"), full_page=True)
        # The page reloads itself when the worker is done.
        page.get_by_test_id("import-done").wait_for(timeout=240_000)

    assert f"Importen är klar: {ROWS} nya ärenden" in page.get_by_test_id("import-done").inner_text()
    assert statuses and statuses[-1] == {"status": "DONE", "progress": {"done": ROWS, "total": ROWS}}
    assert any(s["status"] == "RUNNING" for s in statuses), "the bar was polled while the worker ran"
    assert NoticeImport.objects.get().status == "DONE" and Case.objects.count() == ROWS
    # Each row links to its case's decision page.
    page.get_by_test_id("import-rows").get_by_role("link").first.click()
    page.wait_for_url("**/beslut/")
    assert errors == []
