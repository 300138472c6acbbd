"""Where a backup archive goes and comes from: a local path, or an object in S3-compatible
storage (`s3://bucket/key`, reached with boto3's usual `AWS_*` variables), so that a council
running more than one server keeps its backups off every one of them.

An archive is always built and read as a local file first (a restore checks every checksum
before it writes anything, so it reads the archive twice); an object is uploaded only once the
archive is whole, in parts, and a failed upload leaves no object behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from catalog.errors import Invalid, NotFound
from catalog.storage.s3 import answers, s3_client


@contextmanager
def archive_to_write(target: str, *, scratch: Path) -> Iterator[Path]:
    """A local path to write the archive at; one bound for object storage is sent there when
    the block ends without an error, and the local copy removed."""
    place = _object(target)
    if place is None:
        path = Path(target)
        if path.is_dir() or not path.parent.is_dir():
            raise Invalid(
                f"Cannot write a backup to {target}: give a file name in an existing folder.",
                field="path",
            )
        yield path
        return
    with _scratch_path(scratch) as path:
        yield path
        bucket, key = place
        with answers():
            s3_client().upload_file(str(path), bucket, key)


@contextmanager
def archive_to_read(source: str, *, scratch: Path) -> Iterator[Path]:
    """A local path to the archive: the file itself, or a download of the object, removed
    afterwards."""
    place = _object(source)
    if place is None:
        path = Path(source)
        if not path.is_file():
            raise NotFound(f"There is no backup archive at {source}.", field="path")
        yield path
        return
    bucket, key = place
    with _scratch_path(scratch) as path:
        try:
            with answers(missing=source):
                s3_client().download_file(bucket, key, str(path))
        except NotFound as error:
            raise NotFound(f"There is no backup archive at {source}.", field="path") from error
        yield path


def _object(location: str) -> tuple[str, str] | None:
    """The bucket and key of an `s3://` location, or None for a local path."""
    if not location.startswith("s3:"):
        return None
    parts = urlsplit(location)
    key = parts.path.lstrip("/")
    if not parts.netloc or not key or key.endswith("/"):
        raise Invalid(
            f"{location} does not name an object: give s3://bucket/path/to/backup.tar.gz.",
            field="path",
        )
    return parts.netloc, key


@contextmanager
def _scratch_path(scratch: Path) -> Iterator[Path]:
    scratch.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=scratch, prefix=".archive-")
    os.close(handle)
    path = Path(name)
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)
