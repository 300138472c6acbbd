"""OPENDATA_SEARCH chooses the search backend: PostgreSQL's own with a PostgreSQL catalogue,
unless told otherwise, and Whoosh in the instance folder with SQLite."""

from __future__ import annotations

import pytest

from opendata.config import load_settings

POSTGRES = "postgresql+psycopg://opendata@db.internal:5432/opendata"


def _search(tmp_path, **environ: str) -> str:
    return load_settings({"OPENDATA_INSTANCE": str(tmp_path), **environ}).search


def test_the_default_follows_the_catalogue_database(tmp_path):
    assert _search(tmp_path) == "whoosh"
    assert _search(tmp_path, OPENDATA_DATABASE_URL=POSTGRES) == "postgres"


def test_whoosh_may_be_chosen_with_postgresql(tmp_path):
    assert _search(tmp_path, OPENDATA_DATABASE_URL=POSTGRES, OPENDATA_SEARCH="Whoosh") == "whoosh"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"OPENDATA_SEARCH": "postgres"}, "needs a PostgreSQL OPENDATA_DATABASE_URL"),
        ({"OPENDATA_SEARCH": "solr"}, "must be one of whoosh, postgres"),
    ],
)
def test_a_search_backend_that_cannot_work_is_refused_at_start(tmp_path, environ, message):
    with pytest.raises(ValueError, match=message):
        _search(tmp_path, **environ)
