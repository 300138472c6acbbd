"""The API description as a developer's tools read it: valid OpenAPI 3.1 JSON, every path it
lists answers a plain GET (with the documented example values), and the docs page shows each."""

from __future__ import annotations

import json
from html import escape

import pytest

from catalog.permissions import Actor
from opendata.openapi_document import PATHS
from tests.open_metadata import publish_examples

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
    page = response.get_data(as_text=True)
    main = page.split("<main")[1].split("</main>")[0]
    assert "<script" not in main
    for path, item in document["paths"].items():
        assert f"GET {escape(path)}" in page
        for param in item["get"]["parameters"]:
            assert f"<code>{param['name']}</code>" in page
