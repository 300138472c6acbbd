"""Rate limits as a developer's script meets them: /api/ allows each client so many requests,
then answers 429 with `Retry-After`, counting in Redis when it is configured; forwarded
addresses count only behind a trusted proxy."""

from __future__ import annotations

import json
import os
import uuid

import pytest
import redis

from catalog.accounts.tokens import token_create
from catalog.accounts.users import account_create
from catalog.permissions import Actor
from opendata import create_app

SETUP = Actor.system("test setup")

REDIS_URL = os.environ.get("OPENDATA_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


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


def _token(app) -> str:
    """An API token of a new account in the app's own catalogue."""
    with app.extensions["catalog"]["sessions"]() as session:
        account = account_create(
            session, actor=SETUP, email="loader@york.gov.uk", name="Loader", password="a" * 16
        )
        _made, secret = token_create(session, actor=SETUP, account=account, name="load")
        session.commit()
    return secret


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


def test_a_token_has_its_own_larger_allowance_counted_by_account(limited):
    """A `ckanapi load` from the council's office must not share the residents' allowance."""
    app, _prefix = limited(OPENDATA_TOKEN_RATE_LIMIT="5 per minute")
    token = _token(app)
    client = app.test_client()
    assert _over_the_limit(client).status_code == 429
    headers = {"Authorization": f"Bearer {token}"}
    office = {"REMOTE_ADDR": "203.0.113.7"}
    for _ in range(5):
        response = client.get("/api/me", headers=headers, environ_base=office)
        assert response.status_code == 200
        assert response.headers["X-RateLimit-Limit"] == "5"
    refused = client.get("/api/me", headers=headers, environ_base={"REMOTE_ADDR": "198.51.100.9"})
    assert refused.status_code == 429


def test_a_token_that_does_not_work_is_refused_not_counted_as_an_account(limited):
    app, _prefix = limited()
    client = app.test_client()
    response = client.get("/api/me", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401
