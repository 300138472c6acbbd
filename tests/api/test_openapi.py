"""The API description as a developer's tools read it: valid OpenAPI 3.1 JSON, every path it
lists answers a plain GET (with the documented example values), and the docs page shows each."""

from __future__ import annotations

import json

import pytest

from catalog.permissions import Actor
from opendata.openapi_document import PATHS
from tests.open_metadata import publish_examples
from tests.pages import main, parse_page, text_of

ACTOR = Actor.system("test publisher")


@pytest.fixture(scope="module")
def client(shared_app):
    return shared_app.test_client()


@pytest.fixture(scope="module")
def described(shared_catalogue):
    """Published once for the module: every test here only reads."""
    return publish_examples(shared_catalogue)


def _document(client) -> dict:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return json.loads(response.data)


def test_the_document_is_openapi_3_1(client):
    document = _document(client)
    assert document["openapi"] == "3.1.0"
    assert document["info"]["title"]
    assert document["servers"][0]["url"] == client.application.config["SETTINGS"].base_url
    for must in ("/api/indicators", "/api/indicators/{ref}", "/api/me", "/catalog.jsonld"):
        assert must in document["paths"]
    for item in document["paths"].values():
        for operation in item.values():
            assert "200" in operation["responses"]


@pytest.mark.parametrize("path", list(PATHS))
def test_every_listed_path_answers(client, described, path):
    assert path in _document(client)["paths"]
    response = client.get(path.format(**described))
    assert response.status_code not in (404, 500), (path, response.status_code)


def test_the_docs_page_shows_every_path(client):
    document = _document(client)
    response = client.get("/api/docs")
    assert response.status_code == 200
    page = parse_page(response)
    assert main(page).find("script") is None
    operations = {
        text_of(section.find("h2")): section for section in page.select(".app-api-operation")
    }
    for path, item in document["paths"].items():
        operation = operations[f"GET {path}"]
        assert operation.find("h2").find("code") is not None
        named = {text_of(code) for code in operation.select("tbody td:first-child code")}
        for param in item["get"]["parameters"]:
            assert param["name"] in named
