"""Bulk dumps of the public catalogue: every dataset as one JSON line, and every dataset's Data
Package in one zip, for harvesters that want the whole catalogue in one request.

A dump must never show what is not public when it is served, nor keep showing what was
withdrawn, and no worker may be needed for that. So a dump is made on demand: `dump_open`
remakes it first when it is a day old, when a release time has passed, something was
withdrawn or a public dataset changed since it was made, or when the set of public datasets and
files it recorded differs from the one in the database now (a file cleared by its check, a
release moved later). A lock file keeps two requests, or a request and `opendata dump`, from
writing at once.

The dump files are kept in the file store by their SHA-256, as uploads are, so on object
storage they are served (or redirected to) from there and no app server's disk holds them;
the folder keeps only the manifest, which says which stored files are the dumps now, and the
lock. A remade dump's earlier files are removed from the store unless an upload has the same
bytes. Each server keeps a manifest of its own: one that finds its files gone (removed by
another server's remake) makes them again.

The dictionaries themselves come from the caller (the web layer owns URLs): `package` gives a
dataset's CKAN `package_show` dictionary and `datapackage` its `datapackage.json` descriptor.
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog.clock import utcnow
from catalog.errors import NotFound
from catalog.models import Dataset, Resource, ResourceVersion
from catalog.publishing.lookups import public_datasets_page
from catalog.storage import FileStore, StoredFile
from catalog.visibility import public_dataset_clause, public_version_clause, public_view

CATALOGUE_JSONL = "catalogue.jsonl"
CATALOGUE_JSONL_GZ = "catalogue.jsonl.gz"
DATAPACKAGES_ZIP = "datapackages.zip"
DUMP_FILES = (CATALOGUE_JSONL, CATALOGUE_JSONL_GZ, DATAPACKAGES_ZIP)
MAX_AGE = timedelta(days=1)
PAGE_SIZE = 100
MANIFEST = "manifest.json"
LOCK = ".lock"

DatasetDict = Callable[[Dataset], dict[str, Any]]


@dataclass(frozen=True)
class DumpFile:
    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    """What the dump folder holds: when it was made, from which public state, and its files."""

    made_at: datetime
    datasets: int
    fingerprint: str
    files: dict[str, DumpFile]


def dumps_write(
    session: Session,
    *,
    folder: Path,
    store: FileStore,
    package: DatasetDict,
    datapackage: DatasetDict,
) -> Manifest:
    """Make every dump now, whatever their age (for `opendata dump` run by cron)."""
    folder.mkdir(parents=True, exist_ok=True)
    with _locked(folder):
        return _write(session, folder, store, package, datapackage)


def dump_open(
    session: Session,
    *,
    folder: Path,
    store: FileStore,
    name: str,
    package: DatasetDict,
    datapackage: DatasetDict,
) -> tuple[IO[bytes], DumpFile, Manifest]:
    """An open dump file, remade first if it could differ from the public catalogue now.

    The file is opened under the lock, and a stored file is never rewritten, so the hash in
    the manifest is always the hash of what the caller reads."""
    if name not in DUMP_FILES:
        raise NotFound(f"There is no dump called '{name}'.")
    folder.mkdir(parents=True, exist_ok=True)
    with _locked(folder):
        manifest = _current(session, folder, store, package, datapackage)
        if store.find(manifest.files[name].sha256) is None:  # removed by another server
            manifest = _write(session, folder, store, package, datapackage)
        handle = store.open(manifest.files[name].sha256)
    return handle, manifest.files[name], manifest


def dumps_current(
    session: Session,
    *,
    folder: Path,
    store: FileStore,
    package: DatasetDict,
    datapackage: DatasetDict,
) -> Manifest:
    """The manifest of dumps that match the public catalogue now, remade first if need be."""
    folder.mkdir(parents=True, exist_ok=True)
    with _locked(folder):
        return _current(session, folder, store, package, datapackage)


def _current(
    session: Session, folder: Path, store: FileStore, package: DatasetDict, datapackage: DatasetDict
) -> Manifest:
    manifest = manifest_read(folder)
    if manifest is None or is_stale(session, manifest):
        manifest = _write(session, folder, store, package, datapackage)
    return manifest


def manifest_read(folder: Path) -> Manifest | None:
    """The manifest of the last dump, or None when none was made (or it cannot be read)."""
    try:
        raw = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        files = {name: DumpFile(**raw["files"][name]) for name in DUMP_FILES}
        return Manifest(
            made_at=datetime.fromisoformat(raw["made_at"]),
            datasets=raw["datasets"],
            fingerprint=raw["fingerprint"],
            files=files,
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def is_stale(session: Session, manifest: Manifest, now: datetime | None = None) -> bool:
    """Whether a dump made as `manifest` says may differ from what is public at `now`.

    Times are kept to the second, so a change in the very second the dump was made counts as
    newer: the dump is made again rather than risk missing it."""
    moment = now or utcnow()
    if manifest.made_at <= moment - MAX_AGE:
        return True
    changed = latest_change(session, moment)
    if changed is not None and changed >= manifest.made_at:
        return True
    return public_fingerprint(session, moment) != manifest.fingerprint


def latest_change(session: Session, now: datetime) -> datetime | None:
    """The latest moment, up to `now`, after which a dump made earlier would be out of date."""
    public_versions = (
        select(func.max(ResourceVersion.published_at))
        .join(Resource, Resource.id == ResourceVersion.resource_id)
        .join(Dataset, Dataset.id == Resource.dataset_id)
        .where(public_dataset_clause(now), public_version_clause(now))
    )
    candidates = [
        session.scalar(select(func.max(Dataset.published_at)).where(Dataset.published_at <= now)),
        session.scalar(public_versions),
        session.scalar(select(func.max(Dataset.withdrawn_at)).where(Dataset.withdrawn_at <= now)),
        session.scalar(select(func.max(Dataset.modified_at)).where(public_dataset_clause(now))),
        session.scalar(
            select(func.max(Resource.modified_at))
            .join(Dataset, Dataset.id == Resource.dataset_id)
            .where(public_dataset_clause(now), Resource.link_url.is_not(None))
        ),
    ]
    found = [moment for moment in candidates if moment is not None]
    return max(found) if found else None


def public_fingerprint(session: Session, now: datetime) -> str:
    """A hash of which datasets, file versions and links are public at `now`, and when each
    dataset last changed: it differs whenever the dump's content could."""
    datasets = session.execute(
        select(Dataset.id, Dataset.modified_at)
        .where(public_dataset_clause(now))
        .order_by(Dataset.id)
    )
    versions = session.scalars(
        select(ResourceVersion.id)
        .join(Resource, Resource.id == ResourceVersion.resource_id)
        .join(Dataset, Dataset.id == Resource.dataset_id)
        .where(public_dataset_clause(now), public_version_clause(now))
        .order_by(ResourceVersion.id)
    )
    links = session.execute(
        select(Resource.id, Resource.link_url)
        .join(Dataset, Dataset.id == Resource.dataset_id)
        .where(public_dataset_clause(now), Resource.link_url.is_not(None))
        .order_by(Resource.id)
    )
    digest = hashlib.sha256()
    for resource_id, link_url in links:
        digest.update(f"l {resource_id} {link_url}\n".encode())
    for dataset_id, modified_at in datasets:
        digest.update(f"d {dataset_id} {modified_at.isoformat()}\n".encode())
    for version_id in versions:
        digest.update(f"v {version_id}\n".encode())
    return digest.hexdigest()


