"""The file store: every upload is kept once, by its SHA-256, and never rewritten.

One interface (`FileStore`) with two homes, chosen from a URL by `catalog.storage.urls`: a
folder on the embedded default (`catalog.storage.folder`) and S3-compatible object storage in
production (`catalog.storage.s3`). An upload is streamed, hashed and measured on the way in,
and becomes visible under its hash only once whole, so a failed or oversized upload leaves
nothing behind and a reader never sees half a file. Code that must read a file from a path
(Arrow, openpyxl) asks for `local_copy`, never for where the store keeps it.
"""

from __future__ import annotations

import hashlib
import io
from contextlib import AbstractContextManager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO, Protocol

from catalog.errors import TooLarge

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int


class FileStore(Protocol):
    max_bytes: int | None

    def __hash__(self) -> int:
        """A store is a key of the caches of what its files hold (they never change)."""
        ...

    @property
    def scratch(self) -> Path:
        """A local folder for temporary files on their way in or out of the store."""
        ...

    def put(self, stream: IO[bytes]) -> StoredFile:
        """Store a stream and return its hash and size; raise TooLarge past `max_bytes`."""
        ...

    def adopt(self, path: Path, stored: StoredFile) -> None:
        """Take in a local file whose hash is already known (a staged or restored file); the
        file may be moved rather than copied."""
        ...

    def open(self, sha256: str) -> io.BufferedReader:
        """The stored file to read, seekable (a `peek` makes an object store answer at once);
        NotFound if it is missing."""
        ...

    def find(self, sha256: str) -> StoredFile | None:
        """The stored file's size, or None when the store does not hold it."""
        ...

    def remove(self, sha256: str) -> None:
        """Delete a stored file; only for one that no version refers to."""
        ...

    def digest(self, sha256: str, algorithm: str) -> str:
        """The file's hex digest by another algorithm (a harvester may ask for SHA-1)."""
        ...

    def local_copy(self, sha256: str) -> AbstractContextManager[Path]:
        """A local path to the file's bytes while the context lasts, for readers that need
        one; the folder store gives its own file, object storage a temporary download."""
        ...

    def link(self, sha256: str, *, filename: str, media_type: str) -> str | None:
        """A short-lived address the client may fetch the file from directly, or None when
        the file is to be streamed through the site."""
        ...


class Hashed:
    """A stream read in chunks, with a running SHA-256 and size, refusing it past `max_bytes`
    (TooLarge) before its extra bytes are stored anywhere."""

    def __init__(self, stream: IO[bytes], max_bytes: int | None) -> None:
        self.stream, self.max_bytes = stream, max_bytes
        self.sha256 = hashlib.sha256()
        self.size = 0

    def __iter__(self) -> Hashed:
        return self

    def __next__(self) -> bytes:
        chunk = self.stream.read(CHUNK)
        if not chunk:
            raise StopIteration
        self.size += len(chunk)
        if self.max_bytes is not None and self.size > self.max_bytes:
            raise TooLarge(
                f"The file is larger than the {self.max_bytes:,} byte limit.", field="file"
            )
        self.sha256.update(chunk)
        return chunk

    def stored(self) -> StoredFile:
        return StoredFile(sha256=self.sha256.hexdigest(), size=self.size)


@lru_cache(maxsize=4096)
def cached_digest(store: FileStore, sha256: str, algorithm: str) -> str:
    """Worked out once per file and process: a stored file never changes."""
    if algorithm == "sha256":
        return sha256
    digest = hashlib.new(algorithm)
    with store.open(sha256) as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
