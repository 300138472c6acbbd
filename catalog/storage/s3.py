"""The file store in S3-compatible object storage (AWS S3, MinIO, Ceph): each file at
`<prefix>/ab/cd/<sha256>`, reached through boto3 with its usual `AWS_*` settings
(`AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`, `AWS_MAX_ATTEMPTS` ...).

An upload is read a part (8 MiB) at a time while it is hashed, so only one part is ever in
memory. One that fits in a part is put under its hash in one request, which S3 makes visible
whole or not at all. A larger one goes as a multipart upload to a temporary key, is copied
within the store to its hash once complete, and the temporary object deleted. Any failure
aborts the upload, so nothing half-stored stays; a bucket lifecycle rule should still abort
incomplete uploads and expire `.uploads/`, for a process killed in the middle of one.

A store that cannot be reached or refuses raises StoreUnavailable; one that is full,
StoreFull; the web edge makes those a 503 and a 507.
"""

from __future__ import annotations

import io
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from botocore.exceptions import BotoCoreError, ClientError

from catalog.errors import NotFound, StoreFull, StoreUnavailable
from catalog.storage import CHUNK, Hashed, StoredFile, cached_digest
from catalog.storage.cache import COPIES_BYTES, DownloadCache

log = logging.getLogger(__name__)

PART_BYTES = 8 * 1024 * 1024
LINK_SECONDS = 300
UPLOADS = ".uploads"
# A reader asks for a small first block (a sniffed sample), then ever larger ones.
FIRST_BLOCK = 64 * 1024
LAST_BLOCK = 16 * 1024 * 1024
FULL = {"InsufficientStorage", "XMinioStorageFull", "QuotaExceeded", "StorageFull"}
MISSING = {"NoSuchKey", "NotFound", "404"}
UNREACHABLE = "The file store cannot be reached, so nothing was changed. Try again shortly."


class S3Store:
    def __init__(
        self,
        bucket: str,
        prefix: str,
        *,
        scratch: Path,
        max_bytes: int | None = None,
        redirect: bool = False,
        copies: DownloadCache | None = None,
        client: Any = None,
    ) -> None:
        self.bucket = bucket
        self.prefix = f"{prefix}/" if prefix else ""
        self.max_bytes = max_bytes
        self.redirect = redirect
        self._scratch = scratch
        scratch.mkdir(parents=True, exist_ok=True)
        self.copies = copies or DownloadCache(scratch / "copies", COPIES_BYTES)
        self.client = client or s3_client()

    @property
    def scratch(self) -> Path:
        return self._scratch

    def key_for(self, sha256: str) -> str:
        return f"{self.prefix}{sha256[:2]}/{sha256[2:4]}/{sha256}"

    def put(self, stream: IO[bytes]) -> StoredFile:
        chunks = Hashed(stream, self.max_bytes)
        with answers():
            first = _next_part(chunks)
            if len(first) < PART_BYTES:
                stored = chunks.stored()
                if self.find(stored.sha256) is None:
                    key = self.key_for(stored.sha256)
                    self.client.put_object(Bucket=self.bucket, Key=key, Body=first)
                return stored
            handed = [first]
            del first  # the one reference is handed over, so the part can be let go of
            return self._put_in_parts(handed, chunks)

    def _put_in_parts(self, handed: list[bytearray], chunks: Hashed) -> StoredFile:
        temp = f"{self.prefix}{UPLOADS}/{uuid.uuid4().hex}"
        upload = self.client.create_multipart_upload(Bucket=self.bucket, Key=temp)["UploadId"]
        try:
            sent: list[dict[str, Any]] = []
            part = handed.pop()
            while part:
                number = len(sent) + 1
                answer = self.client.upload_part(
                    Bucket=self.bucket, Key=temp, UploadId=upload, PartNumber=number, Body=part
                )
                sent.append({"ETag": answer["ETag"], "PartNumber": number})
                part = bytearray()  # let go of this part before the next is read
                part = _next_part(chunks)
            self.client.complete_multipart_upload(
                Bucket=self.bucket, Key=temp, UploadId=upload, MultipartUpload={"Parts": sent}
            )
        except BaseException:
            abort = self.client.abort_multipart_upload
            _quietly(abort, Bucket=self.bucket, Key=temp, UploadId=upload)
            raise
        try:
            stored = chunks.stored()
            if self.find(stored.sha256) is None:
                source = {"Bucket": self.bucket, "Key": temp}
                self.client.copy(source, self.bucket, self.key_for(stored.sha256))
        finally:
            _quietly(self.client.delete_object, Bucket=self.bucket, Key=temp)
        return stored

    def adopt(self, path: Path, stored: StoredFile) -> None:
        with answers():
            if self.find(stored.sha256) is None:
                self.client.upload_file(str(path), self.bucket, self.key_for(stored.sha256))

    def open(self, sha256: str) -> io.BufferedReader:
        return io.BufferedReader(_ObjectReader(self, sha256), CHUNK)

    def find(self, sha256: str) -> StoredFile | None:
        with answers():
            try:
                head = self.client.head_object(Bucket=self.bucket, Key=self.key_for(sha256))
            except ClientError as error:
                if _code(error) in MISSING:
                    return None
                raise
        return StoredFile(sha256=sha256, size=head["ContentLength"])

    def remove(self, sha256: str) -> None:
        with answers():
            self.client.delete_object(Bucket=self.bucket, Key=self.key_for(sha256))

    def digest(self, sha256: str, algorithm: str) -> str:
        return cached_digest(self, sha256, algorithm)

    @contextmanager
    def local_copy(self, sha256: str) -> Iterator[Path]:
        def download(path: Path) -> None:
            with answers(missing=sha256):
                self.client.download_file(self.bucket, self.key_for(sha256), str(path))

        with self.copies.copy(sha256, download) as path:
            yield path

    def link(self, sha256: str, *, filename: str, media_type: str) -> str | None:
        if not self.redirect:
            return None
        params = {
            "Bucket": self.bucket,
            "Key": self.key_for(sha256),
            "ResponseContentDisposition": f'attachment; filename="{filename}"',
            "ResponseContentType": media_type,
        }
        url: str = self.client.generate_presigned_url(
            "get_object", Params=params, ExpiresIn=LINK_SECONDS
        )
        return url


