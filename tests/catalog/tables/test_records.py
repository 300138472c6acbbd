"""Records as CKAN's datastore_search reads them, straight on the datastore: the `q` language,
`_id` on a file with rows above its header and a blank row inside, and the time limit."""

from __future__ import annotations

import pytest

from catalog.errors import Invalid
from catalog.tables.datastore.engine import datastore_for
from catalog.tables.datastore.query import QueryTimeout
from catalog.tables.datastore.records import RecordSearch, find_records
from catalog.tables.datastore.words import AllOf, AnyOf, Not, Word, parse_words


def words(*texts: str) -> tuple[Word, ...]:
    return tuple(Word(text) for text in texts)


@pytest.mark.parametrize(
    "text, plain, expected",
    [
        ("Explore YORK!", True, AllOf(words("explore", "york"))),
        ("spend 12.50 on a&b", True, AllOf(words("spend", "12.50", "on", "a", "b"))),
        ("!!!", True, AllOf(())),
        ("york", False, Word("york")),
        ("a | b & c", False, AnyOf((Word("a"), AllOf(words("b", "c"))))),
        ("!(a | b) & c:*", False, AllOf((Not(AnyOf(words("a", "b"))), Word("c")))),
        ("a <-> b", False, AllOf(words("a", "b"))),
        ("new-york & x", False, AllOf((AllOf(words("new", "york")), Word("x")))),
    ],
)
def test_q_reads_as_plainto_tsquery_or_to_tsquery(text, plain, expected):
    assert parse_words(text, plain=plain) == expected


@pytest.mark.parametrize("text", ["a &", "(a | b", "a b", "& a", "a | )", "!"])
def test_a_query_that_to_tsquery_would_refuse_names_q(text):
    with pytest.raises(Invalid) as refused:
        parse_words(text, plain=False)
    assert refused.value.field == "q"


@pytest.fixture
def table(catalogue):
    """A file with a title row above its header, a blank row among its rows, and enough rows
    that a search takes more than an instant."""
    rows = "".join(f"Heworth,{n}\n" for n in range(4, 3000))
    content = f"Ward visits in 2024\nward,visits\nAcomb,1\nClifton,2\n,\n{rows}".encode()
    dataset = catalogue.dataset("visits", publish=False)
    resource = catalogue.add_file(dataset, "visits.csv", content)
    return resource.versions[0].data_table


def test_id_counts_from_1_at_the_first_row_loaded(catalogue, table):
    found = find_records(datastore_for(catalogue.session), table, RecordSearch(limit=3))
    assert found.rows == [(1, "Acomb", 1), (2, "Clifton", 2), (4, "Heworth", 4)]
    picked = RecordSearch(filters={"_id": [4, 2999]}, fields=["_id", "ward"])
    only = find_records(datastore_for(catalogue.session), table, picked)
    assert only.rows == [(4, "Heworth"), (2999, "Heworth")]


def test_a_search_past_its_time_stops_with_a_clear_error(catalogue, table):
    datastore = datastore_for(catalogue.session)
    if datastore.is_sqlite:
        with pytest.raises(QueryTimeout, match="longer than 0 seconds"):
            find_records(datastore, table, RecordSearch(full_text="nothing"), time_limit=0)
        return
    # PostgreSQL stops a statement by statement_timeout, which test_data_query runs past with
    # pg_sleep; here a search well inside its limit still answers in full under it.
    found = find_records(datastore, table, RecordSearch(full_text="Heworth"), time_limit=5)
    assert found.rows and all("Heworth" in row for row in found.rows)
