"""The demo catalogue (`opendata demo`), when this checkout has its packages."""

from __future__ import annotations

import time
from pathlib import Path

from flask import Flask

DEMO = Path(__file__).resolve().parents[1] / "catalog" / "demo"


def available() -> bool:
    return (DEMO / "packages").is_dir() and (DEMO / "catalogue.json").is_file()


def load(app: Flask) -> float:
    """Run `opendata demo` on the app's instance; returns seconds taken."""
    started = time.perf_counter()
    result = app.test_cli_runner().invoke(args=["demo"])
    if result.exit_code != 0:
        raise RuntimeError(f"opendata demo failed: {result.output}")
    return time.perf_counter() - started
