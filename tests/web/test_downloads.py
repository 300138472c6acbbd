"""Downloading files as a browser, a script or a download manager does."""

from __future__ import annotations

import hashlib
import io
import urllib.request

import pytest

from catalog.permissions import Actor
from catalog.publishing.resources import Upload, version_add
from tests.conftest import Catalogue
from tests.faults.databases import build_app
from tests.live_server import gunicorn_serving, instance_env
from tests.pages import hrefs, parse_page, table, table_rows

CSV = b"Ward,Population\r\nAcomb,10674\r\nClifton,13481\r\nDringhouses and Woodthorpe,13009\r\n"


@pytest.fixture
def ward_file(catalogue):
    dataset = catalogue.dataset("ward-profiles", files={"wards.csv": CSV})
    resource = dataset.resources[0]
    return f"/datasets/ward-profiles/resources/{resource.id}", resource


def test_download_is_the_file_as_uploaded_with_headers(client, ward_file):
    base, _ = ward_file
    response = client.get(f"{base}/download/wards.csv")
    assert response.status_code == 200
    assert response.data == CSV
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == "attachment; filename=wards.csv"
    assert response.headers["ETag"] == f'"{hashlib.sha256(CSV).hexdigest()}"'
    assert "Last-Modified" in response.headers
    assert response.headers["Accept-Ranges"] == "bytes"


def test_conditional_requests_get_304(client, ward_file):
    base, _ = ward_file
    first = client.get(f"{base}/download/wards.csv")
    again = client.get(
        f"{base}/download/wards.csv", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
    assert again.data == b""
    since = client.get(
        f"{base}/download/wards.csv",
        headers={"If-Modified-Since": first.headers["Last-Modified"]},
    )
    assert since.status_code == 304


def test_range_requests_return_the_asked_bytes(client, ward_file):
    base, _ = ward_file
    response = client.get(f"{base}/download/wards.csv", headers={"Range": "bytes=0-14"})
    assert response.status_code == 206
    assert response.data == CSV[:15]
    assert response.headers["Content-Range"] == f"bytes 0-14/{len(CSV)}"
    beyond = client.get(f"{base}/download/wards.csv", headers={"Range": "bytes=9999-"})
    assert beyond.status_code == 416


def test_every_version_keeps_its_permanent_url(client, catalogue, ward_file):
    base, resource = ward_file
    corrected = CSV.replace(b"10674", b"10675")
    version_add(
        catalogue.session,
        store=catalogue.store,
        actor=Actor.system("test publisher"),
        resource=resource,
        upload=Upload(stream=io.BytesIO(corrected), filename="wards.csv"),
        note="Acomb population corrected",
    )
    assert client.get(f"{base}/versions/1/download/wards.csv").data == CSV
    assert client.get(f"{base}/versions/2/download/wards.csv").data == corrected
    assert client.get(f"{base}/download/wards.csv").data == corrected
    versions = table(parse_page(client.get(base)), "Every version of this file")
    assert any("Acomb population corrected" in " ".join(cells) for cells in table_rows(versions))
    assert f"{base}/versions/1" in hrefs(versions)


def test_wrong_file_name_redirects_to_the_right_one(client, ward_file):
    base, _ = ward_file
    response = client.get(f"{base}/download/old-name.csv")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{base}/download/wards.csv")
    assert client.get(f"{base}/versions/1/download/x.csv").status_code == 301


def test_missing_version_is_404(client, ward_file):
    base, _ = ward_file
    assert client.get(f"{base}/versions/7/download/wards.csv").status_code == 404
    assert client.get(f"{base}/versions/7").status_code == 404


def test_gunicorn_sends_each_file_whole_as_uploaded(tmp_path):
    """Served by gunicorn as in production, on the embedded default's store folder: gunicorn
    sends a local file by its descriptor (sendfile), from wherever the descriptor stands, so
    a file read ahead before it is sent would lose its start. A short file and one longer
    than a read-ahead both come whole, and so does a bulk dump (kept in the store too)."""
    longer = b"Ward,Population\r\n" + b"".join(b"Ward %d,%d\r\n" % (n, n) for n in range(2_000))
    app = build_app(tmp_path / "instance")
    with app.extensions["catalog"]["sessions"]() as session:
        catalogue = Catalogue(app, session)
        catalogue.organisation()
        files = {"wards.csv": CSV, "heworth.csv": longer}
        dataset = catalogue.dataset("ward-profiles", files=files)
        paths = [f"/datasets/ward-profiles/resources/{r.id}/download" for r in dataset.resources]
    app.extensions["catalog"]["engine"].dispose()
    with gunicorn_serving((instance_env(tmp_path, "test"), tmp_path)) as (base,):
        for path, content in zip(paths, files.values(), strict=True):
            with urllib.request.urlopen(base + path, timeout=30) as response:
                assert response.read() == content, path
        with urllib.request.urlopen(base + "/dumps/catalogue.jsonl", timeout=30) as response:
            dumped = response.read()
            assert hashlib.sha256(dumped).hexdigest() == response.headers["ETag"].strip('"')
            assert b'"name": "ward-profiles"' in dumped
