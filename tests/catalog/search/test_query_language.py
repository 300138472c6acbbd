"""CKAN's query language as CKAN clients write it, read into the catalogue's search expression."""

from __future__ import annotations

from datetime import datetime

import pytest

from catalog.errors import Invalid
from catalog.search.query_language import (
    NOTHING,
    All,
    And,
    Field,
    Not,
    Or,
    Phrase,
    QueryError,
    Range,
    Words,
    parse,
    read_sort,
)

NOW = datetime(2026, 12, 10, 14, 30, 15)
ORGANISATIONS = {"7": "children-education", "children-education": "children-education"}


def read(text: str):
    return parse(text, param="fq", now=NOW, organisation_named=ORGANISATIONS.get)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", All()),
        ("*:*", All()),
        ("pupils", Words("pupils")),
        ("school places", And((Words("school"), Words("places")))),
        ('"road safety"', Phrase(("road", "safety"))),
        ('"Road"', Words("road")),
        ("title:spend", Words("spend", "title")),
        ('notes:"road safety"', Phrase(("road", "safety"), "notes")),
        ("title:(road safety)", And((Words("road", "title"), Words("safety", "title")))),
        ("text:pupils", Words("pupils")),
        ("organization:children-education", Field("organisation", "children-education")),
        ("groups:health", Field("topic", "health")),
        ("tags:schools", Field("tag", "schools")),
        ('tags:"road safety"', Field("tag", "road safety")),
        ("res_format:csv", Field("format", "CSV")),
        ("license_id:OGL-UK-3.0", Field("licence", "OGL-UK-3.0")),
        ("name:school-places", Field("name", "school-places")),
        ("id:1b2c-3d", Field("id", "1b2c-3d")),
        ("state:active", Field("state", "active")),
        ("owner_org:7", Field("organisation", "children-education")),
        ("owner_org:children-education", Field("organisation", "children-education")),
        ("owner_org:nowhere", NOTHING),
        ("+dataset_type:dataset", All()),
        ("dataset_type:harvest", NOTHING),
        ("-organization:x", Not(Field("organisation", "x"))),
        ("!tags:x", Not(Field("tag", "x"))),
        ("NOT tags:x", Not(Field("tag", "x"))),
        ("+tags:a +tags:b", And((Field("tag", "a"), Field("tag", "b")))),
        ("tags:a OR tags:b", Or((Field("tag", "a"), Field("tag", "b")))),
        (
            "tags:a || tags:b && tags:c",
            Or((Field("tag", "a"), And((Field("tag", "b"), Field("tag", "c"))))),
        ),
        ("tags:(a OR b)", Or((Field("tag", "a"), Field("tag", "b")))),
        (
            "(tags:a OR tags:b) -tags:c",
            And((Or((Field("tag", "a"), Field("tag", "b"))), Not(Field("tag", "c")))),
        ),
        ("*:* AND tags:a", Field("tag", "a")),
        ("spend^2 roam~1", And((Words("spend"), Words("roam")))),
        ("council-tax", Words("council-tax")),
        ("a - b", And((Words("a"), Words("b")))),
    ],
)
def test_clauses_read_as_ckan_means_them(text, expected):
    assert read(text) == expected


def test_the_harvesters_filters_mean_either_organisation_and_changed_since():
    """ckanext-harvest joins its fq terms with spaces: organisations ORed, then the date."""
    text = "organization:a OR organization:b metadata_modified:[2026-11-01T00:00:00.123456Z TO *]"
    since = Range("modified", datetime(2026, 11, 1, 0, 0, 0, 123456), None)
    either = Or((Field("organisation", "a"), Field("organisation", "b")))
    assert read(text) == And((either, since))