def s3_client() -> Any:
    """A client set up from boto3's usual `AWS_*` variables, with short connect timeouts so a
    store that cannot be reached is said at once. boto3 is imported here, only by a site whose
    files are in S3: importing it took 0.1 to 0.3 s of every command's start."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3", config=Config(connect_timeout=5, read_timeout=60, signature_version="s3v4")
    )


class _ObjectReader(io.RawIOBase):
    """A stored object read in ranges, so that seeking (a download's Range) costs nothing
    until the next read, and a reader that stops early leaves no large request behind."""

    def __init__(self, store: S3Store, sha256: str) -> None:
        self.store, self.sha256 = store, sha256
        self.position = 0
        self.size: int | None = None
        self.block = FIRST_BLOCK
        self.body: Any = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_CUR:
            offset += self.position
        elif whence == io.SEEK_END:
            offset += self._size()
        if offset != self.position:
            self._drop()
            self.position = offset
        return self.position

    def readinto(self, buffer: Any) -> int:
        while True:
            if self.body is None:
                if self.size is not None and self.position >= self.size:
                    return 0
                self.body = self._get()
                if self.body is None:
                    return 0
            with answers():
                data = self.body.read(len(buffer))
            if data:
                buffer[: len(data)] = data
                self.position += len(data)
                return len(data)
            self._drop()  # this block is read; the next one, if any, is asked for

    def close(self) -> None:
        self._drop()
        super().close()

    def _get(self) -> Any:
        end = self.position + self.block - 1
        self.block = min(self.block * 2, LAST_BLOCK)
        key = self.store.key_for(self.sha256)
        with answers(missing=self.sha256):
            try:
                answer = self.store.client.get_object(
                    Bucket=self.store.bucket, Key=key, Range=f"bytes={self.position}-{end}"
                )
            except ClientError as error:
                if _code(error) == "InvalidRange":  # at or past the end (or an empty file)
                    self.size = self.position
                    return None
                raise
        whole = answer.get("ContentRange", "").rpartition("/")[2]
        self.size = int(whole) if whole.isdigit() else self.position + answer["ContentLength"]
        return answer["Body"]

    def _size(self) -> int:
        if self.size is None:
            found = self.store.find(self.sha256)
            if found is None:
                raise NotFound(f"The stored file {self.sha256} is missing.")
            self.size = found.size
        return self.size

    def _drop(self) -> None:
        if self.body is not None:
            self.body.close()
            self.body = None


@contextmanager
def answers(*, missing: str | None = None) -> Iterator[None]:
    """The object store's refusals as the catalogue's errors: a missing file (when `missing`
    names the one asked for), a full store, or one that cannot be reached or refuses."""
    try:
        yield
    except ClientError as error:
        code = _code(error)
        if missing is not None and code in MISSING:
            raise NotFound(f"The stored file {missing} is missing.") from error
        log.error("The file store refused: %s", error)
        if code in FULL or _status(error) == 507:
            raise StoreFull(
                "The file store is full, so nothing was saved and no file was kept in part. "
                "Tell the site's administrators, then try again."
            ) from error
        raise StoreUnavailable(
            f"The file store refused the request ({code}), so nothing was changed. "
            "Tell the site's administrators, then try again."
        ) from error
    except BotoCoreError as error:
        log.error("The file store cannot be reached: %s", error)
        raise StoreUnavailable(UNREACHABLE) from error


def _next_part(chunks: Hashed) -> bytearray:
    """The stream's next part of at least PART_BYTES (less only at its end; empty after it)."""
    part = bytearray()
    for chunk in chunks:
        part += chunk
        if len(part) >= PART_BYTES:
            break
    return part


def _quietly(action: Any, **request: Any) -> None:
    """Tidy up after a failure without hiding it: a tidy-up that fails too is only logged."""
    try:
        action(**request)
    except (BotoCoreError, ClientError) as error:
        log.warning("The file store could not tidy up %s: %s", request.get("Key"), error)


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _status(error: ClientError) -> int:
    return int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