def _write(
    session: Session, folder: Path, store: FileStore, package: DatasetDict, datapackage: DatasetDict
) -> Manifest:
    made_at = utcnow()
    fingerprint = public_fingerprint(session, made_at)
    count = 0
    earlier = manifest_read(folder)
    # mtime=0 and fixed zip entry times: the same catalogue always gives the same bytes, so the
    # ETag stays the same however often the dump is remade.
    with (
        _scratch_file(folder, CATALOGUE_JSONL) as jsonl,
        _scratch_file(folder, CATALOGUE_JSONL_GZ) as raw_gz,
        _scratch_file(folder, DATAPACKAGES_ZIP) as raw_zip,
    ):
        with (
            gzip.GzipFile(fileobj=raw_gz, mode="wb", mtime=0, filename="") as jsonl_gz,
            zipfile.ZipFile(raw_zip, "w", compression=zipfile.ZIP_DEFLATED) as packages,
        ):
            for dataset in _public_datasets(session, made_at):
                line = (json.dumps(package(dataset), ensure_ascii=False) + "\n").encode("utf-8")
                jsonl.write(line)
                jsonl_gz.write(line)
                entry = zipfile.ZipInfo(
                    f"{dataset.name}/datapackage.json",
                    date_time=_zip_time(public_view(dataset, made_at).updated_at),
                )
                entry.compress_type = zipfile.ZIP_DEFLATED
                packages.writestr(entry, json.dumps(datapackage(dataset), indent=2) + "\n")
                count += 1
        files = {
            name: _store(store, handle, name)
            for name, handle in zip(DUMP_FILES, (jsonl, raw_gz, raw_zip), strict=True)
        }
    manifest = Manifest(made_at=made_at, datasets=count, fingerprint=fingerprint, files=files)
    _manifest_write(folder, manifest)
    if earlier is not None:
        _let_go(session, store, earlier, keep=manifest)
    return manifest


