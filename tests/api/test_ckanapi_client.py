"""The real `ckanapi` client library against a real `opendata serve` process on the demo
catalogue: what a developer's CKAN script does, from listing and searching to dumping the whole
catalogue, and a publisher's script creating a draft and uploading a file with an API token
made on the command line."""

from __future__ import annotations

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
    env = demo_instance_env(tmp_path_factory, folder, "ckanapi-tests")
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
