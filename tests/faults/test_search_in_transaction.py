"""PostgreSQL search is written in the transaction of the change it indexes: a crash between
the change and its commit leaves the search exactly as it was, and a change the search cannot
take is not saved either. The site search, the CKAN package_search and `opendata reindex` all
run on it (OPENDATA_SEARCH=postgres, the default with a PostgreSQL catalogue)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import delete, event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from catalog.models import Dataset, SearchEntry
from catalog.publishing.datasets import DatasetInput, dataset_update
from catalog.search.postgres_backend import PostgresBackend
from catalog.transactions import all_or_nothing
from tests.conftest import ACTOR, POSTGRES_URL, Catalogue, fresh_environ, initialised_app
from tests.pages import listed_datasets, parse_page
from tests.refusals import database_refuses

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="needs OPENDATA_TEST_DATABASE_URL")


class Crash(Exception):
    """The process dying after the change was written and before it was committed."""


@pytest.fixture
def app(tmp_path, migrated_sqlite):
    environ = fresh_environ("postgresql", tmp_path, migrated_sqlite)
    yield from initialised_app({**environ, "OPENDATA_SEARCH": "postgres"})


def _site_search(client, text: str) -> list[str]:
    return listed_datasets(parse_page(client.get(f"/datasets?q={text}")))


def _package_search(client, text: str) -> list[str]:
    found = client.get(f"/api/3/action/package_search?q={text}").json["result"]
    return [package["name"] for package in found["results"]]


def _retitle(session: Session, name: str, title: str) -> None:
    dataset = session.scalars(select(Dataset).where(Dataset.name == name)).one()
    data = replace(DatasetInput.from_dataset(dataset), title=title)
    dataset_update(session, actor=ACTOR, dataset=dataset, data=data)


def test_site_search_package_search_and_reindex_run_on_postgres(app, catalogue, client, runner):
    assert isinstance(app.extensions["catalog"]["search"], PostgresBackend)
    catalogue.dataset("library-visits", title="Library visits")
    catalogue.dataset("school-places", title="School places")
    assert _site_search(client, "librar") == ["Library visits"]
    assert _package_search(client, "title:library") == ["library-visits"]

    catalogue.session.execute(delete(SearchEntry))  # an index emptied behind the catalogue
    catalogue.saved()
    assert _site_search(client, "library") == []
    result = runner.invoke(args=["reindex"])

    assert result.exit_code == 0, result.output
    assert "Indexed 2 datasets" in result.output
    assert _site_search(client, "library") == ["Library visits"]
    assert _package_search(client, "school") == ["school-places"]


def test_a_crash_before_the_commit_leaves_the_search_as_it_was(app, catalogue, client):
    catalogue.dataset("library-visits", title="Library visits")
    before = catalogue.session.execute(select(SearchEntry.id, SearchEntry.seq)).all()

    written: list[str | None] = []

    def crash(session: Session) -> None:
        written.append(session.scalar(select(SearchEntry.title)))
        raise Crash

    event.listen(catalogue.session, "before_commit", crash)  # after the search was written
    with pytest.raises(Crash), all_or_nothing(catalogue.session) as session:
        _retitle(session, "library-visits", "Swimming pools")
    event.remove(catalogue.session, "before_commit", crash)
    catalogue.session.rollback()  # as the database does when the process dies

    assert written == ["Swimming pools"]  # the search had taken the change
    assert catalogue.session.execute(select(SearchEntry.id, SearchEntry.seq)).all() == before
    assert _site_search(client, "swimming") == []
    assert _site_search(client, "library") == ["Library visits"]


def test_a_change_the_search_cannot_take_is_not_saved(app, catalogue: Catalogue, client):
    catalogue.dataset("library-visits", title="Library visits")
    engine = app.extensions["catalog"]["engine"]
    refusing = database_refuses(engine, table="search_entry", event="UPDATE", when="true")

    with refusing, pytest.raises(IntegrityError), all_or_nothing(catalogue.session) as session:
        _retitle(session, "library-visits", "Swimming pools")

    assert client.get("/datasets/library-visits").status_code == 200
    assert "Swimming pools" not in client.get("/datasets/library-visits").text
    assert _site_search(client, "library") == ["Library visits"]
