"""API fuzzing with schemathesis against the app's own /api/openapi.json (3.1):
for every documented operation, generated requests — valid and invalid — never
get a 5xx, every response matches the document (status code, content type,
headers, body schema), requests that break the document are refused (4xx), and
undeclared methods get a 405 with `Allow`.  Bounded (a fixed number of examples
per operation) so the suite stays fast; derandomised in CI and exploring new
examples locally (the hypothesis profile in conftest.py).

One check is left out: "schema-valid request accepted".  A JSON schema cannot say
that `from=2018-02-30` is no date or that `from` must not be after `to`; those
well-formed but impossible values are rightly 400s naming the parameter."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from web_fixtures import web_index
from webui import create_app

EXAMPLES = 60


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory):
    app = create_app(web_index(tmp_path_factory))
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_fails_and_matches_its_document(case):
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
