"""The load half of the datastore benchmark: `opendata load` of the spend file, timed as a whole
process, as anyone would time it with `time`.

A fresh instance is made (`opendata init`, and the organisation the package names), then the
spend file goes in as a Frictionless Data Package folder (datapackage.json with its Table
Schema, the CSV linked beside it) through the `opendata` program in a process of its own. Its
wall time counts everything: Python's start-up and imports, storing and hashing the file, the
check and load, the key's index, the commit and the search index. A large table's other indexes
are built after the command has answered, by a process it leaves behind
(`catalog.tables.datastore.later_indexes`), so the time until the last of them is recorded is
given too. Memory is the resident memory of every process of the load summed (the command, its
ingest process, the indexing process that outlives it), sampled every 20 ms, with the largest
sum kept; and each process's own high-water mark (`VmHWM`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from sqlalchemy import select

from benchmarks.instance import ACTOR, close, instance_environ, make_app
from catalog.db import make_engine, make_session_factory
from catalog.models import DataTable, Resource
from catalog.publishing.groups import organisation_create
from opendata.config import load_settings

DATASET = "spend-over-500-generated"
ORGANISATION = "finance"
SAMPLE_SECONDS = 0.02
INDEXES_WAIT_SECONDS = 600


@dataclass
class Watched:
    """Every process of the load, and the most memory they held at once."""

    processes: dict[int, psutil.Process] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)
    peaks_mb: dict[int, float] = field(default_factory=dict)
    together_mb: float = 0.0

    def sample(self, root: psutil.Process | None) -> None:
        if root is not None:
            try:
                for process in [root, *root.children(recursive=True)]:
                    if process.pid not in self.processes:
                        self.processes[process.pid] = process
                        self.names[process.pid] = _role(process)
            except psutil.Error:
                pass
        total = 0.0
        for pid, process in self.processes.items():
            try:
                rss = process.memory_info().rss / 2**20
                self.peaks_mb[pid] = max(self.peaks_mb.get(pid, 0.0), _high_water_mb(pid))
            except psutil.Error:
                continue
            total += rss
        self.together_mb = max(self.together_mb, total)

    def find(self, marker: str) -> None:
        """Watch too any process whose command line holds `marker`: the indexing process
        may outlive the command before a sample sees it as its child."""
        for process in psutil.process_iter():
            try:
                if process.pid not in self.processes and marker in " ".join(process.cmdline()):
                    self.processes[process.pid] = process
                    self.names[process.pid] = _role(process)
            except psutil.Error:
                continue

    def alive(self) -> bool:
        return any(_running(process) for process in self.processes.values())

    def by_role(self) -> dict[str, float]:
        roles: dict[str, float] = {}
        for pid, peak in self.peaks_mb.items():
            roles[self.names[pid]] = max(roles.get(self.names[pid], 0.0), peak)
        return roles


def load(folder: Path, csv_path: Path, schema_path: Path) -> dict:
    package = _package(folder.parent / "package", csv_path, schema_path)
    _instance(folder)
    environ = {**os.environ, **instance_environ(folder)}
    program = str(Path(sys.executable).with_name("opendata"))
    watched = Watched()
    started = time.perf_counter()
    command = subprocess.Popen(
        [program, "load", str(package)],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    root = psutil.Process(command.pid)
    while True:
        watched.sample(root)
        pid, status, usage = os.wait4(command.pid, os.WNOHANG)
        if pid:
            break
        time.sleep(SAMPLE_SECONDS)
    command_seconds = time.perf_counter() - started
    command.returncode = os.waitstatus_to_exitcode(status)
    output = command.stdout.read() if command.stdout else ""  # a few lines: the pipe held them
    if command.returncode != 0:
        raise RuntimeError(f"opendata load failed: {output[-2000:]}")
    indexed_at = {"command": command_seconds}
    indexed_seconds = _wait_for_indexes(folder, watched, started, indexed_at)
    return {
        **_table_figures(folder),
        "command_seconds": command_seconds,
        # Its own CPU time and its ingest process's (waited for); not the later indexes'.
        "command_cpu_seconds": usage.ru_utime + usage.ru_stime,
        "indexed_seconds": indexed_seconds,
        "indexed_at": indexed_at,
        "peak_mb": watched.together_mb,
        "process_peaks_mb": watched.by_role(),
        "output": output.splitlines()[-3:],
    }


def _instance(folder: Path) -> None:
    """A fresh instance with the organisation the package is published under."""
    app = make_app(folder)
    with app.extensions["catalog"]["sessions"]() as session:
        organisation_create(session, actor=ACTOR, name=ORGANISATION, title="Finance")
        session.commit()
    close(app)


def _package(folder: Path, csv_path: Path, schema_path: Path) -> Path:
    """A data package folder holding the CSV (hard-linked where it can be) and its schema."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / csv_path.name
    target.unlink(missing_ok=True)
    try:
        os.link(csv_path, target)
    except OSError:
        target.write_bytes(csv_path.read_bytes())
    descriptor = {
        "name": DATASET,
        "title": "Spend over £500 (generated)",
        "organisation": ORGANISATION,
        "resources": [
            {
                "name": "payments",
                "title": "Payments",
                "path": csv_path.name,
                "format": "csv",
                "schema": json.loads(schema_path.read_text(encoding="utf-8")),
            }
        ],
    }
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    return folder


