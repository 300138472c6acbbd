"""The load benchmark runs end to end at a tiny size (a few generated datasets, five users for a
few seconds), so a change that breaks `make bench-load` fails here: on the embedded default,
and on the production set-up when there is a PostgreSQL to run it on. No figure is asserted
(docs/performance.md holds them), only that requests of several kinds were made and none
failed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import make_url

from tests.conftest import POSTGRES_URL

ROOT = Path(__file__).resolve().parents[2]
TINY = ["--users", "5", "--warmup", "0"]
REDIS_URL = "redis://127.0.0.1:6379/12"  # this test's own database: the benchmark empties it


def _load_run(tmp_path: Path, *arguments: str) -> dict:
    """One `python -m benchmarks.load` process; its figures, once it has printed its table."""
    out = tmp_path / "figures.json"
    paths = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks.load", *TINY, *arguments, "--json", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "| page kind |" in run.stdout
    report = json.loads(out.read_text())
    made = {row["kind"]: row["requests"] for row in report["requests"]}
    assert made["all"] > 0 and len(made) > 2, made
    assert report["verdict"]["errors"] == 0, report["requests"]
    return report


def test_the_load_benchmark_runs_against_gunicorn_without_an_error(tmp_path):
    _load_run(tmp_path, "--datasets", "30", "--seconds", "3")


@pytest.mark.skipif(not POSTGRES_URL, reason="needs OPENDATA_TEST_DATABASE_URL")
def test_the_load_benchmark_runs_on_the_production_set_up_without_an_error(tmp_path):
    """PostgreSQL, moto's S3 server, Redis and a worker: every upload the publisher made was
    checked by the worker. The benchmark drops and makes its database again, so it gets one
    of its own beside the test database (`<name>_load`), left for the next run to drop."""
    assert POSTGRES_URL
    database = make_url(POSTGRES_URL)
    own = database.set(database=f"{database.database}_load").render_as_string(hide_password=False)
    # Six seconds: a fresh worker's first pages (templates compiled, connections made) can take
    # three when the machine is busy, and a run with no request answered proves nothing.
    arguments = ["--datasets", "10", "--seconds", "6", "--workers", "1", "--redis", REDIS_URL]
    report = _load_run(tmp_path, *arguments, "--production", own)
    assert report["set_up"]["name"].startswith("production: PostgreSQL")
    uploads = sum(
        row["requests"]
        for row in report["requests"]
        if row["kind"] == "POST publisher: upload a file"
    )
    checks = report["checks"]
    assert checks["failed"] == checks["waiting"] == 0, checks
    assert checks["finished"] >= uploads, checks
