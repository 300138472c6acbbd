"""HTTP manners as a developer's script and a cache meet them: every public machine-readable
URL may be read from any site (CORS `*`), is cacheable for a while and revalidates with its
ETag (304); what a token may see is never shared. One catalogue per database serves the whole
module; its one write comes last, after every read. Rate limits are in test_rate_limits.py."""

from __future__ import annotations

import pytest

from catalog.accounts.tokens import token_create
from catalog.accounts.users import account_create
from catalog.permissions import Actor
from tests.open_metadata import publish_examples

ACTOR = Actor.system("test publisher")


@pytest.fixture(scope="module")
def client(shared_app):
    return shared_app.test_client()


@pytest.fixture(scope="module")
def examples(shared_catalogue) -> dict[str, str]:
    return publish_examples(shared_catalogue)


@pytest.fixture(scope="module")
def token(shared_catalogue) -> dict[str, str]:
    session = shared_catalogue.session
    account = account_create(
        session, actor=ACTOR, email="ada@york.gov.uk", name="Ada", password="a" * 16
    )
    _token, secret = token_create(session, actor=ACTOR, account=account, name="script")
    return {"Authorization": f"Bearer {secret}"}


PUBLIC = [
    "/api/indicators",
    "/api/indicators.csv",
    "/api/indicators/{ref}",
    "/api/indicators/{ref}.csv",
    "/api/data/{resource_id}",
    "/api/data/{resource_id}.csv",
    "/api/data/{resource_id}.json",
    "/api/data/{resource_id}.ndjson",
    "/api/3/action/package_list",
    "/api/3/action/package_show?id={name}",
    "/api/action/status_show",
    "/api/openapi.json",
    "/catalog.jsonld",
    "/catalog.ttl",
    "/catalog.rdf",
    "/datasets/{name}.jsonld",
    "/datasets/{name}/datapackage.json",
    "/schemas/spend-over-500.json",
    "/feeds/releases.atom",
    "/indicators/{ref}/chart.svg",
]


@pytest.mark.parametrize("url", PUBLIC)
def test_public_reads_are_open_and_cacheable(client, examples, url):
    response = client.get(url.format(**examples))
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "public" in response.cache_control
    assert response.cache_control.max_age > 0
    assert response.headers["ETag"]


@pytest.mark.parametrize("url", PUBLIC)
def test_public_reads_revalidate_with_their_etag(client, examples, url):
    etag = client.get(url.format(**examples)).headers["ETag"]

    again = client.get(url.format(**examples), headers={"If-None-Match": etag})

    assert again.status_code == 304
    assert again.headers["ETag"] == etag
    assert again.data == b""


def test_an_api_error_is_readable_from_any_site_but_not_cached(client, examples):
    response = client.get("/api/indicators/NO-SUCH-REF")
    assert response.status_code == 404
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "public" not in response.cache_control


@pytest.mark.parametrize(
    "url",
    [
        "/api/indicators",
        "/api/3/action/package_list",
        "/api/3/action/package_search?include_private=true",
        "/api/data/{resource_id}",
        "/api/me",
    ],
)
def test_what_a_token_reads_is_never_shared(client, examples, token, url):
    response = client.get(url.format(**examples), headers=token)
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers
    assert response.headers["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    "url", ["/", "/datasets/{name}", "/api/docs", "/indicators", "/login", "/publish"]
)
def test_pages_have_no_cors(client, examples, url):
    response = client.get(url.format(**examples))
    assert response.status_code in (200, 302)
    assert "Access-Control-Allow-Origin" not in response.headers


def test_a_write_is_not_made_cacheable(client, examples, token):
    body = {"name": "new-dataset", "title": "New", "owner_org": "children-education"}
    response = client.post("/api/3/action/package_create", json=body, headers=token)
    assert "Access-Control-Allow-Origin" not in response.headers
    assert response.headers["Cache-Control"] == "private, no-store"