def _public_datasets(session: Session, now: datetime) -> Iterator[Dataset]:
    offset = 0
    while page := public_datasets_page(session, limit=PAGE_SIZE, offset=offset, now=now):
        yield from page
        offset += PAGE_SIZE


@contextmanager
def _scratch_file(folder: Path, name: str) -> Iterator[IO[bytes]]:
    """A temporary file for one dump on its way into the store, gone afterwards."""
    with tempfile.NamedTemporaryFile(dir=folder, prefix=f".{name}.", delete=False) as handle:
        try:
            yield handle
        finally:
            Path(handle.name).unlink(missing_ok=True)


def _store(store: FileStore, handle: IO[bytes], name: str) -> DumpFile:
    """Hash a written dump and put it in the store (the folder store may move it there)."""
    handle.flush()
    os.fsync(handle.fileno())
    path = Path(handle.name)
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    stored = StoredFile(sha256=digest.hexdigest(), size=path.stat().st_size)
    store.adopt(path, stored)
    return DumpFile(name=name, size=stored.size, sha256=stored.sha256)


def _let_go(session: Session, store: FileStore, earlier: Manifest, *, keep: Manifest) -> None:
    """Remove an earlier dump's files from the store, except any the new dump or an upload
    (a version with the same bytes) still needs."""
    kept = {found.sha256 for found in keep.files.values()}
    for found in earlier.files.values():
        uploaded = select(ResourceVersion.id).where(ResourceVersion.sha256 == found.sha256)
        if found.sha256 not in kept and session.scalar(uploaded.limit(1)) is None:
            store.remove(found.sha256)


@contextmanager
def _replacing(path: Path) -> Iterator[IO[bytes]]:
    """A temporary file beside `path` that takes its name only once completely written."""
    with tempfile.NamedTemporaryFile(
        dir=path.parent, prefix=f".{path.name}.", delete=False
    ) as handle:
        try:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        except BaseException:
            Path(handle.name).unlink(missing_ok=True)
            raise
    os.replace(handle.name, path)


def _manifest_write(folder: Path, manifest: Manifest) -> None:
    raw = {
        "made_at": manifest.made_at.isoformat(),
        "datasets": manifest.datasets,
        "fingerprint": manifest.fingerprint,
        "files": {name: asdict(found) for name, found in manifest.files.items()},
    }
    with _replacing(folder / MANIFEST) as handle:
        handle.write(json.dumps(raw, indent=2).encode("utf-8"))


def _zip_time(moment: datetime) -> tuple[int, int, int, int, int, int]:
    """Zip entries cannot be dated before 1980."""
    return (
        max(moment.year, 1980),
        moment.month,
        moment.day,
        moment.hour,
        moment.minute,
        moment.second,
    )


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    with (folder / LOCK).open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
