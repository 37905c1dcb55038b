"""The intake POST with routing (issue 16): a fixed number of queries for a new household and for a notice that joins
an open case, whatever the organisation already holds. Counted as the test client sees them, with the request's own
(the session; the user with organisation and roles: 2) and the savepoints of the nested transactions.
Was 59 and 48, then 49 and 41 (issue 15 §5 added the notification of the units' case workers: one read, one bulk
insert); now 31 and 30 (issue 16, second pass: no lookup of the form's one-time token before its insert, no savepoint
around it; the case number in one UPDATE … RETURNING; a case and household both new evaluated on what was just
written, not read back (seven queries); members, the payment commitment and the units not read twice; one lookup of the
next meeting unless one is held today; the case workers of the form's units read only when one was chosen); now 24 and
25 (issue 16, third pass: the session saved again at most once a minute, not on every request (3); the user with
organisation and roles in one query (2); no savepoint around opening a case for a new household when registrations
are serialised (2)). Joining then took one more (26): the open case is read by its id after its membership, not joined
with it, so that PostgreSQL never walks the cases in id order; and one fewer again (25): the membership gives the id,
and the case is read once, locked (services.membership.open_case_id_for_numbers); and one fewer (24): the case's
notices and its household's earlier notice types in one query (services.evaluation._household_notices). Pinned
exactly: a query more or less fails."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case
from tests.factories import pin_for, register
from tests.test_intake import NEW_URL, form_data

NEW_HOUSEHOLD = 24
JOINING = 24
# On PostgreSQL one more: the advisory lock on the tenants' personnummer (services.membership.identity_numbers_lock).
ADVISORY_LOCK = 1 if connection.vendor == "postgresql" else 0


def _post(client, data) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.post(NEW_URL, data)
    assert response.status_code == 302, response.content[:2000]
    return len(captured), [q["sql"][:120] for q in captured.captured_queries]


@pytest.fixture
def advisor_client(client, personas):
    client.force_login(personas["hyresradgivare"])
    return client


@pytest.mark.django_db
def test_registering_a_new_household_takes_a_fixed_number_of_queries(advisor_client, organisation, personas):
    advisor_client.post(NEW_URL, form_data())  # the year's case-number row and the landlord exist from here on
    for i in range(5):  # other cases in the organisation change nothing
        register(organisation, personas["hyresradgivare"], serial=310 + i, street=f"Sockenvägen {i}")
    members = [
        {"name": "Ny Hyresgäst", "personal_identity_number": pin_for("19700101", 870), "role": "TENANT"},
        {"name": "Barn Hyresgäst", "birth_date": "2016-09-16", "role": "CHILD", "child_residence": "LIVING"},
    ]
    count, sql = _post(advisor_client, form_data(members=members, street_address="Sockenvägen 12"))
    assert Case.objects.count() == 7
    assert count == NEW_HOUSEHOLD + ADVISORY_LOCK, f"{count} queries:\n" + "\n".join(sql)


@pytest.mark.django_db
def test_a_notice_that_joins_the_open_case_takes_a_fixed_number_of_queries(advisor_client, organisation, personas):
    advisor_client.post(NEW_URL, form_data())
    count, sql = _post(advisor_client, form_data(notice_type="EVICTION_APPLICATION", sender_kind="KRONOFOGDEN"))
    assert Case.objects.count() == 1 and Case.objects.get().notices.count() == 2
    assert count == JOINING + ADVISORY_LOCK, f"{count} queries:\n" + "\n".join(sql)
