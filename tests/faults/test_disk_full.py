"""A disk that fills up while a file is stored, the search index is written or a large table
is loaded into the datastore: a clear 507 or failed check, no file or table kept in part, no
row without its file, and the search index and the table already served still readable.

The disk is real: a small tmpfs mounted for the test (the tests run as root, as CI does)."""

from __future__ import annotations

import errno
import io
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select

from catalog.models import DatasetState, ResourceVersion, TableStatus
from catalog.publishing.resources import Upload, version_add
from catalog.publishing.workflow import release_without_review
from catalog.tables.datastore.engine import datastore_for
from tests.conftest import ACTOR, Catalogue
from tests.faults.conftest import SETUP
from tests.faults.databases import build_app
from tests.faults.test_stale_index import behind_the_index
from tests.pages import listed_datasets, mentions, parse_page

CSV = b"ward,count\nGuildhall,12\nMicklegate,7\n"


@pytest.fixture
def small_disk(tmp_path):
    """Mount a 16 MB disk at a folder; `fill` it, leaving `room` bytes; `free` it again."""

    class Disk:
        def __init__(self, mount: Path) -> None:
            self.mount = mount
            self.filler = mount / "filler"

        def fill(self, room: int = 0) -> None:
            with self.filler.open("wb", buffering=0) as filler:
                try:
                    while True:
                        filler.write(b"\0" * 65536)
                except OSError as error:
                    assert error.errno == errno.ENOSPC
            if room:
                with self.filler.open("r+b") as filler:
                    filler.truncate(max(0, self.filler.stat().st_size - room))

        def free(self) -> None:
            self.filler.unlink()

    mounts = []

    def mount(folder: Path) -> Disk:
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(folder)], check=True)
        mounts.append(folder)
        return Disk(folder)

    yield mount
    for folder in mounts:
        subprocess.run(["umount", "--lazy", str(folder)], check=True)


def _catalogue(app) -> Catalogue:
    made = Catalogue(app, app.extensions["catalog"]["sessions"]())
    made.organisation()
    return made


def _token(catalogue) -> dict[str, str]:
    from catalog.accounts.tokens import token_create
    from catalog.accounts.users import account_create, membership_set
    from catalog.publishing.groups import get_organisation

    session = catalogue.session
    account = account_create(
        session, actor=SETUP, email="erin@york.gov.uk", name="Erin", password="a" * 16
    )
    organisation = get_organisation(session, "children-education")
    membership_set(session, actor=SETUP, account=account, organisation=organisation, role="editor")
    _token, secret = token_create(session, actor=SETUP, account=account, name="t")
    catalogue.saved()
    return {"Authorization": f"Bearer {secret}"}


def test_a_full_disk_refuses_an_upload_clearly_and_keeps_nothing_of_it(tmp_path, small_disk):
    disk = small_disk(tmp_path / "disk")
    app = build_app(disk.mount / "instance")
    catalogue = _catalogue(app)
    catalogue.dataset("ward-counts", title="Ward counts", files={"counts.csv": CSV})
    headers = _token(catalogue)
    store = disk.mount / "instance" / "store"
    files_before = sorted(p for p in store.rglob("*") if p.is_file())
    client = app.test_client()
    upload = {"package_id": "ward-counts", "name": "Big", "upload": None}

    disk.fill(room=64 * 1024)
    big = b"ward,count\n" + b"Guildhall,12\n" * 40_000
    upload["upload"] = (io.BytesIO(big), "big.csv")
    refused = client.post("/api/3/action/resource_create", data=upload, headers=headers)
    assert refused.status_code == 507
    assert "run out of storage space" in refused.json["error"]["message"]
    assert sorted(p for p in store.rglob("*") if p.is_file()) == files_before
    session = catalogue.session
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(ResourceVersion)) == 1
    assert client.get("/datasets/ward-counts").status_code == 200

    disk.free()
    upload["upload"] = (io.BytesIO(big), "big.csv")
    stored = client.post("/api/3/action/resource_create", data=upload, headers=headers)
    assert stored.status_code == 200, stored.json
    app.extensions["catalog"]["engine"].dispose()


def test_a_full_disk_under_the_search_index_leaves_it_readable_and_reindex_repairs_it(
    tmp_path, small_disk
):
    instance = tmp_path / "instance"
    disk = small_disk(instance / "search")
    app = build_app(instance)
    catalogue = _catalogue(app)
    catalogue.dataset("ward-counts", title="Ward counts")
    client = app.test_client()
    assert listed_datasets(parse_page(client.get("/datasets?q=ward"))) == ["Ward counts"]

    late = catalogue.dataset("library-visits", title="Library visits", publish=False)
    disk.fill()
    with pytest.raises(OSError) as raised:
        release_without_review(catalogue.session, actor=ACTOR, dataset=late, source="test")
        catalogue.saved()  # the index is written once the database has committed
    assert raised.value.errno == errno.ENOSPC
    assert client.get("/datasets/library-visits").status_code == 200  # the database has it
    searched = client.get("/datasets?q=ward")
    assert searched.status_code == 200 and listed_datasets(parse_page(searched)) == ["Ward counts"]
    with app.extensions["catalog"]["sessions"]() as session:
        behind_the_index(session, "ward-counts", state=DatasetState.DRAFT)
    hidden = client.get("/datasets?q=ward")  # a stale hit, and no room to repair the index
    assert hidden.status_code == 200 and not mentions(parse_page(hidden), "Ward counts")

    disk.free()
    result = app.test_cli_runner().invoke(args=["reindex"])
    assert result.exit_code == 0, result.output
    assert listed_datasets(parse_page(client.get("/datasets?q=library"))) == ["Library visits"]
    assert not mentions(parse_page(client.get("/datasets?q=ward")), "Ward counts")
    app.extensions["catalog"]["engine"].dispose()


def test_a_datastore_disk_that_fills_during_a_large_load_keeps_the_served_table(
    tmp_path, small_disk
):
    """A large table is written by the ingest process; when its disk fills part way, the check
    fails with the database's own reason and nothing of the new table is kept."""
    disk = small_disk(tmp_path / "datastore-disk")
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "datastore.sqlite").symlink_to(disk.mount / "datastore.sqlite")
    app = build_app(instance)
    catalogue = _catalogue(app)
    dataset = catalogue.dataset("ward-counts", title="Ward counts", files={"counts.csv": CSV})
    resource = dataset.resources[0]
    client = app.test_client()
    served = client.get(f"/api/data/{resource.id}").json
    session = catalogue.session
    datastore = datastore_for(session)
    tables_before = datastore.table_names()

    disk.fill(room=512 * 1024)
    rows = b"".join(b"Ward %d,%d\n" % (n, n % 97) for n in range(400_000))
    version = version_add(
        session,
        store=catalogue.store,
        actor=SETUP,
        resource=resource,
        upload=Upload(io.BytesIO(b"ward,count\n" + rows), "counts.csv"),
        note="Every ward, every year.",
        table_schema=resource.latest.table_schema,
    )

    table = version.data_table
    assert table.status == TableStatus.FAILED
    assert table.failure.startswith("The datastore could not store the rows")
    assert table.failure.endswith("database or disk is full"), table.failure
    assert not version.cleared
    assert client.get(f"/api/data/{resource.id}").json == served
    disk.free()
    assert datastore.table_names() == tables_before
    app.extensions["catalog"]["engine"].dispose()
