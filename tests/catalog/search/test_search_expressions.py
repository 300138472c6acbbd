"""CKAN query expressions evaluated by every backend: only ever among what may be shown."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from whoosh import index
from whoosh.fields import ID, Schema

from catalog.search import SearchBackend, SearchQuery
from catalog.search.query_language import parse
from catalog.search.whoosh_backend import WhooshBackend
from tests.catalog.search.test_search_backends import NOW, make_doc


def day(n: int) -> datetime:
    return datetime(2026, 1, n, 9, 0)


@pytest.fixture
def backend(open_backend: Callable[[], SearchBackend]) -> SearchBackend:
    """Four public datasets, a draft and an embargoed one that share their words and tags."""
    made = open_backend()
    hidden = {"title": "Road safety secrets", "tags": ("roads",), "organisation": "highways"}
    made.index_many(
        [
            make_doc(
                "c-id",
                name="road-safety",
                title="Road safety",
                description="Collisions on the road network.",
                tags=("roads", "safety"),
                organisation="highways",
                formats=("CSV",),
                created_at=day(1),
                updated_at=day(10),
            ),
            make_doc(
                "a-id",
                name="safer-roads",
                title="Safety of the roads",
                description="Road safety schemes by ward.",
                tags=("roads",),
                organisation="highways",
                formats=("JSON",),
                created_at=day(2),
                updated_at=day(12),
            ),
            make_doc(
                "d-id",
                name="budget",
                title="Council budget",
                description="Spending by service.",
                tags=("finance",),
                organisation="finance",
                created_at=day(3),
                updated_at=day(11),
            ),
            make_doc(
                "b-id",
                name="another-budget",
                title="Council budget",
                description="The same title, another dataset.",
                tags=("finance",),
                organisation="finance",
                created_at=day(4),
                updated_at=day(11),
            ),
            make_doc("draft", released_at=None, created_at=day(5), **hidden),
            make_doc("soon", released_at=NOW + timedelta(days=1), created_at=day(6), **hidden),
        ]
    )
    return made


def ask(backend: SearchBackend, text: str, **options: object) -> list[str]:
    expression = parse(text, param="q", now=NOW)
    query = SearchQuery(expression=expression, now=NOW, per_page=100, **options)  # type: ignore[arg-type]
    return backend.search(query).ids


PUBLIC = {"a-id", "b-id", "c-id", "d-id"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("*:*", PUBLIC),
        ('"road safety"', {"a-id", "c-id"}),
        ('title:"road safety"', {"c-id"}),
        ('notes:"road safety"', {"a-id"}),
        ('"safety road"', set()),
        ('"safety of the roads"', {"a-id"}),
        ('"safety of roads"', set()),
        ('"of the"', PUBLIC),
        ("title:safety", {"a-id", "c-id"}),
        ("notes:collisions", {"c-id"}),
        ("notes:collision", {"c-id"}),
        ("notes:roads", {"a-id", "c-id"}),
        ("notes:budget", set()),
        ("name:budget", {"d-id"}),
        ("id:b-id", {"b-id"}),
        ("tags:roads", {"a-id", "c-id"}),
        ("res_format:json", {"a-id"}),
        ("organization:highways -tags:safety", {"a-id"}),
        ("-organization:highways", {"b-id", "d-id"}),
        ("NOT tags:finance", {"a-id", "c-id"}),
        ("NOT name:nothing", PUBLIC),
        ("tags:roads OR tags:finance", PUBLIC),
        ("state:active", PUBLIC),
        ("state:draft", set()),
        ("-state:active", set()),
        ("metadata_created:[2026-01-02T09:00:00Z TO *]", {"a-id", "b-id", "d-id"}),
        ("metadata_created:{2026-01-02T09:00:00Z TO 2026-01-04T09:00:00Z}", {"d-id"}),
        ("metadata_modified:[* TO 2026-01-11T09:00:00Z]", {"b-id", "c-id", "d-id"}),
        ("metadata_modified:2026-01-11T09:00:00Z", {"b-id", "d-id"}),
        ("budget the", {"b-id", "d-id"}),
        ("the", PUBLIC),
    ],
)
def test_expressions_find_only_public_datasets(backend, text, expected):
    assert set(ask(backend, text)) == expected


def test_a_members_search_can_ask_for_the_unpublished_by_state(backend):
    assert set(ask(backend, "state:draft", include_unpublished=True)) == {"draft", "soon"}
    assert set(ask(backend, "-state:active", include_unpublished=True)) == {"draft", "soon"}
    assert set(ask(backend, "state:active", include_unpublished=True)) == PUBLIC


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("id", ["a-id", "b-id", "c-id", "d-id"]),
        ("url_name", ["b-id", "d-id", "c-id", "a-id"]),
        ("created", ["b-id", "d-id", "a-id", "c-id"]),
        ("created_asc", ["c-id", "a-id", "d-id", "b-id"]),
        ("updated", ["a-id", "d-id", "b-id", "c-id"]),
        ("updated_asc", ["c-id", "b-id", "d-id", "a-id"]),
        ("name", ["d-id", "b-id", "c-id", "a-id"]),
        ("name_desc", ["a-id", "c-id", "b-id", "d-id"]),
    ],
)
def test_sorts_and_their_pages_agree(backend, sort, expected):
    """Equal keys (two titles, two update times) keep one order on every page size."""
    assert ask(backend, "*:*", sort=sort) == expected
    paged = [
        backend.search(SearchQuery(now=NOW, sort=sort, page=page, per_page=1)).ids[0]
        for page in range(1, 5)
    ]
    assert paged == expected


def test_words_an_expression_asks_for_rank_the_results(backend):
    assert ask(backend, "safety -tags:finance")[0] == "c-id"  # in the title, name and tags


def test_an_index_made_by_an_older_version_is_made_afresh_to_be_rebuilt(tmp_path: Path):
    folder = tmp_path / "index"
    folder.mkdir()
    index.create_in(str(folder), Schema(id=ID(unique=True, stored=True)))

    reopened = WhooshBackend(folder)

    assert reopened.rebuild_needed
    reopened.clear()
    reopened.index(make_doc("a", title="Parks"))
    assert not reopened.rebuild_needed
    assert ask(reopened, "title:parks") == ["a"]


def test_an_empty_index_answers_every_kind_of_clause(open_backend: Callable):
    empty = open_backend()
    text = 'title:parks notes:"road safety" tags:x name:y metadata_created:[* TO NOW]'
    assert ask(empty, text, sort="id") == []
