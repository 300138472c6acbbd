"""Schemathesis reads `/api/openapi.json` from the app and sends every documented operation
what the description allows (and a little more); the API never answers with a server error,
and its answers keep to the description. Bounded and deterministic: a fixed number of
examples per operation, derived from the test's name rather than chance."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.open_metadata import publish_examples

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
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
    for operation in operations.values():
        _fuzz(operation, CHECKS)


def _fuzz(operation, checks: list) -> None:
    """One operation's examples as their own Hypothesis run (schemathesis's pytest
    `from_fixture` does not work with pytest 9, so the runs are made here)."""

    @SETTINGS
    @given(case=operation.as_strategy())
    def examples(case):
        case.call_and_validate(checks=checks)

    examples()
