"""CKAN clients add links: `resource_create` with a `url` and no upload makes a linked resource,
`resource_patch` changes it, and an address that is not plainly public is a Validation Error
naming the `url` field, before anything is fetched or stored. First through the Flask test
client, then with the real `ckanapi` library against a real `opendata serve`."""

from __future__ import annotations

import io

import pytest
from ckanapi import RemoteCKAN, ValidationError

from tests.api.test_ckan import call, site, token_for  # noqa: F401 (fixtures)
from tests.api.test_ckanapi_client import AGENT, ORGANISATION, server  # noqa: F401 (fixture)

STOPS = "https://93.184.215.14/naptan/stops.csv"


@pytest.fixture
def editor(site, token_for):  # noqa: F811
    return token_for("editor")


def _draft(client, editor) -> str:
    made = call(
        client,
        "package_create",
        editor,
        name="bus-stops",
        title="Bus stops",
        owner_org="children-education",
    )
    assert made.status_code == 200, made.json
    return made.json["result"]["id"]


def test_resource_create_with_a_url_and_no_upload_adds_a_link(client, editor):
    package_id = _draft(client, editor)
    made = call(
        client,
        "resource_create",
        editor,
        package_id=package_id,
        name="NaPTAN stops",
        url=STOPS,
        description="The national register.",
    )
    assert made.status_code == 200, made.json
    link = made.json["result"]
    assert (link["url"], link["url_type"], link["format"]) == (STOPS, None, "CSV")
    assert (link["size"], link["hash"]) == (None, "")
    shown = call(client, "package_show", editor, id="bus-stops").json["result"]
    assert [r["url"] for r in shown["resources"]] == [STOPS]


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://localhost:5000/api/3/action/status_show", "loopback"),
        ("http://2130706433/", "loopback"),
        ("http://[::ffff:10.0.0.1]/x.csv", "private"),
        ("ftp://93.184.215.14/x.csv", "‘ftp:’ addresses cannot be linked"),
        ("https://ada:pw@93.184.215.14/x.csv", "Remove the user name or password"),
    ],
)
def test_a_refused_address_is_a_validation_error_on_the_url_field(client, editor, url, words):
    package_id = _draft(client, editor)
    refused = call(client, "resource_create", editor, package_id=package_id, name="X", url=url)
    assert refused.status_code == 409
    error = refused.json["error"]
    assert error["__type"] == "Validation Error"
    assert words in error["url"][0]
    assert call(client, "package_show", editor, id="bus-stops").json["result"]["resources"] == []


def test_resource_patch_changes_a_link_under_the_same_rules(client, editor):
    package_id = _draft(client, editor)
    link = call(
        client, "resource_create", editor, package_id=package_id, name="Stops", url=STOPS
    ).json["result"]
    refused = call(client, "resource_patch", editor, id=link["id"], url="http://10.0.0.8/x.csv")
    assert refused.status_code == 409 and "private" in refused.json["error"]["url"][0]
    patched = call(
        client,
        "resource_patch",
        editor,
        id=link["id"],
        name="Stops 2026",
        url="https://93.184.215.14/stops.geojson",
    )
    assert patched.status_code == 200, patched.json
    assert (patched.json["result"]["name"], patched.json["result"]["format"]) == (
        "Stops 2026",
        "GEOJSON",
    )
    upload = {"id": link["id"], "upload": (io.BytesIO(b"a\n1\n"), "stops.csv")}
    with_file = client.post("/api/3/action/resource_patch", data=upload, headers=editor)
    assert with_file.status_code == 409 and "is a link" in with_file.json["error"]["upload"][0]


def test_an_uploaded_file_cannot_be_patched_into_a_link(client, editor):
    package_id = _draft(client, editor)
    upload = {"package_id": package_id, "upload": (io.BytesIO(b"a\n1\n"), "a.csv")}
    made = client.post("/api/3/action/resource_create", data=upload, headers=editor)
    assert made.json["result"]["url_type"] == "upload"
    refused = call(client, "resource_patch", editor, id=made.json["result"]["id"], url=STOPS)
    assert refused.status_code == 409 and "uploaded file" in refused.json["error"]["url"][0]


def test_the_ckanapi_library_adds_and_changes_a_link(server):  # noqa: F811
    editor = RemoteCKAN(server.url, apikey=server.editor_token, user_agent=AGENT)
    package = editor.action.package_create(
        name="ckanapi-bus-stops", title="Bus stops", owner_org=ORGANISATION
    )
    link = editor.action.resource_create(
        package_id=package["id"], name="NaPTAN stops", url=STOPS, format="CSV"
    )
    assert (link["url"], link["url_type"], link["size"]) == (STOPS, None, None)
    with pytest.raises(ValidationError) as refused:
        editor.action.resource_create(
            package_id=package["id"], name="Metadata", url="http://169.254.169.254/latest/"
        )
    assert "link-local" in refused.value.error_dict["url"][0]
    patched = editor.action.resource_patch(id=link["id"], url="https://93.184.215.14/s.xlsx")
    assert (patched["url"], patched["format"]) == ("https://93.184.215.14/s.xlsx", "XLSX")
    shown = editor.action.package_show(id="ckanapi-bus-stops")
    assert [r["url"] for r in shown["resources"]] == ["https://93.184.215.14/s.xlsx"]
