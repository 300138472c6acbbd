"""Downloads of the file exactly as uploaded, with caching, conditional and range requests.

Every version has its own URL that never changes; the resource's own download URL always
serves the newest version.
"""

from __future__ import annotations

from typing import IO

from flask import Blueprint, redirect, request, send_file, url_for

from catalog.errors import NotFound
from catalog.publishing.resources import get_public_file, get_public_version
from opendata.database import get_session, get_store
from opendata.public_cache import MAX_BYTES as WHOLE_BYTES

bp = Blueprint("downloads", __name__)


@bp.get("/datasets/<name>/resources/<resource_id>/download/<filename>")
def latest(name: str, resource_id: str, filename: str):
    file = get_public_file(get_session(), name, resource_id)
    if file.latest is None or file.latest.filename != filename:
        return _redirect_to_latest(name, file)
    return _send(file.latest)


@bp.get("/datasets/<name>/resources/<resource_id>/download")
def latest_any_name(name: str, resource_id: str):
    return _redirect_to_latest(name, get_public_file(get_session(), name, resource_id))


@bp.get("/datasets/<name>/resources/<resource_id>/versions/<int:number>/download/<filename>")
def version(name: str, resource_id: str, number: int, filename: str):
    found = get_public_version(get_public_file(get_session(), name, resource_id), number)
    if found.filename != filename:
        target = url_for(
            "downloads.version",
            name=name,
            resource_id=resource_id,
            number=number,
            filename=found.filename,
        )
        return redirect(target, 301)
    return _send(found)


def _redirect_to_latest(name, file):
    if file.latest is None:
        raise NotFound("This file has no content yet.")
    target = url_for(
        "downloads.latest",
        name=name,
        resource_id=file.resource.id,
        filename=file.latest.filename,
    )
    return redirect(target, 302)


def _send(version):
    """The file streamed through, or, when the store is set to redirect, a redirect to a
    short-lived address of its own (which answers Range itself). Either way the ETag is the
    file's SHA-256 and a request that already has it is answered 304."""
    store = get_store()
    link = store.link(version.sha256, filename=version.filename, media_type=version.media_type)
    stream = None
    if link is not None:
        response = redirect(link, 302)
        # Never cached: the address expires, and a cached redirect would outlive it.
        response.cache_control.no_store = True
    else:
        stream = store.open(version.sha256)
        response = send_file(
            stream,
            mimetype=version.media_type,
            as_attachment=True,
            download_name=version.filename,
            conditional=False,
            max_age=300,
        )
        response.content_length = version.size
    response.set_etag(version.sha256)
    response.last_modified = version.created_at
    response.headers["X-Content-Type-Options"] = "nosniff"
    try:
        response = response.make_conditional(
            request, accept_ranges=link is None, complete_length=version.size
        )
        if stream is not None and response.status_code == 200 and version.size <= WHOLE_BYTES:
            _read_whole(response, stream)
        elif stream is not None and response.status_code in (200, 206) and _fails_late(stream):
            stream.peek(1)  # a store that fails says so now (a 503), not in a cut-off download
    except BaseException:
        response.close()
        raise
    return response


def _read_whole(response, stream: IO[bytes]) -> None:
    """A small file sent whole becomes the answer's body rather than a stream, so the public
    cache (`opendata.public_cache`) keeps it and the next reader is not sent to the store at
    all. Read only for a 200: a 304 or a part of the file reads no more than before."""
    with stream:
        response.set_data(stream.read())
    response.direct_passthrough = False


def _fails_late(stream: IO[bytes]) -> bool:
    """Whether the stream may yet fail at its first read: one from an object store does. A
    local file cannot (it is open), and must not be read ahead: gunicorn sends a file by its
    descriptor (sendfile) from where the descriptor stands, past what was read ahead."""
    try:
        stream.fileno()
    except OSError:  # io.UnsupportedOperation: no descriptor of its own
        return True
    return False
