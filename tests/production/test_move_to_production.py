"""Moving a single-host instance (SQLite, Whoosh, the store folder) onto the production set-up
(PostgreSQL with its own search, files in S3-compatible object storage) with `opendata
backup` and `opendata restore`, as the README's production section says: afterwards the public
sees the same pages, search results and bytes, and the staff the same drafts.

It needs PostgreSQL (OPENDATA_TEST_DATABASE_URL, which CI sets); the object store is moto's
server (`tests.s3_server`)."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from catalog.clock import frozen_at, utcnow
from catalog.publishing.resources import Upload, version_add
from opendata import create_app
from tests.conftest import ACTOR, POSTGRES_URL, Catalogue, fresh_environ, initialised_app
from tests.live_server import instance_env, run_opendata
from tests.pages import heading, listed_datasets, main, parse_page, text_of
from tests.web.conftest import People, Visitor

PLACES = b"School,Ward,Places\nAcomb Primary,Acomb,420\nFishergate Primary,Fishergate,315\n"
FIXED = b"School,Ward,Places\nAcomb Primary,Acomb,420\nFishergate Primary,Fishergate,351\n"
FILE_PAGE = re.compile(r"/datasets/[a-z-]+/resources/[0-9a-f-]+(/versions/[0-9]+)?")
NAMES = ["school-places", "library-visits", "pupil-budget", "draft-notes"]
SEARCHES = ["school", "places", "visits", "librar", "pupil", "draft", ""]

pytestmark = pytest.mark.skipif(
    not POSTGRES_URL,
    reason="The move is into PostgreSQL: set OPENDATA_TEST_DATABASE_URL (CI does) to run it.",
)


@pytest.fixture
def embedded(tmp_path: Path, migrated_sqlite):
    """A single-host instance, as `make run` keeps it, with what a council would have in it:
    a corrected table, a plain file, an embargoed release, a draft and a publisher's
    account."""
    (tmp_path / "embedded").mkdir()
    for app in initialised_app(fresh_environ("sqlite", tmp_path / "embedded", migrated_sqlite)):
        with app.extensions["catalog"]["sessions"]() as session:
            catalogue = Catalogue(app, session)
            catalogue.organisation()
            catalogue.topic()
            _build(catalogue, utcnow() - timedelta(hours=1))
            People(session).make("Erin Editor", "editor")
            catalogue.saved()
        yield app


def _build(catalogue: Catalogue, start: datetime) -> None:
    """The datasets, each changed at a moment of its own, so that a listing's order is the
    same on any search backend (which keep ties in the order they were written)."""
    with frozen_at(start):
        places = catalogue.dataset(
            "school-places",
            title="School places",
            topics=["education-and-skills"],
            tags=["schools"],
            files={"places.csv": PLACES},
        )
    with frozen_at(start + timedelta(minutes=10)):
        version_add(
            catalogue.session,
            store=catalogue.store,
            actor=ACTOR,
            resource=places.resources[0],
            upload=Upload(io.BytesIO(FIXED), "places.csv"),
            note="Fishergate's figure was transposed.",
        )
        catalogue.saved()
    with frozen_at(start + timedelta(minutes=20)):
        catalogue.dataset(
            "library-visits", title="Library visits", files={"visits.pdf": b"%PDF-1.4 v"}
        )
        catalogue.dataset(
            "pupil-budget",
            title="Pupil budget",
            files={"budget.csv": b"Year,Pounds\n2025,1200\n"},
            publish=start + timedelta(days=2),
        )
        catalogue.dataset(
            "draft-notes", title="Draft notes", files={"n.txt": b"not yet"}, publish=False
        )


def _downloads(client, dataset_page) -> dict[str, bytes]:
    """The bytes of every file version linked from the dataset's page, its files' pages and
    their versions' pages."""
    to_read = [link["href"] for link in dataset_page.select("a[href]")]
    pages = {href for href in to_read if FILE_PAGE.fullmatch(href)}
    unread, files = set(pages), {}
    while unread:
        for link in parse_page(client.get(unread.pop())).select("a[href]"):
            href = link["href"]
            if "/download/" in href:
                files[href] = client.get(href).data
            elif FILE_PAGE.fullmatch(href) and href not in pages:
                pages.add(href)
                unread.add(href)
    return files


def _public(client) -> dict:
    """Everything the public sees of the catalogue: each dataset's page (or its status),
    every file's bytes by link, and the results of some searches."""
    seen: dict = {}
    for name in NAMES:
        page = client.get(f"/datasets/{name}")
        if page.status_code != 200:
            seen[name] = page.status_code
            continue
        shown = parse_page(page)
        seen[name] = (text_of(main(shown)), _downloads(client, shown))
    for words in SEARCHES:
        seen[f"search {words}"] = listed_datasets(parse_page(client.get(f"/datasets?q={words}")))
    return seen


def test_a_single_host_instance_moves_onto_postgresql_and_object_storage(embedded, tmp_path, s3):
    before_the_move = Visitor(embedded.test_client())
    before_the_move.sign_in("erin-editor@york.gov.uk")
    signed_in_before = before_the_move.client.get_cookie("session").value
    secret = embedded.config["SECRET_KEY"]  # moved with the instance
    archive = tmp_path / "instance.tar.gz"
    said = run_opendata(["backup", str(archive)], instance_env(tmp_path / "embedded", secret))
    assert said.startswith("Backed up") and "5 files" in said

    empty = fresh_environ("postgresql", tmp_path / "production", tmp_path)
    production = {
        **instance_env(tmp_path / "production", secret),
        "OPENDATA_DATABASE_URL": empty["OPENDATA_DATABASE_URL"],
        "OPENDATA_SEARCH": "postgres",
        "OPENDATA_STORAGE_URL": s3.url("files"),
    }
    said = run_opendata(["restore", str(archive)], production)
    assert said.startswith("Restored 4 datasets") and "5 files" in said
    assert len(s3.objects()) == 5

    moved = create_app({"TESTING": True, "ENVIRON": production})
    try:
        before, after = _public(embedded.test_client()), _public(moved.test_client())
        assert after == before
        assert before["draft-notes"] == before["pupil-budget"] == 404
        assert len(before["school-places"][1]) == 2  # both versions of the table
        assert before["search school"] == ["School places"]

        staff = Visitor(moved.test_client())
        assert staff.sign_in("erin-editor@york.gov.uk").request.path == "/publish"
        draft = staff.get("/publish/datasets/draft-notes")
        assert draft.status_code == 200 and heading(parse_page(draft)) == "Draft notes"
        still_signed_in = moved.test_client()
        still_signed_in.set_cookie("session", signed_in_before)
        assert still_signed_in.get("/publish/datasets/draft-notes").status_code == 200
        assert Visitor(moved.test_client()).get("/publish/datasets/draft-notes").status_code == 302
    finally:
        moved.extensions["catalog"]["engine"].dispose()
