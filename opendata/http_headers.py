"""HTTP manners of the public machine-readable URLs, set once for all of them.

Any site's scripts may read the public APIs and metadata (`Access-Control-Allow-Origin: *`),
and caches may keep them for a few minutes, revalidating with `ETag` (a 304 when nothing
changed). A request with an API token may see staff-only data, so its answer is never shared:
no CORS, `Cache-Control: private, no-store`. Views that know better (the data API's ETag of the
file and the query, the CKAN write actions) set their own headers, which are kept.
"""

from __future__ import annotations

from flask import Flask, Response, request

from opendata.auth import current_account

MACHINE_PREFIXES = ("/api/", "/feeds/")
MACHINE_ENDPOINTS = {"dcat.catalogue", "dcat.dataset", "datapackage.show", "calendar.ics"}
MACHINE_ENDPOINTS |= {"citations.bibtex", "citations.csl_json"}
MACHINE_ENDPOINTS |= {"transparency.as_json", "dcat.negotiated"}
READS = {"GET", "HEAD"}
PUBLIC_CACHE = "public, max-age=300"
PRIVATE = "private, no-store"


def init_app(app: Flask) -> None:
    app.after_request(_public_data_manners)


def _public_data_manners(response: Response) -> Response:
    if not _is_machine_readable(response):
        return response
    response.vary.update(("Authorization", "X-CKAN-API-Key"))
    if _sent_a_token():
        response.headers.pop("Access-Control-Allow-Origin", None)
        response.headers["Cache-Control"] = PRIVATE
        return response
    response.headers["Access-Control-Allow-Origin"] = "*"
    if response.status_code != 200 or "Cache-Control" in response.headers:
        return response
    response.headers["Cache-Control"] = PUBLIC_CACHE
    if not response.is_streamed:
        response.add_etag()
        response.make_conditional(request)
    return response


def _is_machine_readable(response: Response) -> bool:
    """A read of a public API, feed or metadata document (not a page, such as /api/docs)."""
    if request.method not in READS or response.mimetype == "text/html":
        return False
    return request.path.startswith(MACHINE_PREFIXES) or request.endpoint in MACHINE_ENDPOINTS


def _sent_a_token() -> bool:
    """Only /api/ knows who is calling (by token); feeds and metadata are the same for all."""
    return request.path.startswith("/api/") and current_account() is not None