@pytest.mark.parametrize(
    ("text", "low", "high", "inclusive"),
    [
        ("[2026-01-01T00:00:00Z TO *]", datetime(2026, 1, 1), None, (True, True)),
        ("[* TO NOW]", None, NOW, (True, True)),
        (
            "[2026-01-01T00:00:00Z TO 2026-06-30T23:59:59Z]",
            datetime(2026, 1, 1),
            datetime(2026, 6, 30, 23, 59, 59),
            (True, True),
        ),
        ("{NOW-1DAY TO NOW}", datetime(2026, 12, 9, 14, 30, 15), NOW, (False, False)),
        ("[NOW/DAY TO *]", datetime(2026, 12, 10), None, (True, True)),
        (
            "[NOW/DAY-1MONTH TO NOW/HOUR]",
            datetime(2026, 11, 10),
            datetime(2026, 12, 10, 14),
            (True, True),
        ),
        ("[NOW-2YEARS TO *}", datetime(2024, 12, 10, 14, 30, 15), None, (True, False)),
        ("[2026-03-31T00:00:00Z-1MONTH TO *]", datetime(2026, 2, 28), None, (True, True)),
        ("[2026-01-01 TO *]", datetime(2026, 1, 1), None, (True, True)),
    ],
)
def test_date_ranges_in_solrs_forms(text, low, high, inclusive):
    for field, name in (("metadata_modified", "modified"), ("metadata_created", "created")):
        assert read(f"{field}:{text}") == Range(name, low, high, *inclusive)


def test_a_single_date_is_that_moment():
    moment = datetime(2026, 1, 1, 9, 30)
    assert read(r"metadata_modified:2026-01-01T09\:30\:00Z") == Range("modified", moment, moment)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("title:(", "'(' at character 7 is never closed"),
        ("[2026 TO", "'[' at character 1: a range follows a date field"),
        ("metadata_modified:[2026-01-01T00:00:00Z TO", "range at character 19"),
        ("metadata_modified:[2026 TO *]", "Cannot read the date '2026'"),
        ("metadata_modified:[yesterday TO now]", "Cannot read the date 'yesterday'"),
        ("metadata_modified:[NOW TO]", "reads [FROM TO UNTIL]"),
        ("metadata_created:soon", "Cannot read the date 'soon'"),
        ("foo:bar", "Unknown field 'foo' at character 1"),
        ('"road safety', "quote at character 1 is never closed"),
        ('title:"road', "quote at character 7 is never closed"),
        ("tags:a AND", "ends after 'AND'"),
        ("OR tags:a", "'OR' at character 1 has nothing before it"),
        ("NOT", "ends after 'NOT'"),
        ("tags:a)", "')' at character 7 closes nothing"),
        ("()", "group at character 1 is empty"),
        ("title:", "'title:' at character 1 has no value"),
        ("name:[a TO b]", "Only metadata_modified and metadata_created take a range"),
        ("tags:sch*", "tags takes whole values"),
        ("*:pupils", "use *:* for everything"),
        ("(" * 21 + "a" + ")" * 21, "nested over 20 deep"),
        ("a " * 201, "over 200 terms"),
    ],
)
def test_what_cannot_be_read_is_named(text, problem):
    with pytest.raises(QueryError) as raised:
        read(text)
    assert problem in raised.value.message
    assert raised.value.field == "fq"


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("id asc", "id"),
        ("name asc", "url_name"),
        ("metadata_modified desc", "updated"),
        ("metadata_modified asc", "updated_asc"),
        ("metadata_created desc", "created"),
        ("metadata_created asc", "created_asc"),
        ("score desc, metadata_modified desc", "relevance"),
        ("title_string asc", "name"),
        ("Title_String  DESC", "name_desc"),
    ],
)
def test_every_sort_a_harvester_sends(sort, expected):
    assert read_sort(sort) == expected


@pytest.mark.parametrize("sort", ["random()", "name asc, views desc", ""])
def test_an_unknown_sort_is_refused(sort):
    with pytest.raises(Invalid, match="Cannot sort by"):
        read_sort(sort)
