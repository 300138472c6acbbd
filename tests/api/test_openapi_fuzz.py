"""Schemathesis reads `/api/openapi.json` from the app and runs every documented operation
through its examples, coverage and fuzzing phases with all of its checks: no server error,
every status, content type and body as described, valid requests accepted, invalid ones
refused (CKAN refuses with 409, which the description documents), undocumented methods
answered 405 with an Allow header. Anonymous: a write is refused (403) before it reads its body.

Bounded and deterministic: a fixed seed, derandomized generation and a few fuzzed examples
per operation (the coverage phase's boundary cases are the bulk of the run).
"""

from __future__ import annotations

import pytest
import schemathesis
from schemathesis import engine
from schemathesis.engine import events

from tests.open_metadata import publish_examples

FUZZED_EXAMPLES = 5
# Where a request the description allows may still be a 400, as no schema can say more: a
# table's column names, sorts and page tokens are its own (the data API), and periods come in
# the many forms councils write them ("2016/17 Q1", "2016-04", ...: an indicator's series).
DATA_DEPENDENT = ("^/api/data/", "^/api/indicators/")


def _config(examples: dict[str, str]) -> schemathesis.Config:
    accepted = ["2xx", "400", "404"]
    return schemathesis.Config.from_dict(
        {
            "seed": 2026,
            "generation": {
                "max-examples": FUZZED_EXAMPLES,
                "deterministic": True,
                "database": "none",
                "mode": "all",
            },
            "checks": {"enabled": True},
            "phases": {"stateful": {"enabled": False}},
            # The datastore and data API read the published table the examples name.
            "parameters": {"resource_id": examples["resource_id"]},
            "operations": [
                {
                    "include-path-regex": path,
                    "checks": {"positive_data_acceptance": {"expected-statuses": accepted}},
                }
                for path in DATA_DEPENDENT
            ],
        }
    )


@pytest.mark.one_database
def test_the_api_keeps_to_its_description(app, catalogue):
    examples = publish_examples(catalogue)
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app, config=_config(examples))
    tested, failures = set(), []
    for event in engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            tested.add(event.label)
            failures += _failures(event.recorder)
        elif isinstance(event, events.NonFatalError | events.FatalError):
            failures.append(f"{getattr(event, 'label', '')}: {event}")
    assert len(tested) == len(list(schema.get_all_operations()))
    assert not failures, "\n\n".join(failures)


def _failures(recorder) -> list[str]:
    """Each failed check with the request that failed it and what the server answered."""
    found = []
    for case_id, checks in recorder.checks.items():
        for check in checks:
            if check.failure_info is None:
                continue
            case = recorder.cases[case_id].value
            interaction = recorder.interactions.get(case_id)
            answer = interaction.response if interaction else None
            found.append(
                f"{recorder.label} {check.name}: {check.failure_info.failure.title}\n"
                f"  {case.method} {case.formatted_path} query={case.query} body={case.body!r}\n"
                f"  -> {answer.status_code if answer else None} "
                f"{(answer.content or b'')[:300] if answer else b''!r}"
            )
    return found
