"""Which file store a storage URL (`OPENDATA_STORAGE_URL`) names."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from catalog.storage import FileStore
from catalog.storage.folder import FolderStore
from catalog.storage.s3 import S3Store


def open_store(
    url: str | None,
    *,
    folder: Path,
    scratch: Path,
    max_bytes: int | None,
    redirect: bool = False,
) -> FileStore:
    """The store a URL names: none (the `folder` default), `file:///path`, or
    `s3://bucket/prefix` (endpoint and credentials from boto3's usual `AWS_*` variables)."""
    if not url:
        return FolderStore(folder, max_bytes=max_bytes)
    parts = urlsplit(url)
    if parts.scheme == "file":
        return FolderStore(Path(parts.path), max_bytes=max_bytes)
    if parts.scheme == "s3" and parts.netloc:
        return S3Store(
            parts.netloc,
            parts.path.strip("/"),
            scratch=scratch,
            max_bytes=max_bytes,
            redirect=redirect,
        )
    raise ValueError(f"The storage URL {url!r} is neither file:///path nor s3://bucket/prefix.")
