"""The council's synonym list: residents' words find the catalogue's, typed words rank first."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from catalog.search import SearchBackend, SearchQuery
from catalog.search.query_language import And, Phrase, Synonyms, Words, parse
from catalog.search.synonyms import SynonymList, council_synonyms
from tests.catalog.search.test_search_backends import NOW, make_doc

LIST = SynonymList.read(
    """# comments and blank lines are skipped

    bins, bin, rubbish, household waste
    fly tipping, fly-tipping, dumped rubbish, waste
    """
)


def test_a_group_lists_each_entry_with_the_others_and_a_shared_entry_joins_groups():
    assert LIST.others[("bins",)] == (("bin",), ("rubbish",), ("household", "waste"))
    assert LIST.others[("fly", "tipping")] == (("dumped", "rubbish"), ("waste",))
    assert ("fly", "tipping") not in LIST.others[("fly", "tipping")]


def test_typed_words_in_the_list_become_synonyms_and_the_rest_stay_as_typed():
    query = LIST.applied(SearchQuery(text="Fly-Tipping near schools"))
    assert query.text == ""
    assert query.expression == And(
        (
            Synonyms(Words("Fly-Tipping"), (Phrase(("dumped", "rubbish")), Words("waste"))),
            Words("near schools"),
        )
    )


def test_text_without_listed_words_is_left_alone():
    query = SearchQuery(text="parking fines")
    assert LIST.applied(query) == query


def test_a_ckan_query_finds_an_entry_of_separate_clauses_and_keeps_its_other_clauses():
    expression = parse("fly tipping tags:york", param="q", now=NOW)
    expanded = LIST.applied(SearchQuery(expression=expression)).expression
    assert isinstance(expanded, And)
    assert isinstance(expanded.parts[0], Synonyms)
    assert expanded.parts[0].typed == Words("fly tipping")


@pytest.mark.parametrize(
    ("said", "meant"),
    [
        (("bins",), ("waste",)),
        (("rubbish",), ("refuse",)),
        (("fly", "tipping"), ("dumped", "rubbish")),
        (("potholes",), ("highways",)),
        (("ctax",), ("council", "tax")),
    ],
)
def test_the_repository_list_holds_the_councils_everyday_words(said, meant):
    assert meant in council_synonyms().others[said]


@pytest.fixture
def backend(open_backend: Callable[[], SearchBackend]) -> SearchBackend:
    made = open_backend()
    made.index_many(
        [
            make_doc("waste", title="Household waste collected", updated_at=NOW),
            make_doc("bins", title="Rubbish bins emptied", description="Bins by ward."),
            make_doc("binary", title="Binary files"),
            make_doc("draft", title="Rubbish draft", released_at=None),
        ]
    )
    return made


def find(backend: SearchBackend, text: str) -> list[str]:
    query = LIST.applied(SearchQuery(text=text, now=NOW, per_page=10))
    return backend.search(query).ids


def test_a_synonym_finds_the_catalogue_word_but_the_typed_word_ranks_first(backend):
    assert find(backend, "rubbish") == ["bins", "waste"]  # though "waste" is newer
    assert find(backend, "household waste") == ["waste", "bins"]


def test_a_short_synonym_is_a_whole_word_never_the_start_of_a_longer_one(backend):
    assert "binary" not in find(backend, "household waste")


def test_no_suggestion_is_made_when_a_synonym_answered(backend):
    results = backend.search(LIST.applied(SearchQuery(text="bins", now=NOW)))
    assert results.suggestion is None
