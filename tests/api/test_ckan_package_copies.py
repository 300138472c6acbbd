"""A package copied from another CKAN site, as `ckanapi load datasets --upload-resources` sends
it: package_create with the whole package_show dictionary (its id, its organisation and groups
by id, its resources with their ids), then each file with resource_patch. The copy is a draft
like any other, its files are public only once uploaded, reviewed and released, and sending
the same package or file again changes nothing."""

from __future__ import annotations

import io

import pytest

from catalog.publishing.groups import get_organisation, get_topic
from tests.api.test_ckan import CSV, call, result, site, token_for  # noqa: F401 (fixtures)
from tests.api.test_ckan_group_writes import sysadmin_token

PACKAGE_ID = "8d1f0c9e-2b7a-4e55-a1c3-9f0e6d2b4a71"
FILE_ID = "1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d"
LINK_ID = "6f5e4d3c-2b1a-4f9e-8d7c-6b5a4f3e2d1c"
LINK = "https://93.184.215.14/libraries/branches.csv"


@pytest.fixture
def sysadmin(site):  # noqa: F811
    return sysadmin_token(site.session)


@pytest.fixture
def copied(site):  # noqa: F811
    """package_show's dictionary of a package on another site, ready to load here."""
    organisation = get_organisation(site.session, "children-education")
    topic = get_topic(site.session, "education-and-skills")
    return {
        "id": PACKAGE_ID,
        "name": "library-visits",
        "title": "Library visits",
        "notes": "Visits to each branch.",
        "owner_org": organisation.uuid,
        "organization": {"id": organisation.uuid, "name": organisation.name},
        "groups": [{"id": topic.uuid}],
        "tags": [{"id": "0e865254-2cd5-4990-9a0b-b6e6e2942792", "name": "libraries"}],
        "license_id": "OGL-UK-3.0",
        "extras": [{"key": "frequency", "value": "monthly"}],
        "state": "active",
        "private": False,
        "metadata_created": "2021-10-19T10:05:00",
        "metadata_modified": "2026-11-17T14:35:00",
        "num_resources": 2,
        "num_tags": 1,
        "creator_user_id": "0f3c6e2a-5b8d-4c1e-9a7f-2d4b6c8e0a13",
        "url": "https://other.example/datasets/library-visits",
        "resources": [
            {
                "id": FILE_ID,
                "name": "Visits",
                "description": "One row a branch.",
                "format": "CSV",
                "url": "https://other.example/datasets/library-visits/download/visits.csv",
                "url_type": "upload",
                "hash": "sha256:0000",
                "size": 12,
            },
            {"id": LINK_ID, "name": "Branches", "format": "CSV", "url": LINK, "url_type": None},
        ],
    }


def upload(client, headers, resource_id: str, content: bytes = CSV):
    data = {"id": resource_id, "upload": (io.BytesIO(content), "visits.csv")}
    return client.post("/api/3/action/resource_patch", data=data, headers=headers)


def test_a_copy_keeps_its_ids_and_stays_a_draft_until_its_files_arrive(client, sysadmin, copied):
    made = result(client, "package_create", headers=sysadmin, **copied)
    assert (made["id"], made["state"], made["private"]) == (PACKAGE_ID, "draft", True)
    assert made["groups"][0]["name"] == "education-and-skills"
    assert [t["name"] for t in made["tags"]] == ["libraries"]
    waiting, link = made["resources"]
    assert (waiting["id"], waiting["name"], waiting["url_type"]) == (FILE_ID, "Visits", "upload")
    assert (waiting["url"], waiting["size"], waiting["hash"]) == (None, None, "")
    assert (link["id"], link["url"], link["url_type"]) == (LINK_ID, LINK, None)
    assert call(client, "package_show", id=PACKAGE_ID).status_code == 404
    arrived = upload(client, sysadmin, FILE_ID)
    assert arrived.status_code == 200, arrived.json
    assert (arrived.json["result"]["size"], arrived.json["result"]["url_type"]) == (
        len(CSV),
        "upload",
    )
    assert arrived.json["result"]["url"].endswith(f"/resources/{FILE_ID}/download/visits.csv")
    shown = result(client, "package_show", headers=sysadmin, id=PACKAGE_ID)
    assert [r["id"] for r in shown["resources"]] == [FILE_ID, LINK_ID]
    assert "library-visits" not in result(client, "package_list")


