"""The load benchmark runs end to end at a tiny size (30 generated datasets, five users for
three seconds), so a change that breaks `make bench-load` fails here. No figure is asserted
(docs/performance.md holds them), only that requests of several kinds were made and none
failed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_load_benchmark_runs_against_gunicorn_without_an_error(tmp_path):
    out = tmp_path / "figures.json"
    paths = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    command = ["--datasets", "30", "--users", "5", "--seconds", "3", "--warmup", "0"]
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks.load", *command, "--json", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    report = json.loads(out.read_text())
    made = {row["kind"]: row["requests"] for row in report["requests"]}
    assert made["all"] > 0 and len(made) > 2, made
    assert report["verdict"]["errors"] == 0, report["requests"]
    assert "| page kind |" in run.stdout
