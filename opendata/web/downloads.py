"""Downloads of the file exactly as uploaded, with caching, conditional and range requests.

Every version has its own URL that never changes; the resource's own download URL always
serves the newest version.
"""

from __future__ import annotations

from flask import Blueprint, redirect, send_file, url_for

from catalog.errors import NotFound
from catalog.publishing.resources import get_public_file, get_public_version
from opendata.database import get_session, get_store

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
    path = get_store().path_for(version.sha256)
    response = send_file(
        path,
        mimetype=version.media_type,
        as_attachment=True,
        download_name=version.filename,
        etag=version.sha256,
        last_modified=version.created_at,
        conditional=True,
        max_age=300,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
