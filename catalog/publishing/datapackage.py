"""A published dataset as a Frictionless Data Package, so tools such as `frictionless validate`
can fetch, check and load every file without reading the web pages.

Only what is public goes in: each file's latest released version, exactly as the dataset page
shows it, with a permanent link to that version and its hash so a copy can be verified, and
the dialect the catalogue reads it with (title rows skipped, the sheet of a workbook). A link
to a file hosted elsewhere goes in with that address as its `path` and no size or hash: we do
not hold the file, so a tool that validates the package fetches it from its publisher.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from catalog.models import Resource, ResourceVersion
from catalog.names import slugify
from catalog.storage import FileStore
from catalog.tables.reading import SAMPLE_BYTES, TABULAR_FORMATS, sniff_sample
from catalog.visibility import PublicDataset

DownloadUrl = Callable[[Resource, ResourceVersion], str]

# Python codec names as the IANA names the Data Package specification asks for.
ENCODINGS = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "cp1252": "windows-1252"}


def datapackage_for(
    view: PublicDataset, *, store: FileStore, homepage: str, download_url: DownloadUrl
) -> dict[str, Any]:
    """The `datapackage.json` descriptor of a dataset that the caller found as public."""
    dataset = view.dataset
    package: dict[str, Any] = {
        "name": dataset.name,
        "title": dataset.title,
        "description": dataset.description,
        "homepage": homepage,
        "licenses": [
            {
                "name": dataset.licence.id,
                "path": dataset.licence.url,
                "title": dataset.licence.title,
            }
        ],
        "keywords": [tag.name for tag in dataset.tags],
        "created": _timestamp(dataset.published_at),
        "modified": _timestamp(view.updated_at),
        "resources": [],
    }
    names: set[str] = set()
    for file in view.files:
        resource, version = file.resource, file.latest
        if resource.link_url is not None:
            package["resources"].append(_link(resource, _unique(slugify(resource.title), names)))
        elif version is not None:
            name = _unique(slugify(resource.title), names)
            package["resources"].append(_resource(resource, version, name, store, download_url))
    return package


def _link(resource: Resource, name: str) -> dict[str, Any]:
    described: dict[str, Any] = {
        "name": name,
        "title": resource.title,
        "path": resource.link_url,
        "format": resource.format,
    }
    if resource.description:
        described["description"] = resource.description
    return described


def _resource(
    resource: Resource,
    version: ResourceVersion,
    name: str,
    store: FileStore,
    download_url: DownloadUrl,
) -> dict[str, Any]:
    described: dict[str, Any] = {
        "name": name,
        "title": resource.title,
        "path": download_url(resource, version),
        "format": resource.format,
        "mediatype": version.media_type,
        "bytes": version.size,
        "hash": f"sha256:{version.sha256}",
    }
    if resource.description:
        described["description"] = resource.description
    if resource.format in TABULAR_FORMATS:
        with store.open(version.sha256) as handle:
            layout = sniff_sample(handle.read(SAMPLE_BYTES))
        described["encoding"] = ENCODINGS.get(layout.encoding, layout.encoding)
        dialect = dict(version.dialect or {})
        if resource.format == "csv" and layout.delimiter != ",":
            dialect.setdefault("delimiter", layout.delimiter)
        if dialect:
            described["dialect"] = dialect
        if version.table_schema:
            described["schema"] = version.table_schema
    return described


def _unique(name: str, taken: set[str]) -> str:
    """Resource names must differ within a package; two files may share a title."""
    candidate, number = name, 2
    while candidate in taken:
        candidate, number = f"{name}-{number}", number + 1
    taken.add(candidate)
    return candidate


def _timestamp(value: datetime | None) -> str | None:
    return f"{value:%Y-%m-%dT%H:%M:%SZ}" if value else None
