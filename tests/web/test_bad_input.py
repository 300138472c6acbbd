"""Bad input gets a clear 4xx answer, never a 500."""

from __future__ import annotations

import pytest

from tests.pages import main, parse_page, text_of


@pytest.fixture(scope="module")
def client(shared_app):
    return shared_app.test_client()


@pytest.fixture(scope="module")
def published(shared_catalogue):
    """Published once for the module: no test here changes anything."""
    files = {"libraries.csv": b"Library,Visits\nAcomb,1000\n"}
    return shared_catalogue.dataset("libraries", files=files)


@pytest.mark.parametrize(
    "url, status, says",
    [
        ("/datasets?page=0", 400, "page must be a whole number"),
        ("/datasets?page=-3", 400, "page must be a whole number"),
        ("/datasets?page=abc", 400, "page must be a whole number"),
        ("/datasets?page=99999999999999999999", 400, "page must be a whole number"),
        ("/datasets?page=%C2%B2", 400, "page must be a whole number"),
        ("/datasets?sort=drop+table", 400, "Sort must be one of"),
        ("/datasets?q=" + "a" * 600, 400, "too long"),
        ("/datasets?page=1000", 200, "no results on page 1000"),
        ("/datasets?q=%FF%FE%00", 200, "No datasets match"),
        ("/datasets?q=%22unclosed+(AND+OR+NOT*%3A", 200, "No datasets match"),
        ("/datasets?organisation=%3Cscript%3E", 200, "No datasets match"),
        ("/datasets?frequency=&tag=", 200, "1 dataset found"),
        ("/datasets/no-such-dataset", 404, "no published dataset called"),
        ("/datasets/%FF%FE", 404, "Page not found"),
        ("/datasets/libraries/resources/not-a-uuid", 404, "no published file"),
        ("/datasets/libraries/resources/not-a-uuid/download/x.csv", 404, "no published file"),
        ("/datasets/libraries/resources/x/versions/99999999999999999999999", 404, "page not found"),
        ("/topics/nothing-here", 404, "no topic called"),
        ("/organisations/nothing-here", 404, "no organisation called"),
        ("/static/../../etc/passwd", 404, "Page not found"),
    ],
)
def test_bad_requests_get_clear_errors(client, published, url, status, says):
    response = client.get(url)
    assert response.status_code == status
    assert says.lower() in text_of(main(parse_page(response))).lower()


def test_errors_under_api_are_json(client):
    response = client.get("/api/nothing")
    assert response.status_code == 404
    assert response.json["error"]["status"] == 404


def test_wrong_method_is_405_with_allow(client, published):
    response = client.post("/datasets/libraries")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
