"""The load test's smoke mode end to end: its own database, gunicorn, 3 users for 10 s, the count check.

Runs `python -m loadtest` in a subprocess (it creates and drops avh_load_<pid> on the PostgreSQL
server of DATABASE_URL) and asserts exit 0: zero errors and new notices == successful intake POSTs.
About 35 s with the static files cached under var/loadtest/static; the first run collects them.
"""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    # Not 8123: a full load test may be running on the default port at the same time.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
@pytest.mark.postgres
def test_loadtest_smoke_run_passes():
    server = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    result = subprocess.run(
        [sys.executable, "-m", "loadtest", "--users", "3", "--duration", "10", "--extra-households", "50",
         "--port", str(_free_port()), "--pg", server],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=240, check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-5000:]
    assert "OK   new notices == successful intake POSTs" in output
    assert "OK   no errors" in output
