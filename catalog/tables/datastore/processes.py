"""What the datastore's own processes (the ingest, the later indexes) are started with.

Kept apart from `loading` so that a process importing it does not import pyarrow (about 40 MB):
the process building a table's later indexes runs beside the command that loaded the table,
and their memory counts together.
"""

from __future__ import annotations

import os
from pathlib import Path


def child_environment() -> dict[str, str]:
    """The environment, with this checkout first on the path: the child imports the same
    `catalog` package even where it is run from a source folder rather than installed."""
    root = str(Path(__file__).resolve().parents[3])
    paths = [root, *filter(None, [os.environ.get("PYTHONPATH")])]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
