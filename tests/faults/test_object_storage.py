"""The catalogue with its files in S3-compatible object storage (`OPENDATA_STORAGE_URL`),
against a real S3 server (moto's): uploads and downloads give the same bytes, ETag, Range and
304 as the folder store, streamed through or redirected to a presigned address; backups and
dumps work; and a store that refuses or cannot be reached is a clear 503 or 507 with nothing
half-written."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import urllib.request
import zipfile

import pytest
from sqlalchemy import func, select

from catalog.models import ResourceVersion
from tests.cli.test_load import _package, _spend
from tests.conftest import initialised_app
from tests.faults.conftest import editor_with_token
from tests.pages import parse_page
from tests.s3_server import gateway_to

CSV = b"Ward,Population\r\nAcomb,10674\r\nClifton,13481\r\nDringhouses and Woodthorpe,13009\r\n"
NEW = CSV + b"Heworth,12500\r\n"
SHA = hashlib.sha256(CSV).hexdigest()


@pytest.fixture(params=["streamed", "redirect"])
def mode(request) -> str:
    return request.param


@pytest.fixture
def gateway(s3):
    """Between the catalogue and the server: passes everything until told to refuse."""
    with gateway_to(s3.endpoint) as gateway:
        yield gateway


@pytest.fixture
def app(environ, s3, gateway, monkeypatch, request):
    monkeypatch.setenv("AWS_ENDPOINT_URL", gateway.url)
    redirect = "mode" in request.fixturenames and request.getfixturevalue("mode") == "redirect"
    settings = {"OPENDATA_STORAGE_URL": s3.url(), "OPENDATA_STORAGE_REDIRECT": str(redirect)}
    yield from initialised_app({**environ, **settings})


@pytest.fixture
def wards(catalogue):
    dataset = catalogue.dataset("ward-profiles", files={"wards.csv": CSV})
    return f"/datasets/ward-profiles/resources/{dataset.resources[0].id}"


@pytest.fixture
def editor(catalogue):
    """The Authorization header of an editor of the dataset's organisation."""
    session = catalogue.session
    secret = editor_with_token(session)
    catalogue.saved()
    return {"Authorization": secret}


def _upload(client, resource_id: str, editor, content: bytes):
    data = {"id": resource_id, "upload": (io.BytesIO(content), "wards.csv")}
    return client.post("/api/3/action/resource_patch", data=data, headers=editor)


def _versions(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count(ResourceVersion.id)))


def test_files_are_kept_in_the_bucket_under_their_hash(s3, client, wards, editor):
    resource_id = wards.rsplit("/", 1)[1]
    added = _upload(client, resource_id, editor, NEW)
    assert added.status_code == 200, added.json
    new = hashlib.sha256(NEW).hexdigest()
    assert s3.objects() == sorted(f"files/{sha[:2]}/{sha[2:4]}/{sha}" for sha in (SHA, new))
    assert s3.content(f"files/{new[:2]}/{new[2:4]}/{new}") == NEW


def test_a_download_has_the_same_bytes_etag_ranges_and_304(client, wards, mode):
    url = f"{wards}/download/wards.csv"
    first = client.get(url)
    assert first.headers["ETag"] == f'"{SHA}"'
    unchanged = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert unchanged.status_code == 304 and unchanged.data == b""
    if mode == "streamed":
        assert (first.status_code, first.data) == (200, CSV)
        assert first.headers["Content-Disposition"] == "attachment; filename=wards.csv"
        part = client.get(url, headers={"Range": "bytes=7-16"})
        assert (part.status_code, part.data) == (206, CSV[7:17])
        assert part.headers["Content-Range"] == f"bytes 7-16/{len(CSV)}"
        beyond = client.get(url, headers={"Range": f"bytes={len(CSV) + 5}-"})
        assert beyond.status_code == 416
        return
    assert first.status_code == 302 and "no-store" in first.headers["Cache-Control"]
    link = first.headers["Location"]
    with urllib.request.urlopen(link) as answer:
        assert answer.read() == CSV
        assert answer.headers["Content-Disposition"] == 'attachment; filename="wards.csv"'
    ranged = urllib.request.Request(link, headers={"Range": "bytes=7-16"})
    with urllib.request.urlopen(ranged) as answer:
        assert (answer.status, answer.read()) == (206, CSV[7:17])


def test_the_pages_and_dumps_read_files_from_the_bucket(client, wards):
    page = parse_page(client.get(wards).data)
    assert "Acomb" in page.get_text()
    dumped = client.get("/dumps/datapackages.zip")
    assert dumped.status_code == 200
    with zipfile.ZipFile(io.BytesIO(dumped.data)) as packages:
        package = json.loads(packages.read("ward-profiles/datapackage.json"))
    assert package["resources"][0]["hash"] == f"sha256:{SHA}"
    assert package["resources"][0]["encoding"] == "utf-8"


def test_a_load_puts_its_files_in_the_bucket_only_when_it_succeeds(
    app, runner, catalogue, s3, tmp_path
):
    held = _package(tmp_path / "held", {"spend.csv": _spend()[0]})
    failed = runner.invoke(args=["load", str(held)])
    assert failed.exit_code == 1 and "Nothing was loaded" in failed.output
    assert s3.objects() == []
    good = _package(tmp_path / "good", {"wards.csv": CSV}, name="ward-profiles")
    loaded = runner.invoke(args=["load", str(good)])
    assert loaded.exit_code == 0, loaded.output
    assert s3.objects() == [f"files/{SHA[:2]}/{SHA[2:4]}/{SHA}"]
    scratch = app.config["SETTINGS"].scratch_path
    assert [path.name for path in scratch.iterdir()] == []  # the staged files are gone


