"""A real `opendata` process for end-to-end tests: commands on a fresh instance, and a server
on a free port that is stopped whatever happens."""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 30.0


def instance_env(folder: Path, secret: str) -> dict[str, str]:
    """The environment of a fresh SQLite instance in `folder` (never the test PostgreSQL)."""
    env = {
        **os.environ,
        "OPENDATA_INSTANCE": str(folder / "instance"),
        "OPENDATA_SECRET_KEY": secret,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    env.pop("OPENDATA_DATABASE_URL", None)
    return env


def demo_instance_env(tmp_path_factory, folder: Path, secret: str) -> dict[str, str]:
    """The environment of an instance in `folder` holding the demo catalogue, as `opendata
    init` and `opendata demo` leave it. They run once per test run, into a template that is
    then copied, since loading the demo takes longer than most tests; pytest-xdist workers
    share it through a lock, so the second worker that needs it waits instead of loading
    it again."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's folder, above each worker's own
    template = root / "demo-template"
    with (root / "demo-template.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (template / "instance").exists():
            building = Path(tempfile.mkdtemp(prefix="demo-building-", dir=root))
            env = instance_env(building, "demo-template")
            run_opendata(["init"], env)
            run_opendata(["demo"], env)
            building.rename(template)
    shutil.copytree(template / "instance", folder / "instance")
    return instance_env(folder, secret)


def _command() -> list[str]:
    """The `opendata` command of this virtualenv (or its entry point when not installed)."""
    script = Path(sys.executable).with_name("opendata")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from opendata.cli import main; main()"]


def run_opendata(args: list[str], env: dict[str, str], stdin: str | None = None) -> str:
    """Run `opendata ARGS`; fail the test with its output if it fails; return its stdout."""
    result = subprocess.run(
        [*_command(), *args],
        env=env,
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode != 0:
        pytest.fail(
            f"`opendata {' '.join(args)}` failed ({result.returncode}):\n"
            f"{result.stdout}\n{result.stderr}",
            pytrace=False,
        )
    return result.stdout


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_answering(url: str, process: subprocess.Popen, log: Path, name: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"`{name}` exited with {process.returncode} before answering:\n"
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
        f"`{name}` did not answer {url} within {START_TIMEOUT:.0f} s:\n"
        f"{log.read_text(errors='replace')}",
        pytrace=False,
    )


@contextmanager
def serving(env: dict[str, str], folder: Path, probe: str = "/") -> Iterator[str]:
    """Start `opendata serve` on a free port, wait until `probe` answers 200, yield the base
    URL, and stop the server afterwards."""
    port = str(_free_port())
    command = [*_command(), "serve", "--host", "127.0.0.1", "--port", port]
    with _running("opendata serve", [(command, port, env, folder)], probe) as (url,):
        yield url


@contextmanager
def gunicorn_serving(
    *instances: tuple[dict[str, str], Path], probe: str = "/", workers: int = 1
) -> Iterator[list[str]]:
    """`serving` by gunicorn on `opendata.wsgi:app`, as in production: one server for each
    (environment, folder), all started at once; their base URLs."""
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    started = []
    for env, folder in instances:
        port = str(_free_port())
        command = [gunicorn, "--workers", str(workers), "--bind", f"127.0.0.1:{port}"]
        started.append(([*command, "opendata.wsgi:app"], port, env, folder))
    with _running("gunicorn", started, probe) as urls:
        yield urls


@contextmanager
def _running(
    name: str, started: list[tuple[list[str], str, dict[str, str], Path]], probe: str
) -> Iterator[list[str]]:
    """Start each (command, port, environment, folder), logging to the folder's server.log,
    wait until every one answers `probe`, and stop them all afterwards."""
    running = []
    for command, port, env, folder in started:
        log = folder / "server.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                command, env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT
            )
        running.append((f"http://127.0.0.1:{port}", process, log))
    try:
        for url, process, log in running:
            _wait_until_answering(url + probe, process, log, name)
        yield [url for url, _process, _log in running]
    finally:
        for _url, process, _log in running:
            process.terminate()
        for _url, process, _log in running:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
