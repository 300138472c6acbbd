"""Browser fixtures: a real `opendata serve` process on the demo catalogue, and Chromium.

The server runs on a fresh temporary instance (`opendata init`, `opendata demo`) on a free port,
and is stopped after the session whatever happens. Chromium is Debian's package (`make browser`)
driven by Playwright, without Playwright's own browser download.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
START_TIMEOUT = 30.0
PUBLISHER_EMAIL = "publisher@example.gov.uk"  # a site administrator, for the publishing pages
PUBLISHER_PASSWORD = "a password for the browser tests"


def _opendata() -> list[str]:
    """The `opendata` command of this virtualenv (or its entry point when not installed)."""
    script = Path(sys.executable).with_name("opendata")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from opendata.cli import main; main()"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(command: list[str], env: dict[str, str], stdin: str | None = None) -> None:
    result = subprocess.run(
        [*_opendata(), *command],
        env=env,
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode != 0:
        pytest.fail(
            f"`opendata {' '.join(command)}` failed ({result.returncode}):\n"
            f"{result.stdout}\n{result.stderr}",
            pytrace=False,
        )


def _wait_until_answering(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"`opendata serve` exited with {process.returncode} before answering:\n"
                f"{log.read_text(errors='replace')}",
                pytrace=False,
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    pytest.fail(
        f"`opendata serve` did not answer {url} within {START_TIMEOUT:.0f} s:\n"
        f"{log.read_text(errors='replace')}",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def base_url(tmp_path_factory) -> Iterator[str]:
    """The address of a real server on the demo catalogue, stopped after the session."""
    folder = tmp_path_factory.mktemp("browser")
    env = {
        **os.environ,
        "OPENDATA_INSTANCE": str(folder / "instance"),
        "OPENDATA_SECRET_KEY": "browser-tests",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    env.pop("OPENDATA_DATABASE_URL", None)
    _run(["init"], env)
    _run(["demo"], env)
    account = ["user", "create", PUBLISHER_EMAIL, "--name", "Demo Publisher", "--sysadmin"]
    _run([*account, "--password-stdin"], env, stdin=PUBLISHER_PASSWORD + "\n")

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = folder / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*_opendata(), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_answering(url + "/", process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Chromium is not installed: run `make browser`.", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
