"""The demo catalogue as a resident meets it: searches in everyday words, listings in plain
text, the home page leading with what is new, and dataset pages that point onwards."""

from __future__ import annotations

import re

import pytest

from tests.pages import element, find_link, listed_datasets, parse_page, results_count, texts


@pytest.fixture(scope="module")
def demo(shared_app):
    """The demo catalogue, loaded once for the module's read-only tests."""
    loaded = shared_app.test_cli_runner().invoke(args=["demo"])
    assert loaded.exit_code == 0, loaded.output
    return shared_app.test_client()


def search(client, text: str):
    return parse_page(client.get("/datasets", query_string={"q": text}))


WASTE = {"Household waste and recycling", "Waste contracts"}
ROADS = {"CP-TR03: Principal roads where maintenance should be considered", "Parking account"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bin recycling", WASTE),
        ("rubbish", WASTE),
        ("bins", WASTE),
        ("fly tipping", WASTE),  # the demo has no fly-tipping data: dumped waste is the nearest
        ("potholes", ROADS),
        ("CTax", {"Council tax and business rates collection", "Council tax bands and charges"}),
    ],
)
def test_residents_words_find_the_councils_datasets(demo, text, expected):
    assert expected <= set(listed_datasets(search(demo, text)))


def test_a_word_with_synonyms_gets_no_did_you_mean(demo):
    page = search(demo, "bins")
    assert not [p for p in texts(page, "p.govuk-body") if p.startswith("Did you mean")]


def test_a_search_without_results_shows_no_empty_filters(demo):
    page = search(demo, "zzyzx quokka")
    assert results_count(page) == "0 datasets found"
    assert page.select(".app-filters") == []
    assert element(page, "main").find("h2", string="No datasets match your search")


def test_the_ckan_api_searches_in_residents_words_too(demo):
    found = demo.get("/api/3/action/package_search", query_string={"q": "fly-tipping"}).json
    assert {"household-waste-recycling", "waste-contracts"} <= {
        d["name"] for d in found["result"]["results"]
    }


def test_listings_summarise_descriptions_in_plain_words(demo):
    page = search(demo, '"One City, For All"')
    summaries = texts(page, ".app-dataset-list__item > p.govuk-body")
    plan = next(s for s in summaries if "Council Plan 2023-27" in s)
    assert "One City, For All," in plan
    assert not any(mark in summary for summary in summaries for mark in ("*", "](", "#"))


def test_the_home_page_leads_with_recent_releases_then_the_scorecard_and_topics(demo):
    page = parse_page(demo.get("/"))
    assert texts(page, "main h2")[:3] == [
        "Recently released",
        "Council Plan scorecard",
        "Browse by topic",
    ]
    newest = parse_page(demo.get("/datasets", query_string={"sort": "updated"}))
    not_kpis = [t for t in listed_datasets(newest) if not re.match(r"[\w-]+: ", t)]
    assert listed_datasets(page) == not_kpis[:5]
    assert find_link(page, "See the performance indicators")["href"] == "/indicators"
