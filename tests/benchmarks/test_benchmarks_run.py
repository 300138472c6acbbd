"""Every benchmark runs end to end, once, at a tiny size, so a change that breaks `make bench`
fails here instead of in front of the next person who measures. No figure is asserted: the
benchmarks' figures are written up in docs/performance.md, never held in tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_URL

ROOT = Path(__file__).resolve().parents[2]
TINY = [
    "--datasets", "200",
    "--runs", "1",
    "--page-runs", "1",
    "--warmup", "0",
    "--page-urls", "5",
    "--datastore-rows", "400",
]  # fmt: skip


def _run(module: str, *arguments: str) -> subprocess.CompletedProcess:
    paths = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    command = [sys.executable, "-m", module, *arguments]
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return run


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> dict:
    """One whole `python -m benchmarks` process at the tiny size, as `make bench` runs it."""
    out = tmp_path_factory.mktemp("bench") / "figures.json"
    _run("benchmarks", *TINY, "--json", str(out))
    return json.loads(out.read_text())


@pytest.mark.skipif(not POSTGRES_URL, reason="needs OPENDATA_TEST_DATABASE_URL")
def test_both_search_backends_give_the_same_answers_on_the_generated_catalogue():
    """The run fails when any query's total, page, facets or suggestion differ."""
    assert POSTGRES_URL
    tiny = ("--datasets", "100", "--runs", "1", "--warmup", "0", "--writes", "1")
    run = _run("benchmarks.search_backends", "--database-url", POSTGRES_URL, *tiny)
    assert "misspelt" in run.stdout


def test_the_generated_catalogue_loads_every_kind_of_file(report):
    """CSV, JSON, GeoJSON, real XLSX workbooks and real PDFs all pass the upload path."""
    assert report["build"]["datasets"] == 200
    assert set(report["build"]["formats"]) == {"csv", "json", "geojson", "xlsx", "pdf"}
    assert report["public_datasets"] > 0


def test_search_and_pages_are_timed_on_the_generated_and_demo_catalogues(report):
    assert report["search"] and not [row for row in report["search"] if row["error"]]
    for pages in (report["pages"], report["demo_pages"]):
        assert pages and not [page for page in pages if page["error"]]


def test_the_datastore_is_checked_loaded_queried_and_exported_beside_its_peers(report):
    datastore = report["datastore"]
    assert datastore["load"]["rows"] == 400
    assert datastore["agreement"]["agree"]
    assert datastore["datasette"]["default"] and datastore["datasette"]["lean"]
    for served in ("http_ours", "http_afresh"):  # kept answers, and each made afresh
        assert [page["stats"]["p95"] > 0 for page in datastore[served]] == [True] * 5
    assert datastore["export"]["lines"] == 401
    assert datastore["export_first"]["sha256"] == datastore["export"]["sha256"]
    assert datastore["total"]["total"] == datastore["datasette"]["total"]
