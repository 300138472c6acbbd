"""The real `ckanapi` client library against a real `opendata serve` process on the demo
catalogue: what a developer's CKAN script does, from listing and searching to dumping the whole
catalogue, and a publisher's script creating a draft and uploading a file with an API token
made on the command line."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from ckanapi import NotAuthorized, NotFound, RemoteCKAN, ValidationError

from catalog.db import make_engine, make_session_factory
from catalog.lookups import public_dataset_names

ROOT = Path(__file__).resolve().parents[2]
EDITOR = "ckan-editor@example.gov.uk"
ORGANISATION = "children-education-and-communities"
AGENT = "opendata-tests/1.0"
CSV = b"branch,visits\nExplore York,1200\nAcomb,340\n"


@dataclass(frozen=True)
class Server:
    url: str
    instance: Path
    editor_token: str


def _command() -> list[str]:
    """The `opendata` command of this virtualenv (or its entry point when not installed)."""
    script = Path(sys.executable).with_name("opendata")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from opendata.cli import main; main()"]


def _opendata(command: list[str], env: dict[str, str], stdin: str | None = None) -> str:
    done = subprocess.run(
        [*_command(), *command], env=env, cwd=ROOT, input=stdin, capture_output=True, text=True
    )
    assert done.returncode == 0, f"opendata {' '.join(command)}:\n{done.stdout}{done.stderr}"
    return done.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text(errors="replace")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    pytest.fail(f"`opendata serve` did not answer:\n{log.read_text(errors='replace')}")


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    """`opendata init` + `opendata demo`, an editor with a token made on the command line,
    and `opendata serve` on a free port, stopped after the module."""
    folder = tmp_path_factory.mktemp("ckanapi")
    env = {
        **os.environ,
        "OPENDATA_INSTANCE": str(folder / "instance"),
        "OPENDATA_SECRET_KEY": "ckanapi-tests",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    env.pop("OPENDATA_DATABASE_URL", None)
    _opendata(["init"], env)
    _opendata(["demo"], env)
    _opendata(
        ["user", "create", EDITOR, "--name", "CKAN Editor", "--password-stdin"],
        env,
        stdin="a long enough password\n",
    )
    _opendata(["user", "role", EDITOR, ORGANISATION, "editor"], env)
    token = _opendata(["token", "create", EDITOR, "ckanapi script"], env).strip()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = folder / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for(url + "/api/3/action/status_show", process, log)
        yield Server(url=url, instance=folder / "instance", editor_token=token)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


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
