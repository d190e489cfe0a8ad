"""schemathesis against the API's own OpenAPI schema, as a signed-in drafter and as a ministry
reviewer: 0 server errors, 0 responses that break the schema (status codes, content types,
bodies). Each operation is tried with generated values everywhere, and again with the ids of
real objects in its path (an instrument in consultation, its versions, process, rounds,
consultations, comments), so that the views' real code runs, not only their 404s; the
operations that take a body once more with bodies that break the schema.

Modest on purpose (a few hundred requests, about a minute): MAX_EXAMPLES per operation and
per user, no shrinking phase, slow-data health checks off.
"""

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from workflows import services
from workflows.models import Consultation

MAX_EXAMPLES = 20
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def wsgi_app():
    """The project's WSGI application, called in the test's thread and transaction. As
    Django's test client does, requests do not close the database connection at their end
    (it holds the test's transaction)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from project.wsgi import application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield application
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def real_ids(demo, consulting):
    process, consultation_round = consulting
    mef = Consultation.objects.get(round=consultation_round, organisation__code="mef")
    article = next(
        p for p in consultation_round.version.snapshot["provisions"] if p["kind"] == "article"
    )
    comment = services.comment_add(
        consultation=mef,
        user=demo["reviewer-mef"],
        text="មតិលើមាត្រា",
        provision_uid=article["uid"],
    )
    return {
        "instruments": {"id": process.instrument_id, "version_pk": consultation_round.version_id},
        "processes": {"id": process.pk, "number": consultation_round.number},
        "consultations": {"id": mef.pk},
        "comments": {"id": comment.pk},
        "verify": {"sha256": "0" * 64},
    }


def _path_parameters(path: str, real_ids: dict) -> dict:
    resource = re.match(r"/api/v1/([a-z]+)/", path)[1]
    names = set(re.findall(r"{(\w+)}", path))
    return {name: value for name, value in real_ids.get(resource, {}).items() if name in names}


@pytest.mark.parametrize("username", ["drafter", "reviewer-mef"])
def test_the_api_answers_as_its_schema_says(demo, wsgi_app, real_ids, username):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app)
    token, _created = Token.objects.get_or_create(user=demo[username])
    # Schemathesis's WSGI client asks for gzip as requests does, but hands the bytes on
    # undecoded; a real client decodes them (tests/test_compression.py checks the API's gzip).
    headers = {"Authorization": f"Token {token.key}", "Accept-Encoding": "identity"}
    tried = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        fixed = _path_parameters(operation.path, real_ids)
        strategies = [operation.as_strategy()]
        if fixed:
            strategies.append(operation.as_strategy(path_parameters=fixed))
        if fixed and operation.method.upper() == "POST":  # bodies that break the schema too
            strategies.append(operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=fixed))
        for strategy in strategies:

            @given(case=strategy)
            @hypothesis_settings(
                max_examples=MAX_EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=[
                    HealthCheck.too_slow,
                    HealthCheck.filter_too_much,
                    HealthCheck.data_too_large,
                    HealthCheck.function_scoped_fixture,
                ],
            )
            def call(case):
                case.call_and_validate(headers=headers, checks=CHECKS)

            call()
            tried += 1
    assert tried >= 30  # every operation of the schema, most twice
