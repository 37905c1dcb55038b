"""One open case per person (issue 10, defect 2).

Two layers, both needed:
- ``identity_numbers_lock`` takes a transaction-level PostgreSQL advisory lock
  per tenant personnummer, in sorted order (so two registrations of the same
  household never deadlock), *before* the lookup for an open case. Concurrent
  registrations of one household then run one after another: the second one
  finds the first one's case and joins it.
- ``OpenCaseMembership`` has a unique constraint on (organisation, personnummer):
  if some code path forgets the lock, the database still refuses a second open
  case, and ``notice_register`` joins the case that won.
SQLite (development) takes a database-wide write lock per transaction, so the
advisory lock is a no-op there.
"""
from __future__ import annotations

import zlib

from django.db import connection

from ..models import Case, CaseStatus, MemberRole, OpenCaseMembership

TENANT_ROLES = (MemberRole.TENANT, MemberRole.CO_TENANT)


def _lock_key(organisation_id: int, number: str) -> tuple[int, int]:
    # Two int4 keys: the organisation and a stable 32-bit hash of the number (crc32
    # is stable across processes, unlike Python's hash()). A collision only makes
    # two unrelated registrations wait for each other.
    return organisation_id, zlib.crc32(number.encode()) - 2**31


def writes_serialised() -> bool:
    """True inside a transaction on SQLite with transaction_mode IMMEDIATE (or EXCLUSIVE; settings.DATABASES): it
    holds the database's write lock from its BEGIN, so no other writing transaction runs beside it."""
    return (
        connection.vendor == "sqlite" and connection.in_atomic_block
        and getattr(connection, "transaction_mode", None) in ("IMMEDIATE", "EXCLUSIVE")
    )


def identity_numbers_lock(organisation_id: int, numbers: list[str]) -> bool:
    """Serialise registrations touching these personnummer until the transaction ends.

    Returns whether they are: on PostgreSQL inside a transaction (the locks just taken; no number, no lock needed),
    on SQLite when the transaction holds the write lock (`writes_serialised`)."""
    if connection.vendor != "postgresql":
        return writes_serialised()
    with connection.cursor() as cursor:
        for number in sorted({n for n in numbers if n}):
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", _lock_key(organisation_id, number))
    return connection.in_atomic_block


def open_case_id_for_numbers(organisation_id: int, numbers: list[str]) -> int | None:
    """The id of the open case in which one of these personnummer is a tenant (the caller locks and reads it).

    The memberships alone: joined with the cases in one statement, PostgreSQL walked the cases in id order until it met
    the membership's case whenever its statistics did not know the membership yet (a merge join; 700 ms for a case
    opened today at 570,000 cases). One statement, for a new household and a joining notice alike."""
    numbers = [n for n in numbers if n]
    if not numbers:
        return None
    case_ids = list(OpenCaseMembership.objects.filter(
        organisation_id=organisation_id, personal_identity_number__in=numbers).values_list("case_id", flat=True))
    return min(case_ids) if case_ids else None


def tenant_numbers_of(case: Case) -> list[str]:
    return sorted(
        set(
            case.household.members.filter(role__in=TENANT_ROLES)
            .exclude(personal_identity_number="")
            .values_list("personal_identity_number", flat=True)
        )
    )


def memberships_sync(case: Case, *, strict: bool, members: list | None = None, new_case: bool = False) -> list[str]:
    """Make the membership rows match the case: its tenants while open, none when closed.

    ``strict`` (opening, reopening): a tenant already in another open case raises
    IntegrityError from the unique constraint. Not strict (a notice joining an
    existing case adds a person who has another open case): that person keeps the
    other case and is returned, so that the caller can flag it.

    ``members``: the household's members as the caller has just read and written them (not read again);
    ``new_case``: the case was created in this transaction, so it holds no membership yet."""
    if case.status != CaseStatus.OPEN:
        OpenCaseMembership.objects.filter(case=case).delete()
        return []
    if members is None:
        numbers = tenant_numbers_of(case)
    else:
        numbers = sorted({p.personal_identity_number for p in members if p.role in TENANT_ROLES and p.personal_identity_number})
    held = set() if new_case else set(
        OpenCaseMembership.objects.filter(case=case).values_list("personal_identity_number", flat=True)
    )
    missing = [n for n in numbers if n not in held]
    if not missing:
        return []
    if strict:
        OpenCaseMembership.objects.bulk_create(
            [OpenCaseMembership(organisation_id=case.organisation_id, personal_identity_number=n, case=case) for n in missing]
        )
        return []
    elsewhere = set(
        OpenCaseMembership.objects.filter(organisation_id=case.organisation_id, personal_identity_number__in=missing)
        .values_list("personal_identity_number", flat=True)
    )
    OpenCaseMembership.objects.bulk_create(
        [
            OpenCaseMembership(organisation_id=case.organisation_id, personal_identity_number=n, case=case)
            for n in missing
            if n not in elsewhere
        ]
    )
    return sorted(elsewhere)
