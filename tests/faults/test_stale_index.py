"""A search index out of step with the database (a change committed while the index could
not be written): every hit is re-checked against the visibility rule, so nothing the
database says is unpublished is shown or counted, and `opendata reindex` repairs the rest."""

from __future__ import annotations

from sqlalchemy import update

from catalog.models import Dataset, DatasetState
from tests.pages import listed_datasets, mentions, parse_page


def behind_the_index(session, name: str, **values) -> None:
    """Change a dataset in the database only, as a commit whose index write was lost."""
    session.execute(update(Dataset).where(Dataset.name == name).values(**values))
    session.commit()


def _package_search(client, q: str) -> dict:
    answer = client.get(f'/api/3/action/package_search?q={q}&facet.field=["tags"]')
    return answer.json["result"]


def test_a_hit_the_database_has_unpublished_is_neither_shown_nor_counted(catalogue, client):
    catalogue.dataset("ward-budget", title="Ward budget", tags=["pothole-secrets"])
    catalogue.dataset("ward-counts", title="Ward counts", tags=["counts"])
    behind_the_index(catalogue.session, "ward-budget", state=DatasetState.DRAFT)

    page = parse_page(client.get("/datasets?q=ward"))
    assert not mentions(page, "Ward budget") and not mentions(page, "pothole-secrets")
    assert listed_datasets(page) == ["Ward counts"]
    found = _package_search(client, "ward")
    assert [package["name"] for package in found["results"]] == ["ward-counts"]
    assert found["count"] == 1
    assert found["facets"]["tags"] == {"counts": 1}


def test_reindex_finds_what_the_index_missed(catalogue, client, runner):
    catalogue.dataset("ward-counts", title="Ward counts")
    late = catalogue.dataset("library-visits", title="Library visits", publish=False)
    behind_the_index(
        catalogue.session,
        "library-visits",
        state=DatasetState.PUBLISHED,
        published_at=late.created_at,
    )
    assert client.get("/datasets/library-visits").status_code == 200
    assert _package_search(client, "library")["count"] == 0

    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 0, result.output
    assert [p["name"] for p in _package_search(client, "library")["results"]] == ["library-visits"]
