"""Schemathesis reads `/api/openapi.json` from the app and sends every documented operation
what the description allows (and a little more); the API never answers with a server error,
and its answers keep to the description. Bounded and deterministic: a fixed number of
examples per operation, derived from the test's name rather than chance."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.test_http_manners import publish_examples

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Where the answers and the description disagree today (no server error among them); each
# gap is also an expected failure below, so fixing one makes that test say so.
KNOWN_GAPS = {
    # a `from`/`to` that is not a period is a 400, which the CSV operation does not document
    "GET /api/indicators/{ref}.csv": status_code_conformance,
    # an unknown dataset is the HTML 404 page outside /api/, documented as the JSON Error
    "GET /datasets/{name}.jsonld": content_type_conformance,
    "GET /datasets/{name}.ttl": content_type_conformance,
    "GET /datasets/{name}.rdf": content_type_conformance,
}
SETTINGS = settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _operations(app, catalogue) -> dict:
    """Every documented operation, by label, over a catalogue holding the examples it names."""
    publish_examples(catalogue)
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    return {operation.label: operation for operation in operations}


def test_the_api_keeps_to_its_description(app, catalogue):
    operations = _operations(app, catalogue)
    assert len(operations) > 5
    for label, operation in operations.items():
        checks = [check for check in CHECKS if KNOWN_GAPS.get(label) is not check]
        _fuzz(operation, checks)


@pytest.mark.xfail(strict=True, reason="the description does not match yet: see KNOWN_GAPS")
@pytest.mark.parametrize("label", sorted(KNOWN_GAPS))
def test_known_gaps_in_the_description(app, catalogue, label):
    _fuzz(_operations(app, catalogue)[label], [KNOWN_GAPS[label]])


def _fuzz(operation, checks: list) -> None:
    """One operation's examples as their own Hypothesis run (schemathesis's pytest
    `from_fixture` does not work with pytest 9, so the runs are made here)."""

    @SETTINGS
    @given(case=operation.as_strategy())
    def examples(case):
        case.call_and_validate(checks=checks)

    examples()
