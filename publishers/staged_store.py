"""The file store as a publishing run sees it: new files wait aside until the run is about to
commit.

A run writes a dozen files before its unit of work commits. If it fails, or is a dry run,
those files must not stay in the store with nothing pointing at them. So a run's new files go
to a local staging folder (in the store's scratch space: for a folder store the same disk, so
moving them in is a rename), existing files are read from the store itself, and only when
everything else has succeeded are the staged files moved in, just before the commit. A store
that refuses them then stops the run before anything is committed, so no version ever points
at a file the store lacks; a commit that fails after it leaves files nothing points to, which
are harmless (the next upload of the same bytes finds them) where a missing file would not be.
"""

from __future__ import annotations

import io
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from catalog.storage import FileStore, StoredFile
from catalog.storage.folder import FolderStore


class StagedStore:
    def __init__(self, real: FileStore, *, max_bytes: int | None = None) -> None:
        """`max_bytes` for a larger limit than the store's (a command loading a package)."""
        self.real = real
        self.max_bytes = max_bytes or real.max_bytes
        staging = Path(tempfile.mkdtemp(dir=real.scratch, prefix=".run-"))
        self.staging = FolderStore(staging, max_bytes=self.max_bytes)
        self.staged: dict[str, StoredFile] = {}

    @property
    def scratch(self) -> Path:
        return self.staging.root

    def _holder(self, sha256: str) -> FileStore:
        return self.staging if sha256 in self.staged else self.real

    def put(self, stream: IO[bytes]) -> StoredFile:
        stored = self.staging.put(stream)
        self.staged[stored.sha256] = stored
        return stored

    def adopt(self, path: Path, stored: StoredFile) -> None:
        self.staging.adopt(path, stored)
        self.staged[stored.sha256] = stored

    def open(self, sha256: str) -> io.BufferedReader:
        return self._holder(sha256).open(sha256)

    def find(self, sha256: str) -> StoredFile | None:
        return self._holder(sha256).find(sha256)

    def remove(self, sha256: str) -> None:
        """Only a file this run staged: the store's own files are never touched by a run."""
        if self.staged.pop(sha256, None) is not None:
            self.staging.remove(sha256)

    def digest(self, sha256: str, algorithm: str) -> str:
        return self._holder(sha256).digest(sha256, algorithm)

    @contextmanager
    def local_copy(self, sha256: str) -> Iterator[Path]:
        with self._holder(sha256).local_copy(sha256) as path:
            yield path

    def link(self, sha256: str, *, filename: str, media_type: str) -> str | None:
        return self._holder(sha256).link(sha256, filename=filename, media_type=media_type)

    def keep(self) -> None:
        """Move the staged files into the store (one already there stays as it is)."""
        for sha256, stored in sorted(self.staged.items()):
            self.real.adopt(self.staging.path_for(sha256), stored)
        self.discard()

    def discard(self) -> None:
        shutil.rmtree(self.staging.root, ignore_errors=True)
        self.staged.clear()
