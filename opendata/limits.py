"""Rate limiting of /api/ (Flask-Limiter): one shared allowance for every API path, counted in
Redis when `OPENDATA_REDIS_URL` is set (so every worker process counts together), in memory
otherwise. Pages and downloads are not limited here.

Anonymous callers are counted by address. A caller with a working API token is counted by its
account, with a larger allowance of its own: a publisher's script or a `ckanapi load` into the
site is accountable and revocable, and must not stop at the first 429 because it shares an
office address with a hundred residents.

A client over the limit gets a 429 in the same JSON shape as every other /api/ error, with
`Retry-After` (and the `X-RateLimit-*` headers on every API answer) saying when to come back.
"""

from __future__ import annotations

from flask import Flask, g, request
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address

from opendata.errors import error_response

DEFAULT_LIMIT = "300 per minute"
DEFAULT_TOKEN_LIMIT = "3000 per minute"
# A test suite makes hundreds of requests from one address; a test that is about the limit
# sets OPENDATA_RATE_LIMIT itself.
TESTING_LIMIT = "100000 per minute"
OFF = "off"


def init_app(app: Flask) -> None:
    settings = app.config["SETTINGS"]
    limit = _limit(app, settings.rate_limit, DEFAULT_LIMIT)
    token_limit = _limit(app, settings.token_rate_limit, DEFAULT_TOKEN_LIMIT)

    def allowance() -> str | None:
        return token_limit if g.get("api_account") else limit

    limiter = Limiter(
        _caller,
        app=app,
        application_limits=[lambda: allowance() or ""],  # no limit at all when `off`
        application_limits_exempt_when=lambda: not request.path.startswith("/api/"),
        storage_uri=settings.redis_url or "memory://",
        headers_enabled=True,
        enabled=limit is not None or token_limit is not None,
    )
    app.extensions["opendata_limiter"] = limiter
    app.register_error_handler(RateLimitExceeded, _too_many_requests)


def _caller() -> str:
    """Whom an allowance belongs to: the token's account, else the client's address (which
    `auth` has already worked out; a token that does not work never gets this far)."""
    account = g.get("api_account")
    return f"account:{account.id}" if account is not None else get_remote_address()


def _limit(app: Flask, configured: str | None, default: str) -> str | None:
    """The configured allowance, `None` when it is `off`."""
    if configured is None:
        return TESTING_LIMIT if app.testing else default
    return None if configured.strip().lower() == OFF else configured


def _too_many_requests(error: RateLimitExceeded):
    message = f"Too many requests from your address: the limit is {error.limit.limit}."
    return error_response(429, message + " Wait for the time in the Retry-After header.")
