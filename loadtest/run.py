"""Orchestration: database, data, gunicorn, traffic, report, checks, clean-up.

Every step that needs Django runs in a subprocess (manage.py or loadtest.prepare) with the
load database in DATABASE_URL; this process only starts things, sends traffic and counts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg2
from psycopg2 import sql

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# Collected static files are cached between runs (collectstatic with compression takes ~10 s).
STATIC_CACHE = REPO / "var" / "loadtest" / "static"
HOST = "127.0.0.1"  # the only address this test ever sends traffic to


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m loadtest",
        description="Load test: gunicorn + PostgreSQL on 127.0.0.1, simulated hyresrådgivare (locust), notice count check.",
    )
    parser.add_argument("--users", type=int, default=50, help="concurrent simulated users (default 50)")
    parser.add_argument("--duration", type=float, default=120, help="seconds of traffic (default 120)")
    parser.add_argument("--port", type=int, default=8123, help="gunicorn port on 127.0.0.1 (default 8123)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes (default 4)")
    parser.add_argument("--spawn-rate", type=float, default=5, help="users started per second during ramp-up (default 5)")
    parser.add_argument("--wait-min", type=float, default=1.0, help="minimum think time between steps, seconds (default 1)")
    parser.add_argument("--wait-max", type=float, default=3.0, help="maximum think time between steps, seconds (default 3)")
    parser.add_argument("--extra-households", type=int, default=300, help="households on top of seed_demo (default 300)")
    parser.add_argument("--pg", default=os.environ.get("LOADTEST_PG", f"postgres://postgres@{HOST}:5432"),
                        help="PostgreSQL server URL without a database name (default postgres://postgres@127.0.0.1:5432)")
    parser.add_argument("--markdown", type=Path, help="append the results as a section to this file (e.g. docs/load.md)")
    parser.add_argument("--note", default="", help="free text for the markdown section (e.g. other load on the machine)")
    args = parser.parse_args(argv)
    if args.users < 1 or args.duration <= 0 or args.wait_min < 0 or args.wait_max < args.wait_min:
        parser.error("need --users >= 1, --duration > 0 and 0 <= --wait-min <= --wait-max")
    return args


def log(message: str) -> None:
    print(f"[loadtest {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- the database -------------------------------------------------------------


def _admin(pg: str):
    connection = psycopg2.connect(f"{pg}/postgres")
    connection.autocommit = True
    return connection


def create_database(pg: str, name: str) -> None:
    # Not `with connection`: in psycopg2 that opens a transaction, and CREATE DATABASE refuses one.
    connection = _admin(pg)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        connection.close()


def drop_database(pg: str, name: str) -> None:
    connection = _admin(pg)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    finally:
        connection.close()


# --- subprocesses ---------------------------------------------------------------


def base_env(database_url: str, var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "avhysning.settings",
        "DATABASE_URL": database_url,
        # A private var/: nothing of this run (celery queue folders, media) mixes with other runs or the demo.
        "VAR_DIR": str(var_dir),
        "STATIC_ROOT": str(STATIC_CACHE),
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    })
    return env


def production_env(env: dict[str, str]) -> dict[str, str]:
    """Production settings (DEBUG off: no query log in memory, manifest static files, Secure cookies)
    but plain http on 127.0.0.1: no redirect to https and no HSTS."""
    return {
        **env,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        # The load users sign in with a password only: the load is the case work, not the second factor (which the
        # two-factor browser tests sign in with, a real TOTP each time).
        "OTP_REQUIRED": "false",
    }


def run_step(title: str, args: list[str], env: dict[str, str]) -> str:
    log(title)
    result = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{title} failed ({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result.stdout


def prepare_json(args: list[str], env: dict[str, str], title: str) -> dict:
    out = run_step(title, [PYTHON, "-m", "loadtest.prepare", *args], env)
    return json.loads(out.strip().splitlines()[-1])


def static_fingerprint() -> str:
    # Contents, not mtimes: other work in the tree touches files without changing them.
    digest = hashlib.sha256()
    for path in sorted(p for p in (REPO / "static").rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def collect_static(env: dict[str, str]) -> subprocess.Popen | None:
    """Start collectstatic unless the cache is current; returns the running process or None."""
    stamp = STATIC_CACHE / ".loadtest-fingerprint"
    if stamp.exists() and stamp.read_text() == static_fingerprint() and (STATIC_CACHE / "staticfiles.json").exists():
        return None
    STATIC_CACHE.mkdir(parents=True, exist_ok=True)
    stamp.unlink(missing_ok=True)
    log("collectstatic (production manifest storage)")
    return subprocess.Popen([PYTHON, "manage.py", "collectstatic", "--no-input", "--clear"], cwd=REPO, env=production_env(env),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def finish_static(process: subprocess.Popen | None) -> None:
    if process is None:
        return
    _out, err = process.communicate(timeout=300)
    if process.returncode != 0:
        raise RuntimeError(f"collectstatic failed:\n{err[-3000:]}")
    (STATIC_CACHE / ".loadtest-fingerprint").write_text(static_fingerprint())


def generate_data_available() -> bool:
    return any(REPO.glob("*/management/commands/generate_data.py"))


# --- gunicorn ---------------------------------------------------------------------


def port_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex((HOST, port)) != 0


def start_gunicorn(env: dict[str, str], port: int, workers: int, log_path: Path) -> subprocess.Popen:
    log(f"gunicorn on {HOST}:{port}, {workers} sync workers, DEBUG=false")
    log_file = log_path.open("w")
    process = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "avhysning.wsgi:application", "--bind", f"{HOST}:{port}", "--workers", str(workers),
         "--timeout", "60", "--graceful-timeout", "10", "--log-level", "warning"],
        cwd=REPO, env=production_env(env), stdout=log_file, stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped as one below, nothing else touched
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited at once:\n{log_path.read_text()[-3000:]}")
        if _http_status(port, "/konto/logga-in/") == 200:
            # Warm-up outside the measurement: each worker's first request imports and compiles templates.
            for _ in range(workers * 3):
                _http_status(port, "/konto/logga-in/")
            return process
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer within 60 s:\n{log_path.read_text()[-3000:]}")


def _http_status(port: int, path: str) -> int | None:
    try:
        with socket.create_connection((HOST, port), timeout=5) as conn:
            conn.sendall(f"GET {path} HTTP/1.0\r\nHost: {HOST}\r\n\r\n".encode())
            first = conn.recv(64).decode("latin-1")
            return int(first.split()[1])
    except (OSError, ValueError, IndexError):
        return None


def stop_gunicorn(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


# --- the report -------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest rank: the smallest value with at least p % of the values at or below it."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def result_rows(result) -> list[dict]:
    from .traffic import CASE_PAGE, INTAKE_FORM, INTAKE_POST, LOGIN_PAGE, LOGIN_POST, MY_CASES, OVERVIEW

    order = [LOGIN_PAGE, LOGIN_POST, MY_CASES, OVERVIEW, CASE_PAGE, INTAKE_FORM, INTAKE_POST]
    names = order + sorted(set(result.samples) - set(order))
    rows = []
    everything: list[float] = []
    for name in names:
        values = result.samples.get(name, [])
        everything += values
        rows.append(_row(name, values, result.failures.get(name, 0)))
    rows.append(_row("Total", everything, sum(result.failures.values())))
    return rows


def _row(name: str, values: list[float], errors: int) -> dict:
    return {
        "endpoint": name, "requests": len(values), "errors": errors,
        "p50": percentile(values, 50), "p95": percentile(values, 95), "p99": percentile(values, 99),
        "max": max(values, default=0.0),
    }


def text_table(rows: list[dict]) -> str:
    header = f"{'endpoint':32} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}"
    lines = [header, "-" * len(header)]
    for r in rows:
        timings = " ".join(f"{r[key]:8.0f}" for key in ("p50", "p95", "p99", "max"))
        lines.append(f"{r['endpoint']:32} {r['requests']:8d} {r['errors']:6d} {timings}")
    return "\n".join(lines)


def markdown_table(rows: list[dict]) -> str:
    lines = ["| Endpoint | Requests | Errors | p50 ms | p95 ms | p99 ms | max ms |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in rows:
        name = f"**{r['endpoint']}**" if r["endpoint"] == "Total" else f"`{r['endpoint']}`"
        lines.append(f"| {name} | {r['requests']} | {r['errors']} | {r['p50']:.0f} | {r['p95']:.0f} | {r['p99']:.0f} | {r['max']:.0f} |")
    return "\n".join(lines)


def machine_description() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} cores ({model or platform.processor()}){memory}, {platform.system()} {platform.release()}"


# --- main -------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    name = f"avh_load_{os.getpid()}"
    database_url = f"{args.pg}/{name}"
    password = secrets.token_urlsafe(16)
    var_dir = Path(tempfile.mkdtemp(prefix="avh-loadtest-"))
    env = base_env(database_url, var_dir)
    gunicorn = None
    created = False
    if not port_free(args.port):
        log(f"Port {args.port} on {HOST} is in use: choose another with --port.")
        return 2
    try:
        log(f"creating database {name}")
        create_database(args.pg, name)
        created = True
        static = collect_static(env)  # in parallel with the migrations: one is CPU, the other mostly waits on PostgreSQL
        run_step("migrate", [PYTHON, "manage.py", "migrate", "--no-input"], env)
        data_source = load_data(args, env)
        prepared = prepare_json(["users", "--count", str(args.users), "--password", password], env, f"{args.users} load users")
        before = prepared["counts"]
        log(f"before: {before['notices']} notices in {before['cases']} cases")
        finish_static(static)
        gunicorn = start_gunicorn(env, args.port, args.workers, var_dir / "gunicorn.log")

        from . import traffic  # locust: only now, in the traffic phase

        log(f"{args.users} users for {args.duration:.0f} s (ramp-up {args.spawn_rate}/s, think time {args.wait_min}–{args.wait_max} s)")
        load_before = os.getloadavg()
        with LoadSampler() as load_during:
            result = traffic.run(
                host=f"http://{HOST}:{args.port}", users=args.users, duration=args.duration, spawn_rate=args.spawn_rate,
                shared=traffic.Shared(usernames=prepared["usernames"], password=password, case_ids=list(prepared["case_ids"])),
                wait=(args.wait_min, args.wait_max),
            )
        load_after = os.getloadavg()
        stop_gunicorn(gunicorn)
        server_log = (var_dir / "gunicorn.log").read_text()
        after = prepare_json(["count"], env, "counting notices after")
    except Exception as exc:  # any failure: report it, clean up, exit non-zero
        log(f"FAILED: {exc}")
        return 1
    finally:
        if gunicorn is not None:
            stop_gunicorn(gunicorn)
        if created:
            log(f"dropping database {name}")
            drop_database(args.pg, name)
        shutil.rmtree(var_dir, ignore_errors=True)

    rows = result_rows(result)
    total = rows[-1]
    new_notices = after["notices"] - before["notices"]
    checks = {
        "no errors": total["errors"] == 0 and result.exceptions == 0,
        "at least one intake": result.intake_ok > 0,
        "new notices == successful intake POSTs": new_notices == result.intake_ok,
    }
    print_report(rows, result, before, after, new_notices, checks, server_log, load_before, load_after, load_during)
    passed = all(checks.values())

    if args.markdown:
        _append_markdown(args, rows, result, before, after, new_notices, checks, passed, data_source, load_before, load_after,
                         load_during)
    return 0 if passed else 1


def load_data(args, env: dict) -> str:
    """The data beyond the demo: generate_data first, on the empty database (it would also go on after the demo's
    numbers); seed_demo then adds its users and meetings (it adds no cases to an organisation that has some).
    seed_demo creates its demo users only while DEBUG is on; this process serves nothing, so DEBUG is harmless here.
    Returns where the data came from, for the report."""
    use_generator = args.extra_households > 0 and generate_data_available()
    if use_generator:
        data_source = f"manage.py generate_data --households {args.extra_households} --organisations 1"
        run_step(data_source, [PYTHON, "manage.py", "generate_data", "--households", str(args.extra_households), "--seed", "1",
                               "--organisations", "1"], {**env, "DEBUG": "true"})
    run_step("seed_demo", [PYTHON, "manage.py", "seed_demo"], {**env, "DEBUG": "true"})
    if args.extra_households > 0 and not use_generator:
        data_source = f"{args.extra_households} households through cases.services.notice_register (no generate_data command)"
        prepare_json(["extra", "--households", str(args.extra_households)], env, data_source)
    elif not use_generator:
        data_source = "nothing more"
    return data_source


class LoadSampler:
    """The machine's 1-minute load average, read every `every` seconds while the traffic runs (in a thread)."""

    def __init__(self, every: float = 5.0):
        self.every, self.samples = every, []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(self.every):
            self.samples.append(os.getloadavg()[0])

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> str:
        if not self.samples:
            return "not sampled (shorter than one interval)"
        return (f"mean {sum(self.samples) / len(self.samples):.2f}, max {max(self.samples):.2f} "
                f"({len(self.samples)} samples, every {self.every:.0f} s)")


