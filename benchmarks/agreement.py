"""Our checks against `frictionless validate` on the same file: time, and the same errors.

frictionless runs in a child process, so its time and peak memory are its own. The clean file
goes through the `frictionless validate` command as anyone would run it; the file with planted
errors goes through its Python API with `checks.duplicate_row()` added (which the command line
does not offer as simply), since our check always looks for duplicate rows.

Run as `python -m benchmarks.agreement CSV SCHEMA OUT`: the child half, which writes
frictionless's errors (type, row number, field number) for the planted file to OUT as JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from catalog.tables.reading import read_table
from catalog.tables.validation import check_table

ErrorKey = tuple[str, int | None, int | None]


@dataclass(frozen=True)
class FrictionlessRun:
    seconds: float
    valid: bool | None
    rows: int | None
    errors: int | None
    peak_mb: float | None
    error: str | None = None
    cpu_seconds: float | None = None


@dataclass(frozen=True)
class Agreement:
    """Ours and frictionless's errors on the planted file, as (type, row, field) multisets."""

    agree: bool
    ours: dict[str, int]
    theirs: dict[str, int]
    only_ours: list[ErrorKey]
    only_theirs: list[ErrorKey]
    our_seconds: float
    their_seconds: float


def frictionless_validate(csv_path: Path, schema_path: Path) -> FrictionlessRun:
    """`frictionless validate FILE --schema SCHEMA --json`, timed as a whole process."""
    command = [
        str(Path(sys.executable).with_name("frictionless")),
        "validate",
        str(csv_path),
        "--schema",
        str(schema_path),
        "--trusted",  # the files are in a temporary folder, outside the working directory
        "--json",
    ]
    stdout, stderr, seconds, peak, cpu = _run_measured(command)
    try:
        report = json.loads(stdout)
    except json.JSONDecodeError:
        message = (stderr or stdout).strip()[-500:]
        return FrictionlessRun(seconds, None, None, None, None, f"no report: {message}")
    task = report["tasks"][0]
    return FrictionlessRun(
        seconds=seconds,
        valid=report["valid"],
        rows=task["stats"].get("rows"),
        errors=task["stats"]["errors"],
        peak_mb=peak,
        cpu_seconds=cpu,
    )


def compare(csv_path: Path, schema_path: Path, scratch: Path) -> Agreement:
    """Check the planted file with our code (in this process) and with frictionless."""
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    started = time.perf_counter()
    with read_table(csv_path, "csv") as (labels, rows):
        checked = check_table(labels, rows, schema)
    our_seconds = time.perf_counter() - started
    errors = [finding.to_descriptor() for finding in checked.errors]
    ours = [(e["type"], e.get("rowNumber"), e.get("fieldNumber")) for e in errors]

    out = scratch / "frictionless-errors.json"
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "benchmarks.agreement", str(csv_path), str(schema_path), str(out)],
        check=True,
    )
    their_seconds = time.perf_counter() - started
    theirs = [tuple(error) for error in json.loads(out.read_text())]

    left, right = Counter(ours), Counter(theirs)
    return Agreement(
        agree=left == right and len(ours) == checked.error_count,
        ours=dict(checked.error_counts),
        theirs=dict(Counter(kind for kind, *_ in theirs)),
        only_ours=sorted((left - right).elements(), key=str)[:20],
        only_theirs=sorted((right - left).elements(), key=str)[:20],
        our_seconds=our_seconds,
        their_seconds=their_seconds,
    )


def _run_measured(command: list[str]) -> tuple[str, str, float, float, float]:
    """Run a command to its end: its output, wall time, own peak memory (MB) and CPU time,
    read from its exit's resource use by `wait4` (the getrusage of all children would give
    the largest child so far, which may be another)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        texts = [part.read().decode("utf-8", "replace") for part in (out, err)]
    return texts[0], texts[1], seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def _frictionless_errors(csv_path: str, schema_path: str, out: str) -> None:
    from frictionless import Schema, checks, system, validate

    schema = json.loads(Path(schema_path).read_text(encoding="utf-8"))
    with system.use_context(trusted=True):
        report = validate(
            csv_path, schema=Schema.from_descriptor(schema), checks=[checks.duplicate_row()]
        )
    errors = [
        (e["type"], e.get("rowNumber"), e.get("fieldNumber"))
        for e in report.to_descriptor()["tasks"][0]["errors"]
    ]
    Path(out).write_text(json.dumps(errors), encoding="utf-8")


if __name__ == "__main__":
    _frictionless_errors(*sys.argv[1:4])
