"""A real S3 wire-protocol server for the tests: moto's standalone server in a process of its
own on a free port of 127.0.0.1 (its own process, so the memory a test measures is the
catalogue's alone), a new bucket for each test, and a gateway in front of it that can be
told to refuse every write, as a full or locked-down object store does, or to stop.

The fixtures that use these are in `tests/conftest.py`: this module needs no pytest, so the
load benchmark (`benchmarks/load.py --production`) starts the same server."""

from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

START_TIMEOUT = 20.0
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "opendata-test",
    "AWS_SECRET_ACCESS_KEY": "opendata-test",
    "AWS_DEFAULT_REGION": "eu-west-2",
    "AWS_MAX_ATTEMPTS": "1",  # a store that is down is said to be down at once
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def moto_server() -> Iterator[str]:
    """A moto server running until the block ends; its endpoint URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        _wait_for(endpoint, process)
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_for(endpoint: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("The moto server stopped as it started.")
        try:
            urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"The moto server did not answer at {endpoint}.")


@dataclass
class Bucket:
    """One test's bucket on the server, and what is in it."""

    endpoint: str
    name: str

    @property
    def client(self):
        import boto3  # only for the tests that use a bucket

        return boto3.client("s3", endpoint_url=self.endpoint)

    def url(self, prefix: str = "files") -> str:
        return f"s3://{self.name}/{prefix}"

    def objects(self) -> list[str]:
        listed = self.client.list_objects_v2(Bucket=self.name)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def unfinished_uploads(self) -> list[str]:
        listed = self.client.list_multipart_uploads(Bucket=self.name)
        return [upload["Key"] for upload in listed.get("Uploads", [])]

    def content(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()


def new_bucket(endpoint: str) -> Bucket:
    """A new, empty bucket on the server; boto3's variables (CREDENTIALS) must be set."""
    bucket = Bucket(endpoint, f"opendata-{uuid.uuid4().hex[:12]}")
    bucket.client.create_bucket(
        Bucket=bucket.name,
        CreateBucketConfiguration={"LocationConstraint": CREDENTIALS["AWS_DEFAULT_REGION"]},
    )
    return bucket


class Gateway:
    """A gateway to the server that passes every request through until told to `refuse`
    writes: then it answers each PUT, POST and DELETE with an S3 error, as a full or
    locked-down object store does, and still serves reads."""

    def __init__(self, endpoint: str) -> None:
        self.target = urlsplit(endpoint)
        self.refusal: tuple[int, str] | None = None
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def refuse(self, status: int, code: str) -> None:
        self.refusal = (status, code)

    def stop(self) -> None:
        """Stop answering at all, as a store that has gone away."""
        if self.thread.is_alive():
            self.server.shutdown()
            self.thread.join()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._answer()

            do_HEAD = do_PUT = do_POST = do_DELETE = do_GET

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                if gateway.refusal and self.command not in {"GET", "HEAD"}:
                    self._refuse(*gateway.refusal)
                else:
                    self._pass_through(body)

            def _pass_through(self, body: bytes | None) -> None:
                target = gateway.target
                upstream = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
                upstream.request(self.command, self.path, body=body, headers=dict(self.headers))
                answer = upstream.getresponse()
                content = answer.read()
                self.send_response(answer.status)
                for name, value in answer.getheaders():
                    if name.lower() not in {"transfer-encoding", "connection", "content-length"}:
                        self.send_header(name, value)
                length = answer.getheader("Content-Length")
                self.send_header("Content-Length", length or str(len(content)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(content)
                upstream.close()

            def _refuse(self, status: int, code: str) -> None:
                content = (
                    '<?xml version="1.0" encoding="UTF-8"?>'
                    f"<Error><Code>{code}</Code><Message>Refused by the gateway</Message></Error>"
                ).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def log_message(self, *args) -> None:
                pass

        return Handler


@contextmanager
def gateway_to(endpoint: str) -> Iterator[Gateway]:
    gateway = Gateway(endpoint)
    gateway.thread.start()
    try:
        yield gateway
    finally:
        gateway.stop()
