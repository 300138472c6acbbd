"""Bulk dumps of the public catalogue (`/dumps`): JSON Lines of CKAN package dictionaries and a
zip of Data Packages, remade on demand by `catalog.distribution.dumps` whenever they could be
out of date."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Blueprint, current_app, redirect, render_template, request, send_file, url_for

from catalog.distribution.dumps import (
    CATALOGUE_JSONL,
    CATALOGUE_JSONL_GZ,
    DATAPACKAGES_ZIP,
    Manifest,
    dump_open,
    dumps_current,
    dumps_write,
)
from catalog.models import Dataset
from catalog.publishing.datapackage import datapackage_for
from catalog.visibility import public_view
from opendata.api.ckan_dicts import package_dict
from opendata.database import get_session, get_store

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

bp = Blueprint("dumps", __name__)

MEDIA_TYPES = {
    CATALOGUE_JSONL: "application/x-ndjson",
    CATALOGUE_JSONL_GZ: "application/gzip",
    DATAPACKAGES_ZIP: "application/zip",
}
DESCRIPTIONS = {
    CATALOGUE_JSONL: "Every dataset as one line of JSON (CKAN package_show dictionaries)",
    CATALOGUE_JSONL_GZ: "The same, compressed with gzip",
    DATAPACKAGES_ZIP: "A zip of Frictionless Data Packages, one datapackage.json per dataset",
}


@bp.get("/dumps")
def index():
    manifest = _at_public_address(dumps_current, get_session())
    files = [
        {
            "url": url_for("dumps.download", name=name),
            "description": DESCRIPTIONS[name],
            "file": found,
        }
        for name, found in manifest.files.items()
    ]
    return render_template("dumps.html", manifest=manifest, files=files)


@bp.get("/dumps/<any(catalogue.jsonl, catalogue.jsonl.gz, datapackages.zip):name>")
def download(name: str):
    """The dump streamed through, or a redirect to the object store's own short-lived address
    when the store is set to redirect, as file downloads are."""
    handle, found, manifest = _at_public_address(dump_open, get_session(), name=name)
    link = get_store().link(found.sha256, filename=name, media_type=MEDIA_TYPES[name])
    if link is not None:
        handle.close()
        response = redirect(link, 302)
        response.cache_control.no_store = True  # the address expires before a cache would
        response.set_etag(found.sha256)
    else:
        response = send_file(
            handle,
            mimetype=MEDIA_TYPES[name],
            as_attachment=True,
            download_name=name,
            etag=found.sha256,
            last_modified=manifest.made_at,
            max_age=300,
            conditional=False,
        )
        response.content_length = found.size
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response.make_conditional(request)


def make_dumps(session: Session) -> Manifest:
    """Remake every dump now (`opendata dump`)."""
    return _at_public_address(dumps_write, session)


def _at_public_address(service, session: Session, **options: Any):
    """Call a `catalog.distribution.dumps` service with URLs at the configured public address, so
    a dump is the same whether a visitor's request or the command line made it."""
    with _public_request():
        return service(
            session,
            folder=dumps_folder(),
            store=get_store(),
            package=package_dict,
            datapackage=_datapackage,
            **options,
        )


def dumps_folder() -> Path:
    return current_app.config["SETTINGS"].instance / "dumps"


@contextmanager
def _public_request() -> Iterator[None]:
    with current_app.test_request_context(base_url=current_app.config["SETTINGS"].base_url):
        yield


def _datapackage(dataset: Dataset) -> dict[str, Any]:
    def version_download(resource, version) -> str:
        return url_for(
            "downloads.version",
            name=dataset.name,
            resource_id=resource.id,
            number=version.number,
            filename=version.filename,
            _external=True,
        )

    return datapackage_for(
        public_view(dataset),
        store=get_store(),
        homepage=url_for("datasets.show", name=dataset.name, _external=True),
        download_url=version_download,
    )
