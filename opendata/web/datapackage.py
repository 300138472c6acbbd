"""`/datasets/<name>/datapackage.json`: a published dataset as a Frictionless Data Package."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request, url_for

from catalog.publishing.datapackage import datapackage_for
from catalog.publishing.datasets import get_public_dataset
from catalog.visibility import public_view
from opendata.database import get_session, get_store

bp = Blueprint("datapackage", __name__)


@bp.get("/datasets/<name>/datapackage.json")
def show(name: str):
    dataset = get_public_dataset(get_session(), name)
    base = current_app.config["SETTINGS"].base_url

    def version_download(resource, version) -> str:
        """The version's permanent link, so the hash in the package always matches it."""
        return base + url_for(
            "downloads.version",
            name=dataset.name,
            resource_id=resource.id,
            number=version.number,
            filename=version.filename,
        )

    package = datapackage_for(
        public_view(dataset),
        store=get_store(),
        homepage=base + url_for("datasets.show", name=dataset.name),
        download_url=version_download,
    )
    response = jsonify(package)
    response.add_etag()
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response.make_conditional(request)