@pytest.mark.parametrize("kept", ["on disk", "in the bucket"])
def test_a_backup_holds_the_files_and_restores_into_another_bucket(
    app, wards, runner, tmp_path, s3, environ, monkeypatch, kept
):
    archive = str(tmp_path / "backup.tar.gz") if kept == "on disk" else s3.url("backups/b.tar.gz")
    made = runner.invoke(args=["backup", archive])
    assert made.exit_code == 0, made.output
    local = tmp_path / "copy.tar.gz"
    if kept == "on disk":
        local = tmp_path / "backup.tar.gz"
    else:
        local.write_bytes(s3.content("backups/b.tar.gz"))
        scratch = app.config["SETTINGS"].scratch_path
        assert [path.name for path in scratch.iterdir()] == []  # no local copy is left
    with tarfile.open(local) as backup:
        assert backup.extractfile(f"store/{SHA}").read() == CSV
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3.endpoint)
    elsewhere = {
        **environ,
        "OPENDATA_INSTANCE": str(tmp_path / "restored"),
        "OPENDATA_STORAGE_URL": s3.url("restored"),
    }
    elsewhere.pop("OPENDATA_DATABASE_URL", None)  # a new SQLite instance, whatever is tested
    (tmp_path / "restored").mkdir()
    for restored_app in initialised_app(elsewhere):
        restored = restored_app.test_cli_runner().invoke(args=["restore", archive])
        assert restored.exit_code == 0, restored.output
        download = restored_app.test_client().get(f"{wards}/download/wards.csv")
        assert download.data == CSV
    assert f"restored/{SHA[:2]}/{SHA[2:4]}/{SHA}" in s3.objects()


def test_a_backup_named_wrongly_or_missing_in_the_bucket_is_a_clear_error(runner, s3):
    missing = runner.invoke(args=["restore", s3.url("backups/none.tar.gz")])
    assert missing.exit_code == 1
    assert f"There is no backup archive at {s3.url('backups/none.tar.gz')}." in missing.output
    no_key = runner.invoke(args=["backup", f"s3://{s3.name}/"])
    assert no_key.exit_code == 1
    assert "does not name an object: give s3://bucket/path/to/backup.tar.gz" in no_key.output
    assert s3.objects() == []


def test_dumps_are_kept_in_the_bucket_and_remade_ones_replace_them(
    s3, client, catalogue, wards, mode
):
    first = client.get("/dumps/catalogue.jsonl")
    assert first.status_code == (302 if mode == "redirect" else 200)
    dumped = _fetched(first)
    etag = first.headers["ETag"].strip('"')
    assert etag == hashlib.sha256(dumped).hexdigest()
    assert f"files/{etag[:2]}/{etag[2:4]}/{etag}" in s3.objects()
    assert [json.loads(line)["name"] for line in dumped.decode().splitlines()] == ["ward-profiles"]
    catalogue.dataset("school-places", files={"places.csv": NEW})
    again = client.get("/dumps/catalogue.jsonl")
    names = [json.loads(line)["name"] for line in _fetched(again).decode().splitlines()]
    assert names == ["school-places", "ward-profiles"]
    assert f"files/{etag[:2]}/{etag[2:4]}/{etag}" not in s3.objects()  # the old dump is gone
    assert f"files/{SHA[:2]}/{SHA[2:4]}/{SHA}" in s3.objects()  # uploads stay


def _fetched(answer) -> bytes:
    """The bytes of a download, followed to the bucket when the site redirects there."""
    if answer.status_code != 302:
        return answer.data
    with urllib.request.urlopen(answer.headers["Location"]) as fetched:
        return fetched.read()


@pytest.mark.parametrize(
    ("status", "code", "expected"), [(403, "AccessDenied", 503), (507, "XMinioStorageFull", 507)]
)
def test_a_store_that_refuses_writes_is_a_clear_error_and_nothing_is_saved(
    client, wards, editor, session, gateway, s3, status, code, expected
):
    before, objects = _versions(session), s3.objects()
    gateway.refuse(status, code)
    refused = _upload(client, wards.rsplit("/", 1)[1], editor, NEW)
    assert refused.status_code == expected
    assert "nothing" in refused.json["error"]["message"]
    assert expected == 507 or refused.headers["Retry-After"]
    assert _versions(session) == before and s3.objects() == objects
    assert s3.unfinished_uploads() == []
    assert client.get(f"{wards}/download/wards.csv").data == CSV  # reads still work


def test_a_store_that_cannot_be_reached_is_a_503_and_nothing_is_saved(
    client, wards, editor, session, gateway
):
    before = _versions(session)
    gateway.stop()
    download = client.get(f"{wards}/download/wards.csv", headers={"Accept": "text/html"})
    assert download.status_code == 503 and download.headers["Retry-After"]
    assert "cannot be reached" in parse_page(download.data).get_text()
    refused = _upload(client, wards.rsplit("/", 1)[1], editor, NEW)
    assert refused.status_code == 503 and "nothing" in refused.json["error"]["message"]
    assert _versions(session) == before
