"""The REST API fuzzed with schemathesis against its own OpenAPI schema (/api/v1/schema/).

Every operation gets a bounded number of generated requests (valid and invalid data), sent
in-process to the WSGI application with a hyresrådgivare's token. Every answer must be free of
server errors and conform to the schema: a documented status code, the documented content type
and a body that matches the documented shape.
"""

from __future__ import annotations

import time

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from organisation.models import ApiScope
from organisation.tokens import api_token_create
from tests.factories import notice_data, register

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 25
# Every built-in check but one: "schema-valid data must be accepted" cannot hold, because the API has rules
# a JSON schema does not express (a personnummer's check digit, at least one tenant, no future dates,
# the organisation's unit codes). Those answers are 400s, and their shape is still checked.
EXCLUDED_CHECKS = [positive_data_acceptance]


@pytest.fixture
def wsgi_app():
    """Django's WSGI application serving inside the test's transaction.

    Django's own test client stops the request signals from closing the database connection
    (which would end the test's transaction); do the same for schemathesis's WSGI client."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def advisor_token(organisation, personas):
    # Data to hit: a case (and its tasks) of the advisor's organisation, so that small ids exist.
    register(organisation, personas["hyresradgivare"], children=("2018-03-01",), notice=notice_data())
    return api_token_create(user=personas["hyresradgivare"], name="Fuzz", scopes=[ApiScope.STAFF])[1]


@pytest.fixture
def api_schema(advisor_token):
    # Fetched before `wsgi_app` takes the signals: the test client reconnects them after its request.
    client = Client()
    response = client.get("/api/v1/schema/", {"format": "json"}, HTTP_AUTHORIZATION=f"Token {advisor_token}")
    assert response.status_code == 200
    schema = schemathesis.openapi.from_dict(response.json())
    return schema


def test_schema_needs_authentication(client):
    assert client.get("/api/v1/schema/").status_code in (401, 403)


@pytest.mark.slow
def test_every_api_operation_survives_fuzzing_and_answers_as_documented(api_schema, advisor_token, wsgi_app):
    headers = {"Authorization": f"Token {advisor_token}"}
    api_schema.app = wsgi_app  # every request, including the checks' own (e.g. without auth), goes in-process
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 8, [op.label for op in operations]
    failures: list[str] = []
    calls = 0
    started = time.monotonic()
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @hypothesis_settings(
                max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
                phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
            )
            def run(case):
                nonlocal calls
                response = case.call(app=wsgi_app, headers=headers)
                calls += 1
                case.validate_response(response, headers=headers, excluded_checks=EXCLUDED_CHECKS)

            try:
                run()
            # schemathesis reports its findings as a BaseExceptionGroup; collect every operation's, then report them all.
            except (Exception, BaseExceptionGroup) as exc:
                failures.append(f"{operation.label} [{mode.value}]:\n{exc}")
    elapsed = time.monotonic() - started
    print(f"schemathesis: {len(operations)} operations, {calls} calls in {elapsed:.1f} s")
    assert not failures, "\n\n".join(failures)