def _wait_for_indexes(
    folder: Path, watched: Watched, started: float, indexed_at: dict[str, float]
) -> float:
    """Seconds from the start of the command until the table has every index (its columns no
    longer marked `indexing`) and the process that built them has ended; `indexed_at` gets
    when each column was first seen indexed (and paired, as "<name> paired"). The catalogue
    is read through a bare engine: building an app first would take seconds."""
    engine = make_engine(load_settings(instance_environ(folder)).database_url)
    sessions = make_session_factory(engine)
    deadline = time.monotonic() + INDEXES_WAIT_SECONDS
    try:
        while time.monotonic() < deadline:
            watched.sample(None)
            with sessions() as session:
                table = session.scalars(select(DataTable)).one()
                pending = any(column.get("indexing") for column in table.columns)
                now = time.perf_counter() - started
                for column in table.columns:
                    if column["indexed"]:
                        indexed_at.setdefault(column["name"], now)
                    if column.get("paired_with"):
                        indexed_at.setdefault(f"{column['name']} paired", now)
            if pending:
                watched.find(f"later_indexes {table.version_id} {table.table_name}")
            if not pending and not watched.alive():
                return time.perf_counter() - started
            time.sleep(SAMPLE_SECONDS)
    finally:
        engine.dispose()
    raise RuntimeError("The table's indexes were not all built within ten minutes.")


def _table_figures(folder: Path) -> dict:
    app = make_app(folder)
    with app.extensions["catalog"]["sessions"]() as session:
        table = session.scalars(select(DataTable)).one()
        resource = session.scalars(select(Resource)).one()
        figures = {
            "resource_id": resource.id,
            "table_name": table.table_name,
            "status": str(table.status),
            "rows": table.rows_read,
            "loaded_rows": table.row_count,
            "errors": table.error_count,
            "validate_load_seconds": table.report["stats"]["seconds"],
            "indexes": sum(1 for column in table.columns if column["indexed"]),
            "pairs": [column["name"] for column in table.columns if column.get("paired_with")],
        }
    close(app)
    return figures


def _role(process: psutil.Process) -> str:
    """Which part of the load a process is: the command, the ingest or the indexing."""
    try:
        line = " ".join(process.cmdline())
    except psutil.Error:
        return "gone"
    for module, role in (("ingest", "ingest"), ("later_indexes", "later indexes")):
        if module in line:
            return role
    return "opendata load"


def _running(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _high_water_mb(pid: int) -> float:
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
