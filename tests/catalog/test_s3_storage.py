"""The file store in S3-compatible object storage keeps the folder store's promises against a
real S3 server (moto's): each file once under its SHA-256, streamed in and out without being
held whole, nothing half-stored when an upload breaks or the store refuses it."""

from __future__ import annotations

import hashlib
import io
import tracemalloc
import urllib.request

import pytest

from catalog.errors import NotFound, StoreFull, StoreUnavailable, TooLarge
from catalog.storage.cache import DownloadCache
from catalog.storage.s3 import PART_BYTES
from catalog.storage.urls import open_store
from tests.s3_server import gateway_to

CSV = b"Ward,Population\nAcomb,10674\nClifton,13481\n"


class Generated(io.RawIOBase):
    """`size` bytes made as they are read, never all in memory; with `break_at`, the stream
    fails there, as a client that goes away does."""

    def __init__(self, size: int, break_at: int | None = None) -> None:
        self.size, self.break_at, self.sent = size, break_at, 0
        self.sha256 = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.break_at is not None and self.sent >= self.break_at:
            raise ConnectionResetError("the client went away")
        count = min(len(buffer), self.size - self.sent, 256 * 1024)
        block = bytes((self.sent // 4096 + i) % 251 for i in range(0, count, 4096)) * 4096
        buffer[:count] = block[:count]
        self.sha256.update(block[:count])
        self.sent += count
        return count


def store_for(bucket, tmp_path, **options):
    return open_store(bucket.url(), folder=tmp_path / "unused", scratch=tmp_path / "tmp", **options)


def test_a_file_is_stored_once_under_its_hash_and_read_back(s3, tmp_path):
    store = store_for(s3, tmp_path, max_bytes=None)
    stored = store.put(io.BytesIO(CSV))
    sha256 = hashlib.sha256(CSV).hexdigest()
    assert (stored.sha256, stored.size) == (sha256, len(CSV))
    assert store.put(io.BytesIO(CSV)) == stored
    assert s3.objects() == [f"files/{sha256[:2]}/{sha256[2:4]}/{sha256}"]
    assert store.find(sha256) == stored
    with store.open(sha256) as handle:
        assert handle.read() == CSV
        handle.seek(5)
        assert handle.read(10) == CSV[5:15]
    with store.local_copy(sha256) as path:
        assert path.read_bytes() == CSV
    assert not path.exists()
    assert store.digest(sha256, "sha1") == hashlib.sha1(CSV).hexdigest()
    store.remove(sha256)
    assert store.find(sha256) is None and s3.objects() == []
    with pytest.raises(NotFound):
        store.open(sha256).read()


def test_a_file_read_from_a_path_is_downloaded_once_and_kept_within_the_limit(s3, tmp_path):
    """A table previewed on every page view is fetched once; past the limit the copies used
    longest ago go, but never from under a reader still holding one."""
    copies = DownloadCache(tmp_path / "copies", max_bytes=2 * len(CSV))
    store = store_for(s3, tmp_path, max_bytes=None, copies=copies)
    files = [CSV, CSV + b"Heworth,12500\n", CSV + b"Huntington,9000\n"]
    first, second, third = (store.put(io.BytesIO(content)).sha256 for content in files)
    with store.local_copy(first) as path:
        assert path.read_bytes() == CSV
    s3.client.delete_object(Bucket=s3.name, Key=store.key_for(first))
    with store.local_copy(first) as path:  # the bucket is not asked again
        assert path.read_bytes() == CSV
        with store.local_copy(second), store.local_copy(third):
            pass
        assert path.read_bytes() == CSV  # let go of from the copies, not from this reader
    kept = sorted(item.name for item in (tmp_path / "copies").iterdir())
    assert kept == [third]  # the other two no longer fit beside it
    with pytest.raises(NotFound), store.local_copy(first):
        pass


def test_an_empty_file_is_a_file(s3, tmp_path):
    store = store_for(s3, tmp_path, max_bytes=None)
    stored = store.put(io.BytesIO(b""))
    assert stored.size == 0
    assert store.open(stored.sha256).read() == b""


def test_a_large_upload_is_streamed_in_parts_never_held_whole(s3, tmp_path):
    size = 5 * PART_BYTES + 12345
    store = store_for(s3, tmp_path, max_bytes=None)
    stream = Generated(size)
    tracemalloc.start()
    try:
        stored = store.put(io.BufferedReader(stream))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (stored.sha256, stored.size) == (stream.sha256.hexdigest(), size)
    assert peak < 2 * PART_BYTES < size / 2  # one part at a time, never the whole file
    sha256 = stored.sha256
    assert s3.objects() == [f"files/{sha256[:2]}/{sha256[2:4]}/{sha256}"]
    assert s3.unfinished_uploads() == []
    with store.open(sha256) as handle:
        handle.seek(size - 100)
        assert len(handle.read()) == 100
    assert store.digest(sha256, "sha256") == sha256


@pytest.mark.parametrize("break_at", [1000, 2 * PART_BYTES + 5])
def test_an_upload_cut_off_mid_stream_leaves_nothing(s3, tmp_path, break_at):
    store = store_for(s3, tmp_path, max_bytes=None)
    with pytest.raises(ConnectionResetError):
        store.put(io.BufferedReader(Generated(4 * PART_BYTES, break_at=break_at)))
    assert s3.objects() == []
    assert s3.unfinished_uploads() == []


def test_an_upload_over_the_limit_is_refused_and_leaves_nothing(s3, tmp_path):
    store = store_for(s3, tmp_path, max_bytes=PART_BYTES + 10)
    with pytest.raises(TooLarge) as refused:
        store.put(io.BufferedReader(Generated(3 * PART_BYTES)))
    assert f"{PART_BYTES + 10:,} byte limit" in refused.value.message
    assert s3.objects() == [] and s3.unfinished_uploads() == []


@pytest.mark.parametrize(
    ("status", "code", "error"),
    [(403, "AccessDenied", StoreUnavailable), (507, "XMinioStorageFull", StoreFull)],
)
@pytest.mark.parametrize("size", [len(CSV), 2 * PART_BYTES])
def test_a_store_that_refuses_writes_is_said_to_and_keeps_nothing(
    s3, tmp_path, monkeypatch, status, code, error, size
):
    with gateway_to(s3.endpoint) as gateway:
        monkeypatch.setenv("AWS_ENDPOINT_URL", gateway.url)
        store = store_for(s3, tmp_path, max_bytes=None)
        assert store.put(io.BytesIO(CSV)).size == len(CSV)  # passed through until it refuses
        store.remove(hashlib.sha256(CSV).hexdigest())
        gateway.refuse(status, code)
        with pytest.raises(error):
            store.put(io.BufferedReader(Generated(size)))
    assert s3.objects() == [] and s3.unfinished_uploads() == []


def test_a_store_that_cannot_be_reached_is_said_to_be_unavailable(s3, tmp_path, monkeypatch):
    with gateway_to(s3.endpoint) as gateway:
        monkeypatch.setenv("AWS_ENDPOINT_URL", gateway.url)
        store = store_for(s3, tmp_path, max_bytes=None)
        stored = store.put(io.BytesIO(CSV))
        gateway.stop()
        with pytest.raises(StoreUnavailable) as down:
            store.put(io.BytesIO(CSV + b"Heworth,3\n"))
        assert "cannot be reached" in down.value.message
        with pytest.raises(StoreUnavailable):
            store.open(stored.sha256).read()


def test_a_presigned_link_serves_the_file_with_its_name_and_ranges(s3, tmp_path):
    store = store_for(s3, tmp_path, max_bytes=None, redirect=True)
    stored = store.put(io.BytesIO(CSV))
    link = store.link(stored.sha256, filename="wards.csv", media_type="text/csv")
    with urllib.request.urlopen(link) as answer:
        assert answer.read() == CSV
        assert answer.headers["Content-Disposition"] == 'attachment; filename="wards.csv"'
        assert answer.headers["Content-Type"] == "text/csv"
    ranged = urllib.request.Request(link, headers={"Range": "bytes=0-3"})
    with urllib.request.urlopen(ranged) as answer:
        assert (answer.status, answer.read()) == (206, CSV[:4])
    assert (
        store_for(s3, tmp_path, max_bytes=None).link(
            stored.sha256, filename="wards.csv", media_type="text/csv"
        )
        is None
    )


def test_the_storage_url_chooses_the_store(tmp_path):
    folder = open_store(None, folder=tmp_path / "store", scratch=tmp_path, max_bytes=5)
    assert folder.put(io.BytesIO(b"abc")).size == 3
    assert (tmp_path / "store").is_dir()
    elsewhere = open_store(
        f"file://{tmp_path / 'other'}", folder=tmp_path / "store", scratch=tmp_path, max_bytes=None
    )
    assert elsewhere.put(io.BytesIO(b"abc")).size == 3 and (tmp_path / "other").is_dir()
    with pytest.raises(ValueError, match="neither"):
        open_store("ftp://x/y", folder=tmp_path, scratch=tmp_path, max_bytes=None)
