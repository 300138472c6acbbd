"""Headers that tell the browser to refuse what this site never does, on every response.

Pages run only the site's own scripts and the two inline ones the templates mark with this
request's nonce, load nothing from elsewhere but the map tiles (`OPENDATA_MAP_TILES`) and may
not be framed by another site. Anything
that is not a page (API answers, downloads, charts, feeds) is a document that runs nothing at
all, so an uploaded file that holds a script (an SVG, HTML named .csv) is inert even if opened
directly; `nosniff` stops the browser guessing a type other than the one we sent. HSTS is sent
only over HTTPS, where browsers honour it.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, request

PAGE_POLICY = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; "
    "img-src 'self' data: {tiles}; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
DOCUMENT_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"
HSTS = "max-age=31536000; includeSubDomains"


def init_app(app: Flask) -> None:
    app.context_processor(lambda: {"cspNonce": csp_nonce()})
    app.config["MAP_TILE_SOURCE"] = tile_source(app.config["SETTINGS"].map_tiles)
    app.after_request(_protect)


def csp_nonce() -> str:
    """One random value per request, for the inline scripts of the page it renders."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def tile_source(template: str) -> str:
    """The CSP source of a tile address template: its origin, with Leaflet's `{s}` subdomain
    placeholder as a wildcard."""
    parts = urlsplit(template.replace("{s}", "*"))
    return f"{parts.scheme}://{parts.netloc}"


def _protect(response: Response) -> Response:
    headers = response.headers
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    # A page may ask for a stricter policy (the password reset page sends none at all).
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    page_policy = PAGE_POLICY.format(nonce=csp_nonce(), tiles=current_app.config["MAP_TILE_SOURCE"])
    headers["Content-Security-Policy"] = page_policy if _is_page(response) else DOCUMENT_POLICY
    if request.is_secure:
        headers["Strict-Transport-Security"] = HSTS
    return response


def _is_page(response: Response) -> bool:
    """HTML the site rendered, not a file sent to be saved (an upload that claims to be HTML)."""
    attachment = response.headers.get("Content-Disposition", "").startswith("attachment")
    return response.mimetype == "text/html" and not attachment
