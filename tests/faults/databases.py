"""A private PostgreSQL server a test may stop and start (never the shared one), and apps
built on a database of the test's choosing."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

from opendata import create_app

BIN = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1])


def build_app(instance: Path, database_url: str | None = None):
    """A migrated app on a fresh instance folder (SQLite there unless `database_url`)."""
    environ = {"OPENDATA_INSTANCE": str(instance), "OPENDATA_SECRET_KEY": "test"}
    if database_url:
        environ["OPENDATA_DATABASE_URL"] = database_url
    app = create_app({"TESTING": True, "ENVIRON": environ})
    result = app.test_cli_runner().invoke(args=["init"])
    assert result.exit_code == 0, result.output
    return app


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateServer:
    """A PostgreSQL cluster in a temporary folder, on its own port, run as `postgres` when the
    tests run as root (PostgreSQL refuses to run as root)."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="opendata-pg-"))
        self.data = self.folder / "data"
        self.port = _free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")

    def _run(self, program: str, *args: str) -> None:
        command = [str(BIN / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.folder / "server.log")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    def stop(self) -> None:
        """Stop at once, as a crash or a killed server would: no goodbye to the clients."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
