"""Local copies of stored files kept for the next reader, for object storage.

A check, a preview or a map that reads a table from a path would otherwise download the
whole object for every page. A stored file never changes (it is named by its hash), so a copy
is good for ever; only space limits them: past `max_bytes` the copies used longest ago go.
Each reader is given a hard link of its own, so a copy that goes while it reads is not lost
to it.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

COPIES_BYTES = 2 * 1024**3


class DownloadCache:
    def __init__(self, folder: Path, max_bytes: int) -> None:
        self.folder = folder
        self.max_bytes = max_bytes

    @contextmanager
    def copy(self, sha256: str, fetch: Callable[[Path], None]) -> Iterator[Path]:
        """A path to the file's bytes while the block lasts; `fetch` writes them to a path
        when no copy is kept."""
        kept = self.folder / sha256
        if kept.is_file():
            os.utime(kept)  # used now: the last to go
        else:
            self._fetch(kept, fetch)
        mine = self.folder / f".reading-{uuid.uuid4().hex}"
        try:
            os.link(kept, mine)
        except FileNotFoundError:  # let go of by another reader's trim just now
            self._fetch(kept, fetch)
            os.link(kept, mine)
        try:
            yield mine
        finally:
            mine.unlink(missing_ok=True)

    def _fetch(self, kept: Path, fetch: Callable[[Path], None]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=self.folder, prefix=".fetching-")
        os.close(handle)
        partial = Path(name)
        try:
            fetch(partial)
            os.replace(partial, kept)
        finally:
            partial.unlink(missing_ok=True)
        self._trim(keep=kept)

    def _trim(self, *, keep: Path) -> None:
        """Let go of the copies used longest ago until the rest fit in `max_bytes`."""
        copies = []
        for path in self.folder.iterdir():
            if path.name.startswith(".") or path == keep:
                continue
            try:
                status = path.stat()
            except FileNotFoundError:
                continue
            copies.append((status.st_mtime, status.st_size, path))
        total = sum(size for _, size, _ in copies) + keep.stat().st_size
        for _, size, path in sorted(copies):
            if total <= self.max_bytes:
                break
            path.unlink(missing_ok=True)
            total -= size
