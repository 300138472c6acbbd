"""Organisations, groups and tags have UUIDs for ids, as CKAN clients expect: the same UUID
after a reindex and a restart, and the numbers that were their ids before still find them, so
a client's stored links keep working."""

from __future__ import annotations

from uuid import UUID

import pytest

from catalog.publishing.groups import get_organisation, get_topic
from tests.conftest import initialised_app

ACTION = "/api/3/action/"


@pytest.fixture
def tagged(catalogue):
    return catalogue.dataset(
        "school-places",
        topics=["education-and-skills"],
        tags=["schools"],
        files={"a.csv": b"a\n1\n"},
    )


def show(client, action: str, ref) -> dict:
    response = client.get(f"{ACTION}{action}", query_string={"id": ref})
    assert response.status_code == 200, response.json
    return response.json["result"]


def ids(client) -> dict[str, str]:
    package = show(client, "package_show", "school-places")
    return {
        "organization": package["owner_org"],
        "group": package["groups"][0]["id"],
        "tag": package["tags"][0]["id"],
    }


def test_ids_are_uuids_that_find_what_they_name(client, tagged):
    found = ids(client)
    assert all(str(UUID(value)) == value for value in found.values())
    assert show(client, "organization_show", found["organization"])["name"] == "children-education"
    assert show(client, "group_show", found["group"])["name"] == "education-and-skills"
    assert show(client, "tag_show", found["tag"])["name"] == "schools"


def test_the_numbers_that_were_ids_still_resolve(client, tagged, session):
    numbers = {
        "organization": get_organisation(session, "children-education").id,
        "group": get_topic(session, "education-and-skills").id,
        "tag": tagged.tags[0].id,
    }
    by_number = {kind: show(client, f"{kind}_show", str(n))["id"] for kind, n in numbers.items()}
    assert by_number == ids(client)


def test_ids_stay_the_same_after_a_reindex_and_a_restart(client, runner, tagged, environ):
    before = ids(client)
    assert runner.invoke(args=["reindex"]).exit_code == 0
    assert ids(client) == before
    for restarted in initialised_app(environ):
        assert ids(restarted.test_client()) == before
