"""The real `ckanapi` client library against a real `opendata serve` process on the demo
catalogue: what a developer's CKAN script does, from listing and searching to dumping the whole
catalogue, and a publisher's script creating a draft and uploading a file with an API token
made on the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from ckanapi import NotAuthorized, NotFound, RemoteCKAN, ValidationError

from catalog.db import make_engine, make_session_factory
from catalog.publishing.lookups import public_dataset_names
from tests.live_server import demo_instance_env, run_opendata, serving

EDITOR = "ckan-editor@example.gov.uk"
ORGANISATION = "children-education-and-communities"
AGENT = "opendata-tests/1.0"
CSV = b"branch,visits\nExplore York,1200\nAcomb,340\n"
CKANAPI = Path(sys.executable).with_name("ckanapi")


@dataclass(frozen=True)
class Server:
    url: str
    instance: Path
    editor_token: str


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    """The demo catalogue, an editor with a token made on the command line,
    and `opendata serve` on a free port, stopped after the module."""
    folder = tmp_path_factory.mktemp("ckanapi")
    # A dump asks for every dataset and every table: more than a minute's allowance (300) for
    # one address, and ckanapi drops a table's fields without a word when refused.
    env = {
        **demo_instance_env(tmp_path_factory, folder, "ckanapi-tests"),
        "OPENDATA_RATE_LIMIT": "off",
    }
    run_opendata(
        ["user", "create", EDITOR, "--name", "CKAN Editor", "--password-stdin"],
        env,
        stdin="a long enough password\n",
    )
    run_opendata(["user", "role", EDITOR, ORGANISATION, "editor"], env)
    token = run_opendata(["token", "create", EDITOR, "ckanapi script"], env).strip()
    with serving(env, folder, "/api/3/action/status_show") as url:
        yield Server(url=url, instance=folder / "instance", editor_token=token)


@pytest.fixture(scope="module")
def public_names(server) -> list[str]:
    """The public datasets according to the catalogue's own visibility rule."""
    engine = make_engine(f"sqlite:///{server.instance / 'catalogue.sqlite'}")
    with make_session_factory(engine)() as session:
        names = public_dataset_names(session)
    engine.dispose()
    return names


@pytest.fixture
def anonymous(server) -> RemoteCKAN:
    return RemoteCKAN(server.url, user_agent=AGENT)


@pytest.fixture
def editor(server) -> RemoteCKAN:
    return RemoteCKAN(server.url, apikey=server.editor_token, user_agent=AGENT)


def test_a_script_lists_shows_and_searches(anonymous, public_names):
    names = anonymous.action.package_list()
    assert names == public_names and len(names) > 20
    package = anonymous.action.package_show(id=names[0])
    assert package["name"] == names[0]
    assert package["resources"] and package["resources"][0]["url"].startswith("http://127.0.0.1")
    found = anonymous.action.package_search(
        fq=f"organization:{ORGANISATION}", rows=5, **{"facet.field": ["organization", "tags"]}
    )
    assert found["facets"]["organization"] == {ORGANISATION: found["count"]}
    assert all(p["organization"]["name"] == ORGANISATION for p in found["results"])
    organisations = anonymous.action.organization_list(all_fields=True)
    assert sum(o["package_count"] for o in organisations) == len(public_names)


def test_dumping_every_dataset_gives_exactly_the_public_ones(anonymous, public_names):
    paged, start = [], 0
    while True:
        page = anonymous.action.package_search(rows=40, start=start, sort="title_string asc")
        paged.extend(p["name"] for p in page["results"])
        start += 40
        if start >= page["count"]:
            break
    dumped = anonymous.action.current_package_list_with_resources(limit=1000)
    assert sorted(paged) == sorted(p["name"] for p in dumped) == public_names


def test_an_editor_script_creates_a_private_draft_and_uploads_a_file(
    anonymous, editor, tmp_path, public_names
):
    created = editor.action.package_create(
        name="ckanapi-library-visits",
        title="Library visits",
        owner_org=ORGANISATION,
        tags=[{"name": "libraries"}],
        extras=[{"key": "frequency", "value": "monthly"}],
    )
    assert (created["state"], created["private"]) == ("draft", True)
    with pytest.raises(NotFound):
        anonymous.action.package_show(id="ckanapi-library-visits")
    upload = tmp_path / "visits.csv"
    upload.write_bytes(CSV)
    with upload.open("rb") as file:
        resource = editor.action.resource_create(
            package_id=created["id"], name="Visits", format="CSV", upload=file
        )
    assert (resource["size"], resource["format"]) == (len(CSV), "CSV")
    assert editor.action.package_show(id=created["id"])["num_resources"] == 1
    with pytest.raises(ValidationError):
        editor.action.package_create(
            name="ckanapi-library-visits", title="Again", owner_org=ORGANISATION
        )
    assert "ckanapi-library-visits" not in anonymous.action.package_list()
    searched = anonymous.action.package_search(q="library visits", rows=1000)["results"]
    dumped = anonymous.action.current_package_list_with_resources(limit=1000)
    assert "ckanapi-library-visits" not in {p["name"] for p in searched + dumped}
    assert len(dumped) == len(public_names)


