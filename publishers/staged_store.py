"""The file store as a publishing run sees it: new files wait aside until the run has committed.

A run writes a dozen files before its unit of work commits. If it then fails, or is a dry run,
those files must not stay in the store with nothing pointing at them. So a run's new files go
to a staging folder inside the store (the same disk, so moving them in is a rename), existing
files are read from the store itself, and only after the commit are the staged files moved in;
otherwise the folder is deleted.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import IO, BinaryIO

from catalog.storage import FileStore, StoredFile


class StagedStore(FileStore):
    def __init__(self, real: FileStore) -> None:
        self.real = real
        self.root, self.max_bytes = real.root, real.max_bytes
        staging = Path(tempfile.mkdtemp(dir=real.root, prefix=".run-"))
        self.staging = FileStore(staging, max_bytes=real.max_bytes)
        self.staged: set[str] = set()

    def path_for(self, sha256: str) -> Path:
        if sha256 in self.staged:
            return self.staging.path_for(sha256)
        return self.real.path_for(sha256)

    def put(self, stream: IO[bytes]) -> StoredFile:
        stored = self.staging.put(stream)
        self.staged.add(stored.sha256)
        return stored

    def remove(self, sha256: str) -> None:
        """Only a file this run staged: the store's own files are never touched by a run."""
        if sha256 in self.staged:
            self.staging.remove(sha256)
            self.staged.discard(sha256)

    def open(self, sha256: str) -> BinaryIO:
        if sha256 in self.staged:
            return self.staging.open(sha256)
        return self.real.open(sha256)

    def keep(self) -> None:
        """Move the staged files into the store (one already there stays as it is)."""
        for sha256 in sorted(self.staged):
            target = self.real.path_for(sha256)
            if not target.is_file():
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(self.staging.path_for(sha256), target)
        self.discard()

    def discard(self) -> None:
        shutil.rmtree(self.staging.root, ignore_errors=True)
        self.staged.clear()
