"""A content-addressed file store: every upload is kept once, by its SHA-256, and never rewritten.

An upload streams to a temporary file in the store while it is hashed and measured, then is
renamed into `ab/cd/<sha256>`. The rename is atomic, so a failed or oversized upload leaves no
file behind and a reader never sees half a file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO, BinaryIO

from catalog.errors import NotFound, TooLarge

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int


class FileStore:
    def __init__(self, root: Path, *, max_bytes: int | None = None) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.root.mkdir(parents=True, exist_ok=True)

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, stream: IO[bytes]) -> StoredFile:
        """Store a stream and return its hash and size; raise TooLarge past the limit."""
        digest = hashlib.sha256()
        size = 0
        handle, temp_name = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as temp:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if self.max_bytes is not None and size > self.max_bytes:
                        raise TooLarge(
                            f"The file is larger than the {self.max_bytes:,} byte limit.",
                            field="file",
                        )
                    digest.update(chunk)
                    temp.write(chunk)
            sha256 = digest.hexdigest()
            target = self.path_for(sha256)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temp_name, target)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        return StoredFile(sha256=sha256, size=size)

    def remove(self, sha256: str) -> None:
        """Delete a stored file; only for one that no version refers to."""
        self.path_for(sha256).unlink(missing_ok=True)

    def digest(self, sha256: str, algorithm: str) -> str:
        """The file's hex digest by another algorithm (a harvester may ask for SHA-1), worked
        out once per file and process: a stored file never changes."""
        if algorithm == "sha256":
            return sha256
        return _digest(self.path_for(sha256), algorithm)

    def open(self, sha256: str) -> BinaryIO:
        path = self.path_for(sha256)
        if not path.is_file():
            raise NotFound(f"The stored file {sha256} is missing.")
        return path.open("rb")


@lru_cache(maxsize=4096)
def _digest(path: Path, algorithm: str) -> str:
    if not path.is_file():
        raise NotFound(f"The stored file {path.name} is missing.")
    digest = hashlib.new(algorithm)
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
