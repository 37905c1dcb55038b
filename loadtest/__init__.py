"""Load test: 50 hyresrådgivare against gunicorn + PostgreSQL on 127.0.0.1 for two minutes.

    .venv/bin/python -m loadtest                                  # 50 users, 120 s, port 8123
    .venv/bin/python -m loadtest --users 3 --duration 10          # smoke run (~35 s in all)
    .venv/bin/python -m loadtest --markdown docs/load.md          # also append the results there

What a run does: create the database avh_load_<pid>, migrate, seed_demo plus extra households
(generate_data when it exists, else cases.services.notice_register), N load users (hyresrådgivare,
default organisation); start gunicorn with production settings (DEBUG=false) bound to 127.0.0.1;
drive it with locust (as a library) for the given time; report requests, errors and p50/p95/p99 per
endpoint; check that the new notices in the database equal the successful intake POSTs; stop
gunicorn and drop the database. Exit 0 only with zero errors and a matching count.
"""
