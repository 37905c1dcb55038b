"""Password hashing (issue 16): Argon2id with a cost tuned for the machines the service runs on.

Django's defaults (time_cost 2, memory 100 MiB, parallelism 8) cost ~260 ms of CPU per login on the 2-CPU
test machine. These parameters are OWASP's first Argon2id setting (19 MiB, 2 passes, 1 lane): ~30–45 ms of CPU
per login there (measured in benchmarks/notes.md). A hash made with other parameters, or by PBKDF2, is
re-hashed with these at the next successful login (Django's must_update)."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class TunedArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19456  # KiB
    parallelism = 1
