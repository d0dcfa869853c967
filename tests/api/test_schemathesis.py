"""schemathesis against the API's own specification: every operation, with a token
of every scope of the demo académie, generated requests (seeded, a bounded number of
examples): no 5xx, and every answer (status, content type, headers, body) is the one
the specification describes."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import ALL_SCOPES, bearer, make_token

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    ignored_auth,
]
# Examples per operation: with the 17 operations, the test stays under a minute on a
# loaded machine.
EXAMPLES = 15


@pytest.fixture
def api_token(app, demo):
    return make_token(app, ALL_SCOPES)


def test_the_api_answers_as_its_specification_says(app, api_token):
    schema = schemathesis.openapi.from_wsgi("/api/v1/_openapi", app, headers=bearer(api_token))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 17
    failures = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            case.call_and_validate(headers=bearer(api_token), checks=CHECKS)

        try:
            run()
        except Exception as failure:  # every operation is tried; all failures are shown
            failures.append(f"{operation.label}: {failure}")
    assert not failures, "\n\n".join(failures)
