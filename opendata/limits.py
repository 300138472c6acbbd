"""Rate limiting of /api/ per client address (Flask-Limiter): one shared allowance for every
API path, counted in Redis when `OPENDATA_REDIS_URL` is set (so every worker process counts
together), in memory otherwise. Pages and downloads are not limited here.

A client over the limit gets a 429 in the same JSON shape as every other /api/ error, with
`Retry-After` (and the `X-RateLimit-*` headers on every API answer) saying when to come back.
"""

from __future__ import annotations

from flask import Flask, request
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address

from opendata.errors import error_response

DEFAULT_LIMIT = "300 per minute"
# A test suite makes hundreds of requests from one address; a test that is about the limit
# sets OPENDATA_RATE_LIMIT itself.
TESTING_LIMIT = "100000 per minute"
OFF = "off"


def init_app(app: Flask) -> None:
    limit = _limit(app)
    settings = app.config["SETTINGS"]
    limiter = Limiter(
        get_remote_address,
        app=app,
        application_limits=[limit] if limit else [],
        application_limits_exempt_when=lambda: not request.path.startswith("/api/"),
        storage_uri=settings.redis_url or "memory://",
        headers_enabled=True,
        enabled=limit is not None,
    )
    app.extensions["opendata_limiter"] = limiter
    app.register_error_handler(RateLimitExceeded, _too_many_requests)


def _limit(app: Flask) -> str | None:
    """The configured allowance, `None` when it is `off`."""
    configured = app.config["SETTINGS"].rate_limit
    if configured is None:
        return TESTING_LIMIT if app.testing else DEFAULT_LIMIT
    return None if configured.strip().lower() == OFF else configured


def _too_many_requests(error: RateLimitExceeded):
    message = f"Too many requests from your address: the limit is {error.limit.limit}."
    return error_response(429, message + " Wait for the time in the Retry-After header.")
