"""The load half of the datastore benchmark, run in its own process so its memory is its own.

`python -m benchmarks.datastore_load INSTANCE CSV SCHEMA OUT` sets up a real instance
(`opendata init`), publishes a spend dataset through the services with a one-row first version,
then adds the big file as a second version and times `catalog.tables.checks.check_version` on
it: the same call the upload page (or, in production, the RQ worker) makes. That is read, validate,
load, index and ANALYZE. The figures go to OUT as JSON. Peak memory is given for this process
and for the ingest process that writes SQLite's rows while it checks; both run at once.
"""

from __future__ import annotations

import io
import json
import resource
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

from benchmarks.instance import ACTOR, SOURCE, close, make_app
from catalog.clock import utcnow
from catalog.publishing.datasets import DatasetInput, dataset_create
from catalog.publishing.groups import organisation_create
from catalog.publishing.resources import Upload, resource_create, version_add
from catalog.publishing.workflow import release_without_review
from catalog.tables.checks import check_version

DATASET = "spend-over-500-generated"


def load(folder: Path, csv_path: Path, schema_path: Path) -> dict:
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    app = make_app(folder)
    catalog = app.extensions["catalog"]
    store = catalog["store"]
    with catalog["sessions"]() as session:
        organisation_create(session, actor=ACTOR, name="finance", title="Finance")
        dataset = dataset_create(
            session,
            actor=ACTOR,
            data=DatasetInput(
                name=DATASET,
                title="Spend over £500 (generated, 1,000,000 payments)",
                organisation="finance",
                description="Generated for the datastore benchmark.",
            ),
        )
        with csv_path.open("rb") as handle:
            first_row = b"".join([handle.readline(), handle.readline()])
        spend = resource_create(
            session,
            store=store,
            actor=ACTOR,
            dataset=dataset,
            title="Payments",
            format="csv",
            upload=Upload(stream=io.BytesIO(first_row), filename="spend.csv"),
            table_schema=schema,
        )
        started = time.perf_counter()
        with csv_path.open("rb") as handle:
            version = version_add(
                session,
                store=store,
                actor=ACTOR,
                resource=spend,
                upload=Upload(stream=handle, filename="spend.csv"),
                table_schema=schema,
                check_now=False,
            )
        stored = time.perf_counter() - started
        rss_before = _rss_mb()
        peak_before = _peak_mb()
        started = time.perf_counter()
        with _ChildrenPeak() as children:
            table = check_version(session, store, version, progress=True)  # as a worker runs it
        check_seconds = time.perf_counter() - started
        peak = _peak_mb()
        release_without_review(
            session, actor=ACTOR, dataset=dataset, at=utcnow() - timedelta(minutes=1), source=SOURCE
        )
        session.commit()
        figures = {
            "resource_id": spend.id,
            "table_name": table.table_name,
            "status": str(table.status),
            "rows": table.rows_read,
            "loaded_rows": table.row_count,
            "errors": table.error_count,
            "store_seconds": stored,
            "check_seconds": check_seconds,
            "validate_load_seconds": table.report["stats"]["seconds"],
            "rss_before_mb": rss_before,
            "peak_before_mb": peak_before,
            "peak_mb": peak,
            "ingest_peak_mb": children.peak_mb,
        }
    close(app)
    return figures


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _ChildrenPeak:
    """The largest peak memory of any child process alive during the block (SQLite's rows are
    written by an ingest process beside the check), read from /proc while they run."""

    def __init__(self) -> None:
        self.peak_mb = 0.0
        self._done = threading.Event()
        self._watcher = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> _ChildrenPeak:
        self._watcher.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._done.set()
        self._watcher.join()

    def _watch(self) -> None:
        while not self._done.wait(0.02):
            for pid in _children():
                self.peak_mb = max(self.peak_mb, _high_water_mb(pid))


def _children() -> list[str]:
    pids: list[str] = []
    for task in Path("/proc/self/task").iterdir():
        try:
            pids += (task / "children").read_text().split()
        except OSError:
            continue
    return pids


def _high_water_mb(pid: str) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


if __name__ == "__main__":
    folder, csv_path, schema_path, out = map(Path, sys.argv[1:5])
    Path(out).write_text(json.dumps(load(folder, csv_path, schema_path)), encoding="utf-8")
