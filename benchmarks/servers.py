"""Real HTTP servers for the datastore benchmark, and a keep-alive client to time them.

Both servers run as child processes on free local ports, each as its project runs it in
production, in one process: ours is gunicorn with one worker of four threads (the README's
production set-up, on the same instance the test client used), Datasette is `datasette serve`
(uvicorn) on the same datastore file. The client holds one HTTP/1.1 connection open,
as a script paging through the API would, and reads every response to the last byte.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from benchmarks.instance import instance_environ
from benchmarks.timing import Stats, measure

START_SECONDS = 60.0
CHUNK = 1024 * 1024


class RequestFailed(Exception):
    """A timed request did not answer 200."""


@dataclass(frozen=True)
class Download:
    seconds: float
    bytes: int
    lines: int
    sha256: str | None = None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def opendata_server(
    folder: Path, log: Path, settings: dict[str, str] | None = None
) -> Iterator[int]:
    """gunicorn on the instance in `folder` (with any further `OPENDATA_*` settings); yields
    the port once it answers."""
    port = free_port()
    environ = {**os.environ, **instance_environ(folder), **(settings or {})}
    command = [
        _tool("gunicorn"),
        "--workers=1",
        "--threads=4",
        f"--bind=127.0.0.1:{port}",
        "--keep-alive=5",
        "opendata.wsgi:app",
    ]
    with running(command, environ, log, port, "/"):
        yield port


@contextmanager
def datasette_server(database: Path, log: Path) -> Iterator[int]:
    """`datasette serve` on the datastore file, with its default settings but for a longer SQL
    time limit (a slow query is timed rather than cut off at one second) and no cap on the
    size of a CSV export."""
    port = free_port()
    command = [
        _tool("datasette"),
        "serve",
        str(database),
        "--port",
        str(port),
        "--setting",
        "sql_time_limit_ms",
        "5000",
        "--setting",
        "max_csv_mb",
        "0",  # no size cap on the CSV export, like ours
    ]
    with running(command, dict(os.environ), log, port, f"/{database.stem}.json"):
        yield port


def datasette_installed() -> bool:
    return Path(_tool("datasette")).is_file()


def get(connection: http.client.HTTPConnection, url: str) -> bytes:
    connection.request("GET", url)
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        raise RequestFailed(f"{url} answered {response.status}: {body[:300]!r}")
    return body


def get_json(port: int, url: str) -> dict:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        return json.loads(get(connection, url))
    finally:
        connection.close()


def time_urls(port: int, urls: Sequence[str], *, runs: int, warmup: int) -> tuple[Stats, int]:
    """Wall-clock latencies of GETs cycling through `urls` on one kept-alive connection, and
    the size of the first answer. CPU time is left out: the work happens in the server."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        size = len(get(connection, urls[0]))
        stats = measure(lambda i: get(connection, urls[i % len(urls)]), runs=runs, warmup=warmup)
    finally:
        connection.close()
    return replace(stats, cpu_p50=None, cpu_p95=None), size


def download(port: int, url: str, *, digest: bool = False) -> Download:
    """Stream a whole response to nowhere, counting bytes and lines; with `digest`, also its
    SHA-256 (about 0.2 s of the time for 90 MB), to tell two answers' bytes apart."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    connection.request("GET", url)
    response = connection.getresponse()
    if response.status != 200:
        raise RequestFailed(f"{url} answered {response.status}")
    size = lines = 0
    hashed = hashlib.sha256() if digest else None
    while chunk := response.read(CHUNK):
        size += len(chunk)
        lines += chunk.count(b"\n")
        if hashed:
            hashed.update(chunk)
    seconds = time.perf_counter() - started
    connection.close()
    sha256 = hashed.hexdigest() if hashed else None
    return Download(seconds=seconds, bytes=size, lines=lines, sha256=sha256)


def _tool(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


@contextmanager
def running(
    command: list[str], environ: dict, log: Path, port: int, probe: str
) -> Iterator[subprocess.Popen]:
    """A server, once `probe` answers 200 on `port`."""
    with started(command, environ, log) as process:
        _wait_for(port, probe, process, log)
        yield process


@contextmanager
def started(command: list[str], environ: dict, log: Path) -> Iterator[subprocess.Popen]:
    """A child process writing to `log`, stopped when the block ends (killed if it has not
    stopped 10 s after being asked)."""
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=environ, stdout=output, stderr=subprocess.STDOUT)
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for(port: int, probe: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} stopped: {log.read_text()[-1000:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            get(connection, probe)
            connection.close()
            return
        except (OSError, RequestFailed, http.client.HTTPException):
            time.sleep(0.2)
    raise RuntimeError(f"{process.args[0]} did not answer on port {port} within a minute")
