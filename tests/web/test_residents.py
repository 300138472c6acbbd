"""The demo catalogue as a resident meets it: searches in everyday words, listings in plain
text, the home page leading with what is new, and dataset pages that point onwards."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from catalog.clock import frozen_at
from tests.pages import (
    element,
    find_link,
    listed_datasets,
    parse_page,
    results_count,
    summary_list,
    texts,
)


@pytest.fixture(scope="module")
def demo(shared_app):
    """The demo catalogue, loaded once for the module's read-only tests."""
    loaded = shared_app.test_cli_runner().invoke(args=["demo"])
    assert loaded.exit_code == 0, loaded.output
    return shared_app.test_client()


def search(client, text: str):
    return parse_page(client.get("/datasets", query_string={"q": text}))


WASTE = {"Household waste and recycling", "Waste contracts"}
FLY_TIPPING = "Fly-tipping incidents by ward"
ROADS = {"CP-TR03: Principal roads where maintenance should be considered", "Parking account"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bin recycling", WASTE),
        ("rubbish", WASTE),
        ("bins", WASTE),
        ("fly tipping", {FLY_TIPPING}),
        ("potholes", ROADS),
        ("CTax", {"Council tax and business rates collection", "Council tax bands and charges"}),
    ],
)
def test_residents_words_find_the_councils_datasets(demo, text, expected):
    assert expected <= set(listed_datasets(search(demo, text)))


@pytest.mark.parametrize("text", ["fly tipping", "fly-tipping", "dumped rubbish", "Flytipping"])
def test_fly_tipping_in_any_words_finds_the_fly_tipping_data_first(demo, text):
    assert listed_datasets(search(demo, text))[0] == FLY_TIPPING


def test_the_fly_tipping_data_is_open_and_explorable_by_ward(demo):
    page = parse_page(demo.get("/datasets/fly-tipping-incidents"))
    assert find_link(element(page, "aside"), "Open Government Licence v3.0")
    explore = find_link(page, "Explore Fly-tipping incidents by ward and quarter")["href"]
    headings = texts(parse_page(demo.get(explore)), "table thead th")
    assert {"Quarter", "Ward", "Incidents", "Cleared within 2 working days"} <= set(headings)


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


def dataset_page(client, name: str):
    with frozen_at(datetime(2026, 12, 2, 12, 0)):
        return parse_page(client.get(f"/datasets/{name}"))


def related(page) -> list[str]:
    return texts(page, "#related + ul a")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("spend-over-500-2026-27", "Spend over £500: 2025/26"),
        ("invitations-to-tender", "Contracts over £5,000"),
        ("contracts-over-5000", "Invitations to tender over £5,000"),
        ("household-waste-recycling", "CP-SU01: Household waste reused, recycled or composted"),
        ("indicator-cp-su01", "Household waste and recycling"),
    ],
)
def test_a_dataset_page_lists_related_datasets(demo, name, expected):
    listed = related(dataset_page(demo, name))
    assert expected in listed
    assert len(listed) <= 5


def test_a_dataset_page_shows_its_next_expected_update_from_the_calendar(demo):
    about = summary_list(element(dataset_page(demo, "spend-over-500-2026-27"), "aside"))
    assert about["Next update"] == "21 January 2027 at 9:30am UK time"


def test_a_regular_dataset_not_in_the_calendar_says_so(client, catalogue):
    catalogue.dataset("library-loans", title="Library loans", frequency="monthly")
    about = summary_list(element(parse_page(client.get("/datasets/library-loans")), "aside"))
    assert about["Next update"] == "Not yet in the release calendar"


def test_report_a_problem_emails_the_datasets_contact_naming_the_dataset(demo):
    link = find_link(
        dataset_page(demo, "household-waste-recycling"), "Report a problem with this data"
    )
    address = urlsplit(link["href"])
    message = parse_qs(address.query)
    assert (address.scheme, address.path) == ("mailto", "waste@example.gov.uk")
    assert message["subject"] == ["Problem with the data: Household waste and recycling"]
    assert "http://127.0.0.1:5000/datasets/household-waste-recycling" in message["body"][0]


def test_without_a_contact_a_problem_is_reported_to_the_publisher(client, catalogue):
    catalogue.dataset("library-loans", title="Library loans", contact_email=None)
    page = parse_page(client.get("/datasets/library-loans"))
    link = find_link(page, "Report a problem with this data")
    assert link["href"] == "/organisations/children-education"


def test_related_datasets_are_only_public_ones(client, catalogue):
    catalogue.dataset("library-loans", title="Library loans", tags=["libraries"])
    catalogue.dataset("library-visits", title="Library visits", tags=["libraries"], publish=False)
    catalogue.dataset(
        "library-events", title="Library events", tags=["libraries"], publish=datetime(2099, 1, 1)
    )
    catalogue.dataset("library-stock", title="Library stock", tags=["libraries"])
    assert related(parse_page(client.get("/datasets/library-loans"))) == ["Library stock"]
