"""A page or a command that makes two changes saves both or neither: here the database really
refuses the second write (`tests.faults.refusals`), and nothing of the first is kept, in the
catalogue, the datastore or the search index. The same steps with the database willing save
both, so each test can tell the two apart."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from catalog.models import Activity, Dataset, DataTable, Resource, ResourceVersion
from catalog.search import SearchQuery
from catalog.tables.datastore.engine import datastore_for
from tests.cli.test_commands import _package
from tests.faults.conftest import form_fields
from tests.faults.refusals import database_refuses
from tests.pages import heading, parse_page

NEW = "/publish/datasets/new"
DETAILS = {
    "title": "Spend over £500: 2026/27",
    "name": "spend-2026-27",
    "organisation": "children-education",
    "licence": "OGL-UK-3.0",
    "transparency_requirement": "spend-over-500",
}
PAGE = "/publish/datasets/spend-2026-27"
SPEND = Path(__file__).resolve().parents[1] / "data" / "transparency" / "spend-2026-27-q3.csv"
KEPT = (Dataset, Resource, ResourceVersion, DataTable, Activity)


def _rows(session) -> dict[str, int]:
    session.expire_all()
    return {
        model.__name__: session.scalar(select(func.count()).select_from(model)) for model in KEPT
    }


def _found(catalogue, words: str) -> int:
    return catalogue.search.search(SearchQuery(text=words, include_unpublished=True)).total


@pytest.fixture
def editor(people, browser):
    person = browser()
    person.sign_in(people.make("Erin Editor", "editor").email)
    return person


@pytest.fixture
def engine(app):
    return app.extensions["catalog"]["engine"]


def _upload(editor, period: str):
    token = form_fields(editor.get(PAGE).text)["csrf_token"]
    data = {"csrf_token": token, "title": "Q3", "period": period}
    data["file"] = (io.BytesIO(SPEND.read_bytes()), SPEND.name)
    return editor.client.post(f"{PAGE}/files", data=data)


def test_a_dataset_whose_requirement_is_refused_is_not_created(editor, engine, catalogue, session):
    before = _rows(session)
    refuse = "NEW.transparency_requirement IS NOT NULL"
    with database_refuses(engine, table="dataset", event="UPDATE", when=refuse):
        refused = editor.submit(NEW, DETAILS, follow=False)
    assert refused.status_code == 500
    assert heading(parse_page(refused)) == "Sorry, there is a problem with the service"
    assert _rows(session) == before
    assert editor.get(PAGE).status_code == 404
    assert _found(catalogue, "spend") == 0

    created = editor.submit(NEW, DETAILS, follow=False)
    assert created.status_code == 302
    saved = session.scalar(select(Dataset).where(Dataset.name == "spend-2026-27"))
    assert saved.transparency_requirement == "spend-over-500"
    assert _found(catalogue, "spend") == 1


def test_an_upload_whose_period_is_refused_keeps_no_file(editor, engine, session):
    assert editor.submit(NEW, DETAILS, follow=False).status_code == 302
    before, tables = _rows(session), datastore_for(session).table_names()
    with database_refuses(
        engine, table="resource_version", event="UPDATE", when="NEW.period IS NOT NULL"
    ):
        refused = _upload(editor, "2026/27 Q3")
    assert refused.status_code == 500
    assert _rows(session) == before
    assert datastore_for(session).table_names() == tables  # nothing was checked or loaded

    assert _upload(editor, "2026/27 Q3").status_code == 302
    version = session.scalar(select(ResourceVersion))
    assert version.period == "2026/27 Q3"
    assert version.data_table.table_name in datastore_for(session).table_names()


def test_the_search_index_keeps_the_old_words_when_the_request_rolls_back(
    editor, engine, catalogue
):
    catalogue.dataset("school-places", title="School places", publish=False)
    edit = "/publish/datasets/school-places/edit"
    opened = form_fields(editor.get(edit).text)
    changes = {**opened, **DETAILS, "name": "school-places", "title": "Primary school places"}
    refuse = "NEW.transparency_requirement IS NOT NULL"
    with database_refuses(engine, table="dataset", event="UPDATE", when=refuse):
        assert editor.client.post(edit, data=changes).status_code == 500
    assert (_found(catalogue, "primary"), _found(catalogue, "school")) == (0, 1)

    assert editor.client.post(edit, data=changes).status_code == 302
    assert _found(catalogue, "primary") == 1


def test_a_command_whose_last_write_is_refused_loads_nothing(
    runner, engine, catalogue, session, tmp_path
):
    package = _package(tmp_path / "package")
    before, tables = _rows(session), datastore_for(session).table_names()
    with database_refuses(engine, table="release", event="INSERT", when="TRUE"):
        refused = runner.invoke(args=["load", str(package)])
    assert refused.exit_code != 0
    assert _rows(session) == before
    assert datastore_for(session).table_names() == tables  # the table the check loaded is gone
    assert _found(catalogue, "spending") == 0

    loaded = runner.invoke(args=["load", str(package)])
    assert loaded.exit_code == 0, loaded.output
    assert session.scalar(select(Dataset.name)) == "spend-over-500"
    assert _found(catalogue, "spending") == 1