def _ckanapi_dump(server: Server, *options: str) -> None:
    """The `ckanapi dump datasets --all` command line, with its worker processes."""
    command = [str(CKANAPI), "dump", "datasets", "--all", "--quiet", *options, "-r", server.url]
    env = {**os.environ, "PATH": f"{CKANAPI.parent}{os.pathsep}{os.environ['PATH']}"}
    dumped = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert dumped.returncode == 0, dumped.stderr


def test_a_dump_has_the_datastore_fields_of_every_public_table(
    server, anonymous, public_names, tmp_path
):
    """`ckanapi dump --datastore-fields` asks `datastore_search` (limit=0) for the columns of
    each resource that says `datastore_active`: every table's, and only tables'."""
    _ckanapi_dump(server, "--datastore-fields", "-O", str(tmp_path / "dump.jsonl"))
    lines = (tmp_path / "dump.jsonl").read_text().splitlines()
    packages = [json.loads(line) for line in lines]
    assert sorted(p["name"] for p in packages) == public_names
    resources = [r for p in packages for r in p["resources"]]
    tables = [r for r in resources if r["datastore_active"]]
    assert len(tables) > len(public_names) / 2
    for resource in resources:
        if not resource["datastore_active"]:
            assert "datastore_fields" not in resource and resource["format"] != "CSV"
            continue
        fields = anonymous.action.datastore_search(resource_id=resource["id"], limit=0)["fields"]
        assert resource["datastore_fields"] == fields and fields[0]["id"] == "_id"


def test_a_datapackage_dump_writes_every_public_dataset_and_its_tables(
    server, anonymous, public_names, tmp_path
):
    """`--datapackages` (which takes the datastore fields too): a folder per public dataset
    (none for the draft made above), its files, and a table's columns as its schema. ckanapi
    4.11 saves the dataset's last resource under each resource's name (its loop reuses the
    variable), so the schema is checked where the table is a dataset's only resource."""
    folder = tmp_path / "packages"
    _ckanapi_dump(server, "--datastore-fields", "--datapackages", str(folder))
    assert sorted(path.name for path in folder.iterdir()) == public_names
    single_tables = 0
    for name in public_names:
        package = json.loads((folder / name / "datapackage.json").read_text())
        shown = anonymous.action.package_show(id=name)["resources"]
        described = package.get("resources", [])
        assert [r["title"] for r in described] == [r["name"] for r in shown]
        assert all((folder / name / r["path"]).is_file() for r in described)
        if len(shown) == 1 and shown[0]["datastore_active"]:
            single_tables += 1
            fields = anonymous.action.datastore_search(resource_id=shown[0]["id"], limit=0)
            columns = [field["id"] for field in fields["fields"][1:]]
            assert [field["name"] for field in described[0]["schema"]["fields"]] == columns
    assert single_tables > 0


def test_an_anonymous_write_is_not_authorised(anonymous):
    with pytest.raises(NotAuthorized):
        anonymous.action.package_create(name="sneaky", title="Sneaky", owner_org=ORGANISATION)


def test_a_script_reads_a_table_with_datastore_search(anonymous, public_names):
    package = anonymous.action.package_show(id=public_names[0])
    table = next(r for r in package["resources"] if r["format"].lower() == "csv")
    first = anonymous.action.datastore_search(resource_id=table["id"], limit=2)
    assert first["total"] >= len(first["records"]) and len(first["records"]) <= 2
    names = [field["id"] for field in first["fields"]]
    assert set(first["records"][0]) == set(names)
    column = names[0]
    value = first["records"][0][column]
    filtered = anonymous.action.datastore_search(
        resource_id=table["id"], filters={column: value}, fields=[column]
    )
    assert filtered["records"] and all(r == {column: value} for r in filtered["records"])
    with pytest.raises(ValidationError):
        anonymous.action.datastore_search(resource_id=table["id"], filters={"no such": 1})
