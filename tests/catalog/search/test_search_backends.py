"""Every search backend, exercised through a real index (see conftest.py): Whoosh in a
temporary folder, and PostgreSQL when the tests have one."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from catalog.search import (
    FACETS,
    FacetCount,
    SearchBackend,
    SearchDocument,
    SearchQuery,
    SearchResults,
)

NOW = datetime(2025, 6, 1, 12, 0, 0)


def make_doc(id: str, **changes: object) -> SearchDocument:
    """A published, visible dataset with nothing searchable unless the test says so."""
    doc = SearchDocument(
        id=id,
        name=f"dataset-{id}",
        title=f"Dataset {id}",
        description="",
        released_at=NOW - timedelta(days=30),
        updated_at=NOW - timedelta(days=10),
    )
    return replace(doc, **changes)


def search(backend: SearchBackend, text: str = "", **options: object) -> SearchResults:
    return backend.search(SearchQuery(text=text, **{"now": NOW, **options}))


def found(backend: SearchBackend, text: str = "", **options: object) -> set[str]:
    return set(search(backend, text, per_page=100, **options).ids)


# Storage


def test_an_index_is_reopened_with_its_documents(open_backend: Callable) -> None:
    open_backend().index(make_doc("a", title="Street lighting"))

    reopened = open_backend()

    assert found(reopened, "lighting") == {"a"}


def test_documents_written_one_commit_at_a_time_are_all_found(backend: SearchBackend) -> None:
    """As the site writes them: one commit per change, so the index holds many segments."""
    for n in range(12):
        backend.index(make_doc(f"d{n}", title=f"Parking permits zone {n}"))
        backend.index(make_doc(f"d{n}", title=f"Parking permits area {n}"))
    assert search(backend).total == 12
    assert found(backend, "parking") == {f"d{n}" for n in range(12)}
    assert found(backend, "zone") == set()


def test_indexing_the_same_id_replaces_the_old_version(backend: SearchBackend) -> None:
    backend.index(make_doc("a", title="Bus timetables"))
    assert found(backend, "bus") == {"a"}

    backend.index(make_doc("a", title="Tram timetables"))

    assert found(backend, "tram") == {"a"}
    assert found(backend, "bus") == set()
    assert search(backend).total == 1


def test_index_many_adds_everything_and_later_duplicates_win(backend: SearchBackend) -> None:
    backend.index(make_doc("old", title="Allotments"))
    docs = [make_doc(f"d{i}", title=f"Ward profile {i}") for i in range(50)]
    backend.index_many([*docs, make_doc("d0", title="Ward boundaries")])

    assert search(backend, "ward").total == 50
    assert found(backend, "boundaries") == {"d0"}
    assert found(backend, "allotments") == {"old"}


def test_remove_and_clear(backend: SearchBackend) -> None:
    backend.index_many([make_doc("a", title="Parks"), make_doc("b", title="Parks")])
    assert found(backend, "parks") == {"a", "b"}

    backend.remove("a")
    assert found(backend, "parks") == {"b"}

    backend.clear()
    assert search(backend).total == 0
    backend.index(make_doc("c", title="Parks"))
    assert found(backend, "parks") == {"c"}


def test_edits_reach_totals_and_facets_on_the_next_search(backend: SearchBackend) -> None:
    backend.index_many([make_doc(str(i), title="Ward data", tags=("old",)) for i in range(30)])
    assert search(backend).facets["tag"] == [FacetCount("old", 30)]

    backend.index(make_doc("3", title="Ward data", tags=("new",)))
    backend.remove("4")

    results = search(backend, "ward")
    assert results.total == 29
    assert results.facets["tag"] == [FacetCount("old", 28), FacetCount("new", 1)]
    assert found(backend, filters={"tag": ("new",)}) == {"3"}


def test_a_second_backend_on_the_same_index_sees_commits(open_backend: Callable) -> None:
    web, worker = open_backend(), open_backend()
    assert search(web).total == 0

    worker.index(make_doc("a", title="Recycling centres"))

    assert found(web, "recycling") == {"a"}


# Text matching


@pytest.mark.parametrize(
    "where",
    [
        {"title": "Pothole repairs"},
        {"name": "pothole-repairs"},
        {"description": "Every pothole repair logged by highways."},
        {"tags": ("potholes",)},
        {"topics": ("Potholes",)},
        {"organisation": "Pothole Response Team"},
        {"columns": ("pothole_id", "Depth of the pothole in mm")},
        {"resource_text": "ward,pothole,depth"},
    ],
)
def test_every_text_field_is_searchable(backend: SearchBackend, where: dict) -> None:
    backend.index_many([make_doc("hit", **where), make_doc("miss", title="Bin collections")])

    assert found(backend, "pothole") == {"hit"}


@pytest.mark.parametrize(
    ("text", "indexed"),
    [("schools", "School term dates"), ("payments", "Payment to suppliers")],
)
def test_stemming_finds_other_forms_of_a_word(backend: SearchBackend, text, indexed) -> None:
    backend.index_many([make_doc("hit", title=indexed), make_doc("miss", title="Road closures")])

    assert found(backend, text) == {"hit"}


@pytest.mark.parametrize(
    ("text", "indexed"),
    [
        ("schoo", "Schools in the borough"),
        ("paym", "Payments over 500 pounds"),
        ("librar", "Library opening hours"),
        ("schooli", "Schooling statistics"),
    ],
)
def test_words_match_as_they_are_typed(backend: SearchBackend, text, indexed) -> None:
    backend.index_many([make_doc("hit", title=indexed), make_doc("miss", title="Road closures")])

    assert found(backend, text) == {"hit"}


def test_every_word_must_match(backend: SearchBackend) -> None:
    backend.index_many(
        [
            make_doc("both", title="School meals", description="Free meals for pupils"),
            make_doc("one", title="School admissions"),
            make_doc("other", title="Meals on wheels"),
        ]
    )

    assert found(backend, "school meals") == {"both"}
    assert found(backend, "schoo meal") == {"both"}
    assert found(backend, "school unicorns") == set()


def test_accents_do_not_matter(backend: SearchBackend) -> None:
    backend.index(make_doc("a", title="Café licences"))

    assert found(backend, "cafe") == {"a"}
    assert found(backend, "CAFÉ") == {"a"}


def test_title_matches_rank_above_matches_elsewhere(backend: SearchBackend) -> None:
    newest = NOW - timedelta(days=1)
    backend.index_many(
        [
            make_doc("body", description="Covers flooding incidents", updated_at=newest),
            make_doc("tag", tags=("flooding",)),
            make_doc("title", title="Flooding incidents", updated_at=NOW - timedelta(days=90)),
        ]
    )

    assert search(backend, "flooding").ids == ["title", "tag", "body"]


def test_empty_text_matches_everything(backend: SearchBackend) -> None:
    backend.index_many([make_doc(str(i)) for i in range(5)])

    assert search(backend, "").total == 5
    assert search(backend, "   ").total == 5


# Hostile input


@pytest.mark.parametrize(
    "text",
    [
        '"unclosed quote',
        "(brackets [and] {braces}",
        "AND",
        "OR NOT",
        "schools AND NOT",
        "*",
        "sch*",
        "title:schools",
        ":::",
        "~2 ^3 +- \\ / ? !",
        "日本語のデータ",
        "Ysgolion Cymraeg ŵ ŷ",
        "emoji 🎉 data",
        "\x00\x1f\x1e",
        "x" * 10_000,
        " ".join(["school"] * 5000),
        "",
    ],
)
def test_any_text_is_searched_without_error(backend: SearchBackend, text: str) -> None:
    backend.index(make_doc("a", title="School places"))

    results = search(backend, text)

    assert results.total in (0, 1)
    assert set(results.facets) == set(FACETS)


def test_operators_and_syntax_are_plain_words(backend: SearchBackend) -> None:
    backend.index_many(
        [
            make_doc("s", title="Schools census"),
            make_doc("sl", title="Schools and libraries"),
            make_doc("t", title="Title deeds register"),
        ]
    )

    assert found(backend, "schools NOT libraries") == {"sl"}
    assert found(backend, "schools OR libraries") == {"sl"}
    assert found(backend, '"schools" (libraries)') == {"sl"}
    assert found(backend, "title:deeds") == {"t"}


# Did you mean


@pytest.fixture
def spelling(backend: SearchBackend) -> SearchBackend:
    backend.index_many(
        [
            make_doc("1", title="Schools in the borough"),
            make_doc("2", title="Primary schools and their catchment areas"),
            make_doc("3", title="Library opening hours"),
            make_doc("4", title="Library loans by branch"),
            make_doc("5", title="Schools library service"),
        ]
    )
    return backend


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("shcools", "schools"), ("libary", "library"), ("shcools libary", "schools library")],
)
def test_misspelt_queries_get_a_suggestion_from_indexed_words(spelling, typed, meant) -> None:
    results = search(spelling, typed)

    assert results.total == 0
    assert results.suggestion == meant
    assert search(spelling, meant).total > 0


@pytest.mark.parametrize("text", ["schools", "library", "schoo", "", "zzzqqq"])
def test_no_suggestion_when_the_query_is_fine_or_hopeless(spelling, text: str) -> None:
    assert search(spelling, text).suggestion is None


def test_rare_real_words_are_not_corrected_to_commoner_ones(backend: SearchBackend) -> None:
    backend.index_many([make_doc(str(i), title="Street lighting") for i in range(4)])
    backend.index(make_doc("storm", title="Lightning strikes"))

    results = search(backend, "lightning")

    assert results.ids == ["storm"]
    assert results.suggestion is None


def test_suggestions_never_reveal_unpublished_words(backend: SearchBackend) -> None:
    backend.index(make_doc("draft", title="Pensions", released_at=None))

    assert search(backend, "pesnions").suggestion is None

    backend.index(make_doc("public", title="Pensions"))
    assert search(backend, "pesnions").suggestion == "pensions"


# Filters and facets


@pytest.fixture
def faceted(backend: SearchBackend) -> SearchBackend:
    backend.index_many(
        [
            make_doc("a", organisation="Highways", tags=("roads", "safety"), formats=("CSV",)),
            make_doc("b", organisation="Highways", tags=("roads",), formats=("CSV", "PDF")),
            make_doc("c", organisation="Parks", tags=("safety",), licence="OGL-UK-3.0"),
            make_doc("d", organisation="Parks", tags=("trees",), topics=("Environment",)),
            make_doc("e", organisation="Finance", frequency="monthly", tags=("budget",)),
        ]
    )
    return backend


def test_values_of_one_facet_are_all_required(faceted: SearchBackend) -> None:
    assert found(faceted, filters={"tag": ("roads",)}) == {"a", "b"}
    assert found(faceted, filters={"tag": ("roads", "safety")}) == {"a"}


def test_filters_on_different_facets_are_all_required(faceted: SearchBackend) -> None:
    assert found(faceted, filters={"organisation": ("Parks",), "tag": ("safety",)}) == {"c"}
    assert found(faceted, filters={"organisation": ("Finance",), "format": ("CSV",)}) == set()


def test_unknown_facets_and_values_behave(faceted: SearchBackend) -> None:
    assert found(faceted, filters={"colour": ("red",)}) == {"a", "b", "c", "d", "e"}
    assert found(faceted, filters={"tag": ("no-such-tag",)}) == set()


def test_facet_counts_cover_all_results_not_just_the_page(faceted: SearchBackend) -> None:
    results = search(faceted, per_page=1)

    assert len(results.ids) == 1
    assert results.facets["organisation"] == [
        FacetCount("Highways", 2),
        FacetCount("Parks", 2),
        FacetCount("Finance", 1),
    ]
    assert results.facets["tag"] == [
        FacetCount("roads", 2),
        FacetCount("safety", 2),
        FacetCount("budget", 1),
        FacetCount("trees", 1),
    ]
    assert results.facets["format"] == [FacetCount("CSV", 2), FacetCount("PDF", 1)]
    assert results.facets["topic"] == [FacetCount("Environment", 1)]
    assert results.facets["licence"] == [FacetCount("OGL-UK-3.0", 1)]
    assert results.facets["frequency"] == [FacetCount("monthly", 1)]


def test_facet_counts_follow_text_and_filters(faceted: SearchBackend) -> None:
    results = search(faceted, filters={"tag": ("safety",)})

    assert results.total == 2
    assert results.facets["organisation"] == [FacetCount("Highways", 1), FacetCount("Parks", 1)]
    assert results.facets["tag"] == [FacetCount("safety", 2), FacetCount("roads", 1)]


# Visibility


@pytest.fixture
def mixed(backend: SearchBackend) -> SearchBackend:
    hidden = {"organisation": "Secret Unit", "tags": ("hidden",), "title": "Budget"}
    backend.index_many(
        [
            make_doc("live", title="Budget", tags=("shown",), organisation="Finance"),
            make_doc("draft", released_at=None, **hidden),
            make_doc("withdrawn", released_at=None, **hidden),
            make_doc("scheduled", released_at=NOW + timedelta(days=1), **hidden),
            make_doc("review", released_at=None, **hidden),
        ]
    )
    return backend


def test_only_released_documents_are_found_or_counted(mixed: SearchBackend) -> None:
    results = search(mixed, "budget")

    assert results.ids == ["live"]
    assert results.total == 1
    assert results.facets["organisation"] == [FacetCount("Finance", 1)]
    assert results.facets["tag"] == [FacetCount("shown", 1)]
    assert search(mixed, filters={"tag": ("hidden",)}).total == 0


def test_include_unpublished_shows_everything(mixed: SearchBackend) -> None:
    results = search(mixed, "budget", include_unpublished=True, per_page=10)

    assert results.total == 5
    assert FacetCount("hidden", 4) in results.facets["tag"]


def test_embargo_lifts_at_the_second_of_release(backend: SearchBackend) -> None:
    backend.index(make_doc("a", title="Census results", released_at=NOW + timedelta(seconds=1)))

    assert search(backend, "census").total == 0
    assert search(backend).facets["organisation"] == []
    assert search(backend, "census", now=NOW + timedelta(seconds=1)).ids == ["a"]


def test_embargo_uses_the_current_time_by_default(backend: SearchBackend) -> None:
    utc_now = datetime.now(UTC).replace(tzinfo=None)
    backend.index_many(
        [
            make_doc("out", title="Crime", released_at=utc_now - timedelta(minutes=1)),
            make_doc("soon", title="Crime", released_at=utc_now + timedelta(hours=1)),
        ]
    )

    assert backend.search(SearchQuery(text="crime")).ids == ["out"]


def test_aware_datetimes_mean_the_same_instant(backend: SearchBackend) -> None:
    bst = timezone(timedelta(hours=1))
    release = (NOW + timedelta(hours=2)).replace(tzinfo=UTC).astimezone(bst)
    backend.index(make_doc("a", title="Elections", released_at=release))

    assert search(backend, "elections", now=NOW + timedelta(hours=1, minutes=59)).total == 0
    assert search(backend, "elections", now=NOW + timedelta(hours=2)).total == 1
    assert search(backend, "elections", now=(NOW + timedelta(hours=2)).replace(tzinfo=UTC)).total


# Sorting and paging


@pytest.fixture
def dated(backend: SearchBackend) -> SearchBackend:
    backend.index_many(
        [
            make_doc("b", title="banana trees", updated_at=NOW - timedelta(days=3)),
            make_doc("a", title="Apple trees", updated_at=NOW - timedelta(days=1)),
            make_doc("c", title="Cherry Trees", updated_at=NOW - timedelta(days=2)),
        ]
    )
    return backend


def test_sort_by_updated_puts_the_most_recent_first(dated: SearchBackend) -> None:
    assert search(dated, "trees", sort="updated").ids == ["a", "c", "b"]


def test_sort_by_name_ignores_case(dated: SearchBackend) -> None:
    assert search(dated, sort="name").ids == ["a", "b", "c"]


def test_relevance_without_text_means_most_recent_first(dated: SearchBackend) -> None:
    assert search(dated).ids == ["a", "c", "b"]
    assert search(dated, sort="shoe size").ids == ["a", "c", "b"]


def test_unknown_sort_ranks_by_relevance(backend: SearchBackend) -> None:
    backend.index_many(
        [
            make_doc("recent", description="about trees", updated_at=NOW),
            make_doc("titled", title="Trees", updated_at=NOW - timedelta(days=99)),
        ]
    )

    assert search(backend, "trees", sort="bogus").ids == ["titled", "recent"]


def test_pages_split_the_results_and_past_the_end_is_empty(backend: SearchBackend) -> None:
    docs = [make_doc(f"{i:02}", updated_at=NOW - timedelta(hours=i)) for i in range(25)]
    backend.index_many(docs)

    pages = [search(backend, page=p, per_page=10) for p in (1, 2, 3, 4)]

    assert [len(p.ids) for p in pages] == [10, 10, 5, 0]
    assert [i for p in pages for i in p.ids] == [f"{i:02}" for i in range(25)]
    assert pages[3].total == 25
    assert pages[3].facets == pages[0].facets


# Concurrency


def test_searches_in_threads_while_writing(backend: SearchBackend) -> None:
    backend.index_many([make_doc(f"seed{i}", title="Bridge inspections") for i in range(20)])
    errors: list[BaseException] = []
    stop = threading.Event()

    def searching() -> None:
        while not stop.is_set():
            try:
                assert search(backend, "bridge").total >= 20
            except BaseException as error:  # noqa: BLE001 - reported by the main thread
                errors.append(error)
                return

    threads = [threading.Thread(target=searching) for _ in range(4)]
    for thread in threads:
        thread.start()
    for i in range(15):
        backend.index(make_doc(f"new{i}", title="Bridge inspections"))
    stop.set()
    for thread in threads:
        thread.join()

    assert errors == []
    assert search(backend, "bridge").total == 35


def test_a_hidden_document_does_not_change_how_public_results_rank(backend: SearchBackend) -> None:
    """Word rarity is counted over public documents only: drafts full of one word do not
    make it common, so they cannot push a public result holding it down the list."""
    day = timedelta(days=1)
    backend.index_many(
        [
            make_doc("ferry", title="Ferry", description="tram", updated_at=NOW - day),
            make_doc("tram", title="Tram", description="ferry", updated_at=NOW - 2 * day),
        ]
    )
    before = search(backend, "ferry tram").ids
    drafts = [make_doc(f"draft-{n}", title="Ferry", released_at=None) for n in range(20)]
    due = NOW + timedelta(days=1)
    scheduled = [make_doc(f"soon-{n}", title="Ferry", released_at=due) for n in range(20)]
    backend.index_many(drafts + scheduled)

    assert before == ["ferry", "tram"]
    assert search(backend, "ferry tram").ids == before


# Documents that hold for a while


def test_a_public_document_past_its_time_is_reported_stale(backend: SearchBackend) -> None:
    """A document built before a file version's release says it holds until then; a search
    after that second names it, so the caller can rebuild it."""
    backend.index_many(
        [
            make_doc("due", title="Rents", holds_until=NOW + timedelta(hours=1)),
            make_doc("built-ahead", title="Rates", holds_from=NOW + timedelta(hours=1)),
            make_doc("steady", title="Parks"),
            make_doc("draft", released_at=None, holds_until=NOW - timedelta(days=1)),
        ]
    )

    assert search(backend).stale == ("built-ahead",)
    later = search(backend, now=NOW + timedelta(hours=1)).stale
    assert later == ("due",)
    assert search(backend, "parks", now=NOW + timedelta(hours=2)).stale == ("due",)
