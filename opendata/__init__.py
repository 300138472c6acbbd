"""The web application: pages, downloads and (later) the APIs, over the `catalog` services."""

from __future__ import annotations

from typing import Any

from flask import Flask

from opendata import (
    auth,
    blueprints,
    commands,
    database,
    errors,
    filters,
    http_headers,
    json_limits,
    limits,
    public_cache,
    security_headers,
    templating,
    unsafe_input,
)
from opendata.config import load_settings


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app from `OPENDATA_*` settings; tests pass their own as `test_config`."""
    app = database.CatalogueFlask(__name__, static_folder=None)
    settings = load_settings(test_config.get("ENVIRON") if test_config else None)
    app.config.update(
        SETTINGS=settings,
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_upload_bytes,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.base_url.startswith("https://"),
    )
    if test_config:
        app.config.update({k: v for k, v in test_config.items() if k != "ENVIRON"})
    _trust_proxies(app, settings.proxy_hops)
    templating.init_app(app)
    database.init_app(app)
    filters.init_app(app)
    errors.init_app(app)
    auth.init_app(app)
    limits.init_app(app)
    http_headers.init_app(app)
    security_headers.init_app(app)
    unsafe_input.init_app(app)
    json_limits.init_app(app)
    blueprints.register(app)
    public_cache.init_app(app)  # last: see its init_app
    commands.init_app(app)
    return app


def _trust_proxies(app: Flask, hops: int) -> None:
    """Behind `hops` reverse proxies, take the client address and scheme from their
    X-Forwarded-* headers (rate limits count per real client; HTTPS is known). With none,
    those headers are ignored, so a client cannot choose its own address."""
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
