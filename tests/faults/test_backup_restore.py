"""`opendata backup` and `opendata restore`: a restored instance serves the same catalogue,
byte for byte, with its embargoes still in force and its search working."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, make_url, text

from catalog.clock import frozen_at, utcnow
from catalog.publishing.resources import Upload, version_add
from tests.conftest import ACTOR, POSTGRES_URL
from tests.faults.databases import build_app
from tests.pages import listed_datasets, mentions, parse_page

PLACES = b"School,Ward,Places\nAcomb Primary,Acomb,420\nFishergate Primary,Fishergate,315\n"
FIXED = b"School,Ward,Places\nAcomb Primary,Acomb,420\nFishergate Primary,Fishergate,351\n"
EMBARGO = timedelta(days=2)


@pytest.fixture
def built(catalogue):
    """Published, corrected, embargoed and draft datasets, as a council would have them."""
    places = catalogue.dataset(
        "school-places",
        title="School places",
        topics=["education-and-skills"],
        tags=["schools"],
        files={"p.csv": PLACES},
    )
    version_add(
        catalogue.session,
        store=catalogue.store,
        actor=ACTOR,
        resource=places.resources[0],
        upload=Upload(io.BytesIO(FIXED), "p.csv"),
        note="Fishergate's figure was transposed.",
    )
    catalogue.dataset(
        "pupil-budget",
        title="Pupil budget",
        files={"b.csv": b"Year,Pounds\n2025,1200\n"},
        publish=utcnow() + EMBARGO,
    )
    catalogue.dataset(
        "draft-notes", title="Draft notes", files={"n.txt": b"not yet"}, publish=False
    )
    return catalogue


@pytest.fixture
def fresh_database(environ):
    """A second, empty database of the same kind as the one under test."""
    if "OPENDATA_DATABASE_URL" not in environ:
        yield None
        return
    name = f"opendata_restore_{uuid.uuid4().hex[:8]}"
    server = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    server.dispose()


def _served(client, names):
    """What the public sees of each dataset: its CKAN dict and every file version's SHA-256."""
    seen = {}
    for name in names:
        shown = client.get(f"/api/3/action/package_show?id={name}")
        if shown.status_code != 200:
            seen[name] = shown.status_code
            continue
        package = shown.json["result"]
        files = {}
        for resource in package["resources"]:
            base = f"/datasets/{name}/resources/{resource['id']}"
            for number in (1, 2, 3):
                got = client.get(f"{base}/versions/{number}/download/{resource['name']}")
                if got.status_code == 200:
                    files[(resource["id"], number)] = hashlib.sha256(got.data).hexdigest()
            rows = client.get(f"/api/data/{resource['id']}")
            files[(resource["id"], "rows")] = rows.json.get("rows") if rows.is_json else None
        seen[name] = (package, files)
    return seen


NAMES = ["school-places", "pupil-budget", "draft-notes"]


def test_a_restored_instance_serves_the_same_catalogue(
    app, built, runner, tmp_path, fresh_database
):
    archive = tmp_path / "backup.tar.gz"
    made = runner.invoke(args=["backup", str(archive)])
    assert made.exit_code == 0, made.output
    assert "Backed up" in made.output and "4 files" in made.output

    restored_app = build_app(tmp_path / "restored", fresh_database)
    restored = restored_app.test_cli_runner().invoke(args=["restore", str(archive)])
    assert restored.exit_code == 0, restored.output
    assert "Restored 3 datasets" in restored.output

    original, copy = app.test_client(), restored_app.test_client()
    before, after = _served(original, NAMES), _served(copy, NAMES)
    assert after == before  # ids too: a client's stored UUIDs still name the same things
    assert before["pupil-budget"] == 404 and before["draft-notes"] == 404
    assert len(before["school-places"][1]) == 3  # two versions and the table's rows

    with frozen_at(utcnow() + EMBARGO + timedelta(minutes=1)):
        lifted_before, lifted_after = _served(original, NAMES), _served(copy, NAMES)
        assert lifted_after["pupil-budget"] == lifted_before["pupil-budget"] != 404
        assert "Pupil budget" in listed_datasets(parse_page(copy.get("/datasets?q=pupil")))

    assert "School places" in listed_datasets(parse_page(copy.get("/datasets?q=school")))
    assert not mentions(parse_page(copy.get("/datasets?q=pupil")), "Pupil budget")
    assert not mentions(parse_page(copy.get("/datasets?q=draft")), "Draft notes")
    restored_app.extensions["catalog"]["engine"].dispose()


def test_restore_refuses_an_instance_with_content_unless_forced(app, built, runner, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    assert runner.invoke(args=["backup", str(archive)]).exit_code == 0
    refused = runner.invoke(args=["restore", str(archive)])
    assert refused.exit_code != 0
    assert "already has datasets" in refused.output
    forced = runner.invoke(args=["restore", "--force", str(archive)])
    assert forced.exit_code == 0, forced.output
    assert app.test_client().get("/datasets/school-places").status_code == 200


def test_a_damaged_backup_is_refused_before_anything_is_written(app, built, runner, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    assert runner.invoke(args=["backup", str(archive)]).exit_code == 0
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            content = source.extractfile(member).read()
            if member.name == "database/dataset.jsonl":
                content = content.replace(b"School places", b"School spaces")
            member.size = len(content)
            target.addfile(member, io.BytesIO(content))
    restored_app = build_app(tmp_path / "restored")
    refused = restored_app.test_cli_runner().invoke(args=["restore", str(damaged)])
    assert refused.exit_code != 0
    assert "database/dataset.jsonl in the backup is damaged" in refused.output
    client = restored_app.test_client()
    assert client.get("/api/3/action/package_list").json["result"] == []
    store = tmp_path / "restored" / "store"
    assert [p for p in store.rglob("*") if p.is_file()] == []


def test_the_manifest_counts_every_table_and_file(app, built, runner, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    assert runner.invoke(args=["backup", str(archive)]).exit_code == 0
    with tarfile.open(archive) as opened:
        manifest = json.loads(opened.extractfile("manifest.json").read())
        stored = {m.name for m in opened.getmembers() if m.name.startswith("store/")}
    assert manifest["tables"]["dataset"]["rows"] == 3
    assert manifest["tables"]["resource_version"]["rows"] == 4
    assert {f"store/{sha}" for sha in manifest["files"]} == stored
    assert hashlib.sha256(FIXED).hexdigest() in manifest["files"]
