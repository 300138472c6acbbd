"""HTTP manners as a developer's script and a cache meet them: every public machine-readable
URL may be read from any site (CORS `*`), is cacheable for a while and revalidates with its
ETag (304); what a token may see is never shared; /api/ allows each client so many requests,
then answers 429 with `Retry-After`, counting in Redis when it is configured."""

from __future__ import annotations

import json
import os
import uuid

import pytest
import redis

from catalog.accounts import account_create
from catalog.permissions import Actor
from catalog.tokens import token_create
from opendata import create_app
from tests.open_metadata import publish_examples

ACTOR = Actor.system("test publisher")
REDIS_URL = os.environ.get("OPENDATA_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


@pytest.fixture
def examples(catalogue) -> dict[str, str]:
    return publish_examples(catalogue)


@pytest.fixture
def token(catalogue) -> dict[str, str]:
    account = account_create(
        catalogue.session, actor=ACTOR, email="ada@york.gov.uk", name="Ada", password="a" * 16
    )
    _token, secret = token_create(catalogue.session, actor=ACTOR, account=account, name="script")
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


@pytest.fixture
def limited(environ):
    """An app allowing 3 API requests a minute per client, and a client at 203.0.113.7."""

    def make(prefix: str | None = None, **settings: str):
        env = {**environ, "OPENDATA_RATE_LIMIT": "3 per minute", **settings}
        prefix = prefix or f"opendata-test-{uuid.uuid4().hex[:8]}"
        app = create_app({"TESTING": True, "ENVIRON": env, "RATELIMIT_KEY_PREFIX": prefix})
        assert app.test_cli_runner().invoke(args=["init"]).exit_code == 0
        made.append(app)
        return app, prefix

    made: list = []
    yield make
    for app in made:
        app.extensions["catalog"]["engine"].dispose()


def _over_the_limit(client, address: str = "203.0.113.7"):
    environ_base = {"REMOTE_ADDR": address}
    for _ in range(3):
        response = client.get("/api/openapi.json", environ_base=environ_base)
        assert response.status_code == 200
        assert response.headers["X-RateLimit-Limit"] == "3"
    return client.get("/api/openapi.json", environ_base=environ_base)


def test_too_many_requests_from_one_client_is_a_429_with_retry_after(limited):
    app, _prefix = limited()
    client = app.test_client()

    refused = _over_the_limit(client)

    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    error = json.loads(refused.data)["error"]
    assert error["status"] == 429
    assert "3 per 1 minute" in error["message"]
    other = client.get("/api/openapi.json", environ_base={"REMOTE_ADDR": "198.51.100.20"})
    assert other.status_code == 200
    assert client.get("/licence", environ_base={"REMOTE_ADDR": "203.0.113.7"}).status_code == 200


def test_off_turns_the_limit_off(limited):
    app, _prefix = limited(OPENDATA_RATE_LIMIT="off")
    client = app.test_client()
    for _ in range(5):
        assert client.get("/api/openapi.json").status_code == 200


def test_with_redis_every_process_counts_together(limited):
    store = redis.Redis.from_url(REDIS_URL)
    assert store.ping(), f"the tests need Redis at {REDIS_URL}"
    first, prefix = limited(OPENDATA_REDIS_URL=REDIS_URL)
    second, _prefix = limited(prefix, OPENDATA_REDIS_URL=REDIS_URL)
    try:
        for _ in range(3):
            assert first.test_client().get("/api/openapi.json").status_code == 200
        assert second.test_client().get("/api/openapi.json").status_code == 429
        assert list(store.scan_iter(f"*{prefix}*"))
    finally:
        for key in store.scan_iter(f"*{prefix}*"):
            store.delete(key)


def test_forwarded_addresses_are_ignored_unless_a_proxy_is_trusted(limited):
    app, _prefix = limited()
    client = app.test_client()
    for spoofed in ("198.51.100.1", "198.51.100.2", "198.51.100.3"):
        response = client.get(
            "/api/openapi.json",
            environ_base={"REMOTE_ADDR": "203.0.113.7"},
            headers={"X-Forwarded-For": spoofed},
        )
        assert response.status_code == 200
    refused = client.get(
        "/api/openapi.json",
        environ_base={"REMOTE_ADDR": "203.0.113.7"},
        headers={"X-Forwarded-For": "198.51.100.4"},
    )
    assert refused.status_code == 429


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_allowance(limited):
    app, _prefix = limited(OPENDATA_PROXY_HOPS="1")
    client = app.test_client()
    proxy = {"REMOTE_ADDR": "10.0.0.5"}
    forwarded = {"X-Forwarded-For": "203.0.113.7"}
    for _ in range(3):
        response = client.get("/api/openapi.json", environ_base=proxy, headers=forwarded)
        assert response.status_code == 200
    refused = client.get("/api/openapi.json", environ_base=proxy, headers=forwarded)
    assert refused.status_code == 429
    other = client.get(
        "/api/openapi.json", environ_base=proxy, headers={"X-Forwarded-For": "198.51.100.20"}
    )
    assert other.status_code == 200
