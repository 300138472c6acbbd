"""Headers that tell the browser to refuse what this site never does, on every response.

Pages run only the site's own scripts and the two inline ones the templates mark with this
request's nonce, load nothing from elsewhere and may not be framed by another site. Anything
that is not a page (API answers, downloads, charts, feeds) is a document that runs nothing at
all, so an uploaded file that holds a script (an SVG, HTML named .csv) is inert even if opened
directly; `nosniff` stops the browser guessing a type other than the one we sent. HSTS is sent
only over HTTPS, where browsers honour it.
"""

from __future__ import annotations

import secrets

from flask import Flask, Response, g, request

PAGE_POLICY = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
DOCUMENT_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"
HSTS = "max-age=31536000; includeSubDomains"


def init_app(app: Flask) -> None:
    app.context_processor(lambda: {"cspNonce": csp_nonce()})
    app.after_request(_protect)


def csp_nonce() -> str:
    """One random value per request, for the inline scripts of the page it renders."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def _protect(response: Response) -> Response:
    headers = response.headers
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    # A page may ask for a stricter policy (the password reset page sends none at all).
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers["Content-Security-Policy"] = (
        PAGE_POLICY.format(nonce=csp_nonce()) if _is_page(response) else DOCUMENT_POLICY
    )
    if request.is_secure:
        headers["Strict-Transport-Security"] = HSTS
    return response


def _is_page(response: Response) -> bool:
    """HTML the site rendered, not a file sent to be saved (an upload that claims to be HTML)."""
    attachment = response.headers.get("Content-Disposition", "").startswith("attachment")
    return response.mimetype == "text/html" and not attachment
