"""The file store in a folder (the embedded default): each file at `ab/cd/<sha256>`.

An upload streams to a temporary file in the folder while it is hashed and measured, then is
renamed into place. The rename is atomic, so a failed or oversized upload leaves no file
behind and a reader never sees half a file.
"""

from __future__ import annotations

import errno
import io
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from catalog.errors import NotFound
from catalog.storage import Hashed, StoredFile, cached_digest


class FolderStore:
    def __init__(self, root: Path, *, max_bytes: int | None = None) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.root.mkdir(parents=True, exist_ok=True)

    @property
    def scratch(self) -> Path:
        """The store's own folder: a temporary file there is moved in by a rename."""
        return self.root

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, stream: IO[bytes]) -> StoredFile:
        chunks = Hashed(stream, self.max_bytes)
        handle, temp_name = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as temp:
                for chunk in chunks:
                    temp.write(chunk)
            stored = chunks.stored()
            self._move_in(Path(temp_name), stored.sha256)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        return stored

    def adopt(self, path: Path, stored: StoredFile) -> None:
        if self.path_for(stored.sha256).is_file():
            return
        try:
            self._move_in(path, stored.sha256)
        except OSError as error:
            if error.errno != errno.EXDEV:
                raise
            with path.open("rb") as stream:  # another disk: copied in as an upload is
                self.put(stream)

    def _move_in(self, path: Path, sha256: str) -> None:
        target = self.path_for(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)

    def open(self, sha256: str) -> io.BufferedReader:
        path = self.path_for(sha256)
        if not path.is_file():
            raise NotFound(f"The stored file {sha256} is missing.")
        return path.open("rb")

    def find(self, sha256: str) -> StoredFile | None:
        try:
            return StoredFile(sha256=sha256, size=self.path_for(sha256).stat().st_size)
        except FileNotFoundError:
            return None

    def remove(self, sha256: str) -> None:
        self.path_for(sha256).unlink(missing_ok=True)

    def digest(self, sha256: str, algorithm: str) -> str:
        return cached_digest(self, sha256, algorithm)

    @contextmanager
    def local_copy(self, sha256: str) -> Iterator[Path]:
        path = self.path_for(sha256)
        if not path.is_file():
            raise NotFound(f"The stored file {sha256} is missing.")
        yield path

    def link(self, sha256: str, *, filename: str, media_type: str) -> str | None:
        """Always streamed: a folder has no address of its own."""
        return None
