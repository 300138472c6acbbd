"""What the datastore's own processes (the ingest, the later indexes) are started with, and
the word that tells the ingest process to commit.

Kept apart from `loading` and `ingest` so that no process imports more than it uses: the
process building a table's later indexes would otherwise import pyarrow (about 40 MB, and its
memory counts with the command's beside it), and every command ADBC and nanoarrow (0.1 s).
"""

from __future__ import annotations

import os
from pathlib import Path

# Written after the Arrow stream, it tells the ingest process to commit the rows.
COMMIT = b"commit"


def child_environment() -> dict[str, str]:
    """The environment, with this checkout first on the path: the child imports the same
    `catalog` package even where it is run from a source folder rather than installed."""
    root = str(Path(__file__).resolve().parents[3])
    paths = [root, *filter(None, [os.environ.get("PYTHONPATH")])]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