def print_report(rows, result, before, after, new_notices, checks, server_log, load_before, load_after, load_during) -> None:
    total = rows[-1]
    print()
    print(text_table(rows))
    print()
    print(f"Time: {result.elapsed:.1f} s, {total['requests'] / result.elapsed:.1f} requests/s, "
          f"load average (1 min) before/after: {load_before[0]:.2f}/{load_after[0]:.2f}, during: {load_during.summary()}")
    print(f"Intake: {result.intake_ok} successful POSTs, {result.intake_failed} failed; "
          f"new notices in the database: {new_notices} ({before['notices']} → {after['notices']})")
    if result.exceptions:
        print(f"Exceptions in the load generator: {result.exceptions}")
    for message, count in sorted(result.errors.items(), key=lambda item: -item[1])[:20]:
        print(f"  error {count}x: {message}")
    if "Traceback" in server_log or "[ERROR]" in server_log:
        print("gunicorn log (tail):\n" + server_log[-3000:])
    for check, ok in checks.items():
        print(f"{'OK  ' if ok else 'FAIL'} {check}")


def _append_markdown(args, rows, result, before, after, new_notices, checks, passed, data_source, load_before, load_after,
                     load_during) -> None:
    total = rows[-1]
    now = dt.datetime.now().astimezone()
    section = [
        "",
        f"## {now:%Y-%m-%d %H:%M %Z}: {args.users} users, {args.duration:.0f} s — {'passed' if passed else 'FAILED'}",
        "",
        f"- Machine: {machine_description()}.",
        f"- Server: gunicorn with {args.workers} sync workers on 127.0.0.1:{args.port}, DEBUG=false; "
        "PostgreSQL and the load generator on the same machine.",
        f"- Load: {args.users} hyresrådgivare, ramp-up {args.spawn_rate}/s, think time {args.wait_min}–{args.wait_max} s, "
        f"mix my cases 3 : overview 2 : case page 4 : intake 1 (plus one intake right after each login).",
        f"- Data: seed_demo + {data_source}; {before['notices']} notices in {before['cases']} cases before the run.",
        f"- Load average (1 min) before/after: {load_before[0]:.2f} / {load_after[0]:.2f}; during the run: {load_during.summary()}.",
    ]
    if args.note:
        section.append(f"- Note: {args.note.rstrip('.')}.")
    section += [
        "",
        markdown_table(rows),
        "",
        f"{total['requests']} requests in {result.elapsed:.1f} s ({total['requests'] / result.elapsed:.1f} requests/s). "
        f"Intake: {result.intake_ok} successful POSTs; new notices in the database: {new_notices} "
        f"({before['notices']} → {after['notices']}).",
        "",
        "Checks: " + ", ".join(f"{name} {'✔' if ok else '✘'}" for name, ok in checks.items()) + ".",
        "",
    ]
    path = args.markdown if args.markdown.is_absolute() else REPO / args.markdown
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(section))
    log(f"results appended to {path}")
