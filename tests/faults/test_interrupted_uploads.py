"""An upload whose client is killed part way: no partial file, no orphan row, and the
previous version still served. Against a real `opendata serve` over a real socket.

The store's own guarantee (a stream that breaks while being stored leaves nothing) is in
tests/catalog/test_storage.py::test_a_failed_upload_leaves_nothing."""

from __future__ import annotations

import hashlib
import json
import socket
import urllib.request
from urllib.parse import urlsplit

from sqlalchemy import func, select

from catalog.db import make_engine
from catalog.models import ResourceVersion
from tests.conftest import Catalogue
from tests.faults.conftest import editor_with_token
from tests.faults.databases import build_app
from tests.live_server import instance_env, serving

FIRST = b"ward,count\nGuildhall,12\nMicklegate,7\n"
SECOND = b"ward,count\n" + b"Heworth,3\n" * 50_000
BOUNDARY = "----opendata-test-boundary"


def _site(folder):
    """A published dataset with one file, and an editor's API token, made before serving."""
    app = build_app(folder / "instance")
    session = app.extensions["catalog"]["sessions"]()
    catalogue = Catalogue(app, session)
    catalogue.organisation()
    dataset = catalogue.dataset("ward-counts", title="Ward counts", files={"counts.csv": FIRST})
    secret = editor_with_token(session)
    catalogue.saved()
    resource_id = dataset.resources[0].id
    session.close()
    app.extensions["catalog"]["engine"].dispose()
    return resource_id, secret


def _multipart(resource_id: str) -> bytes:
    return (
        (
            f"--{BOUNDARY}\r\n"
            'Content-Disposition: form-data; name="id"\r\n\r\n'
            f"{resource_id}\r\n"
            f"--{BOUNDARY}\r\n"
            'Content-Disposition: form-data; name="upload"; filename="counts.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + SECOND
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )


def _send_and_hang_up(base: str, token: str, body: bytes, sent: int) -> bytes:
    """Send the headers and `sent` bytes of the body, stop sending (as a killed client does
    when it stops short), and read whatever the server says before it closes."""
    address = urlsplit(base)
    head = (
        "POST /api/3/action/resource_patch HTTP/1.1\r\n"
        f"Host: {address.netloc}\r\n"
        f"Authorization: Bearer {token}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    with socket.create_connection((address.hostname, address.port), timeout=30) as connection:
        connection.sendall(head + body[:sent])
        connection.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


def _get(base: str, path: str) -> bytes:
    with urllib.request.urlopen(base + path, timeout=30) as response:
        return response.read()


def test_an_upload_cut_off_half_way_leaves_nothing_and_the_old_file_is_served(tmp_path):
    resource_id, token = _site(tmp_path)
    store = tmp_path / "instance" / "store"
    files_before = sorted(p.relative_to(store) for p in store.rglob("*") if p.is_file())
    env = instance_env(tmp_path, "test")
    with serving(env, tmp_path) as base:
        body = _multipart(resource_id)
        answer = _send_and_hang_up(base, token, body, len(body) // 2)
        assert not answer.startswith(b"HTTP/1.1 200")
        shown = json.loads(_get(base, f"/api/3/action/resource_show?id={resource_id}"))
        resource = shown["result"]
        download = _get(base, f"/datasets/ward-counts/resources/{resource_id}/download/counts.csv")
        rows = json.loads(_get(base, f"/api/data/{resource_id}"))["rows"]
    files_after = sorted(p.relative_to(store) for p in store.rglob("*") if p.is_file())
    assert files_after == files_before  # no partial file, no temporary file left behind
    assert resource["size"] == len(FIRST)
    assert hashlib.sha256(download).hexdigest() == hashlib.sha256(FIRST).hexdigest()
    assert [row["ward"] for row in rows] == ["Guildhall", "Micklegate"]
    assert _version_rows(tmp_path / "instance") == 1  # no orphan row

    with serving(env, tmp_path) as base:  # the same request, sent whole, is stored
        assert _send_and_hang_up(base, token, body, len(body)).startswith(b"HTTP/1.1 200")
    assert _version_rows(tmp_path / "instance") == 2


def _version_rows(instance) -> int:
    engine = make_engine(f"sqlite:///{instance / 'catalogue.sqlite'}")
    with engine.connect() as connection:
        count = connection.scalar(select(func.count()).select_from(ResourceVersion))
    engine.dispose()
    return count
