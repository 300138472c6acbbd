"""The content-addressed store keeps each file once and never leaves half a file behind."""

from __future__ import annotations

import hashlib
import io

import pytest

from catalog.errors import TooLarge
from catalog.storage.folder import FolderStore


class BrokenStream(io.BytesIO):
    """A stream that fails part-way, as a dropped connection does."""

    def read(self, size: int = -1) -> bytes:
        if self.tell() > 0:
            raise ConnectionResetError("client went away")
        return super().read(4)


def test_a_file_is_stored_under_its_hash(tmp_path):
    store = FolderStore(tmp_path / "store")
    content = b"Ward,Population\nAcomb,10674\n"
    stored = store.put(io.BytesIO(content))
    digest = hashlib.sha256(content).hexdigest()
    assert stored.sha256 == digest
    assert stored.size == len(content)
    assert store.path_for(digest) == tmp_path / "store" / digest[:2] / digest[2:4] / digest
    assert store.path_for(digest).read_bytes() == content
    assert store.put(io.BytesIO(content)) == stored


def test_an_oversized_upload_is_refused_and_leaves_nothing(tmp_path):
    store = FolderStore(tmp_path / "store", max_bytes=10)
    with pytest.raises(TooLarge) as raised:
        store.put(io.BytesIO(b"x" * 11))
    assert "10 byte limit" in raised.value.message
    assert [p for p in (tmp_path / "store").rglob("*") if p.is_file()] == []


def test_a_failed_upload_leaves_nothing(tmp_path):
    store = FolderStore(tmp_path / "store")
    with pytest.raises(ConnectionResetError):
        store.put(BrokenStream(b"Ward,Population\nAcomb,10674\n"))
    assert [p for p in (tmp_path / "store").rglob("*") if p.is_file()] == []
