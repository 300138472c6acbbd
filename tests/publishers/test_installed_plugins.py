"""A third-party plugin is a real package: built, installed with pip, found by its entry point."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from publishers.manager import ENTRY_POINT_GROUP, plugin_manager, plugin_names
from tests.publishers.conftest import looked_after

PYPROJECT = f"""
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "opendata-shout"
version = "0.1"

[project.entry-points."{ENTRY_POINT_GROUP}"]
shout = "opendata_shout"

[tool.setuptools]
packages = ["opendata_shout"]
"""

PLUGIN = '''
"""Says how many series it saw, as a warning that does not stop the run."""
import pluggy

from publishers.batches import Problem

hookimpl = pluggy.HookimplMarker("opendata")


@hookimpl
def opendata_check(source, batch):
    return [Problem("shout", f"Shout saw {len(batch.series)} series.", blocking=False)]
'''


@pytest.fixture
def installed(tmp_path, monkeypatch):
    package = tmp_path / "opendata-shout"
    (package / "opendata_shout").mkdir(parents=True)
    (package / "pyproject.toml").write_text(textwrap.dedent(PYPROJECT))
    (package / "opendata_shout" / "__init__.py").write_text(textwrap.dedent(PLUGIN))
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index"]
        + ["--no-build-isolation", "--target", str(target), str(package)],
        check=True,
        capture_output=True,
    )
    monkeypatch.syspath_prepend(str(target))
    yield target
    sys.modules.pop("opendata_shout", None)


def test_an_installed_plugin_is_loaded_and_its_hook_runs(installed, kpi_store, run):
    assert "shout" not in plugin_names(plugin_manager(installed=False))
    pm = plugin_manager()
    assert "shout" in plugin_names(pm)
    looked_after(kpi_store)
    summary = run(pm=pm)
    assert summary.status == "done"
    assert [(p.code, p.message) for p in summary.problems] == [("shout", "Shout saw 4 series.")]