def test_an_editor_may_keep_resource_ids_but_not_the_package_id(client, token_for, copied):  # noqa: F811
    editor = token_for("editor")
    refused = call(client, "package_create", editor, **copied)
    assert refused.status_code == 409, refused.json
    assert "site administrator" in refused.json["error"]["id"][0]
    made = result(client, "package_create", headers=editor, **{**copied, "id": ""})
    assert made["id"] != PACKAGE_ID
    assert [r["id"] for r in made["resources"]] == [FILE_ID, LINK_ID]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"id": "8D1F0C9E-2B7A-4E55-A1C3-9F0E6D2B4A71"}, "id", "not an id"),
        ({"id": "school-places"}, "id", "not an id"),
        ({"groups": [{"id": "5b0e7f7c-8a5e-4d3b-9c41-7e2a1f6d3b90"}]}, "groups", "no topic"),
        ({"groups": [{}]}, "groups", "id or name"),
        ({"resources": [{"name": "Nothing"}]}, "resources", "url_type 'upload'"),
        ({"resources": [{"url_type": "upload", "name": "Map", "format": "shp"}]}, "format", "shp"),
        ({"resources": [{"url": "http://127.0.0.1/secret.csv"}]}, "url", "loopback"),
    ],
)
def test_a_bad_copy_is_a_validation_error_and_nothing_is_made(
    client, sysadmin, copied, change, field, words
):
    refused = call(client, "package_create", sysadmin, **{**copied, **change})
    assert refused.status_code == 409, refused.json
    assert words in " ".join(refused.json["error"][field])
    assert call(client, "package_show", sysadmin, id="library-visits").status_code == 404


@pytest.mark.parametrize("taken", ["package", "resource"])
def test_an_id_already_used_here_is_refused(client, sysadmin, copied, taken):
    result(client, "package_create", headers=sysadmin, **copied)
    again = {**copied, "name": "library-visits-again"}
    if taken == "package":
        again["resources"] = []
    else:
        again["id"] = "7c6b5a49-3827-4615-a4b3-c2d1e0f9a8b7"
    refused = call(client, "package_create", sysadmin, **again)
    assert refused.status_code == 409, refused.json
    assert "already used" in refused.json["error"]["id"][0]
    assert call(client, "package_show", sysadmin, id="library-visits-again").status_code == 404


def test_sending_the_same_package_and_file_again_changes_nothing(client, sysadmin, copied):
    result(client, "package_create", headers=sysadmin, **copied)
    upload(client, sysadmin, FILE_ID)
    before = result(client, "package_show", headers=sysadmin, id=PACKAGE_ID)
    trail = result(client, "package_activity_list", headers=sysadmin, id=PACKAGE_ID)
    again = call(client, "package_update", sysadmin, **copied)
    assert again.status_code == 200, again.json
    assert upload(client, sysadmin, FILE_ID).status_code == 200
    assert result(client, "package_show", headers=sysadmin, id=PACKAGE_ID) == before
    assert result(client, "package_activity_list", headers=sysadmin, id=PACKAGE_ID) == trail
    changed = call(client, "package_update", sysadmin, **{**copied, "title": "Other"})
    assert changed.status_code == 409, "a real change from a stale copy overwrites nothing"


def test_the_same_file_sent_to_a_public_dataset_asks_for_no_review(client, token_for):  # noqa: F811
    editor = token_for("editor")
    public = result(client, "package_show", id="school-places")
    trail = result(client, "package_activity_list", headers=editor, id="school-places")
    again = upload(client, editor, public["resources"][0]["id"], CSV)
    assert again.status_code == 200, again.json
    assert result(client, "package_show", id="school-places") == public
    assert result(client, "package_activity_list", headers=editor, id="school-places") == trail
