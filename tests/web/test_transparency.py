"""The Transparency page and its JSON: every requirement with its public dataset, the last
period published, the next deadline and a status in words and colour; nothing unpublished."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from catalog.clock import frozen_at
from catalog.demo import ACTOR as DEMO_ACTOR
from catalog.demo import DEMO_FOLDER
from catalog.publishing.groups import organisation_create, topic_create
from catalog.publishing.packages import load_package, read_descriptor
from catalog.publishing.requirements import REQUIREMENTS, period_set, requirement_set, upload_period
from catalog.publishing.resources import resource_link_create
from catalog.publishing.workflow import release_without_review
from tests.conftest import ACTOR
from tests.pages import (
    element,
    find_link,
    mentions,
    parse_page,
    table_headings,
    tag_colour,
    text_of,
)

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "catalog" / "demo" / "packages"
FILES = {
    "spend-over-500": ROOT / "tests" / "data" / "transparency" / "spend-2026-27-q3.csv",
    "invitations-to-tender": DEMO / "invitations-to-tender" / "invitations-to-tender.csv",
    "contracts-over-5000": DEMO / "contracts-over-5000" / "contracts-register.csv",
    "land-and-building-assets": DEMO / "land-and-building-assets" / "land-and-building-assets.csv",
    "pay-multiple": DEMO / "pay-multiple" / "pay-multiple.csv",
}
TODAY = datetime(2026, 12, 2, 12, 0)


def marked(catalogue, name, key, period, *, title=None, release=True, organisation=None):
    """A dataset meeting `key` with one file covering `period`, published at `release`."""
    extra = {"organisation": organisation} if organisation else {}
    dataset = catalogue.dataset(name, title=title, publish=False, **extra)
    requirement_set(catalogue.session, actor=ACTOR, dataset=dataset, key=key)
    resource = catalogue.add_file(
        dataset, FILES[key].name, FILES[key].read_bytes(), title=f"{title or name} {period}"
    )
    assert resource.latest.cleared, resource.latest.data_table.report
    chosen = upload_period(dataset, period)
    period_set(catalogue.session, actor=ACTOR, version=resource.latest, period=chosen)
    if release:
        at = release if isinstance(release, datetime) else None
        release_without_review(catalogue.session, actor=ACTOR, dataset=dataset, at=at, source="t")
    return dataset


@pytest.fixture
def council(catalogue):
    """Spend up to date, tenders a quarter late, contracts only in draft, and the land and
    buildings list under embargo until 10 December."""
    with frozen_at(datetime(2026, 10, 20, 9, 30)):
        marked(catalogue, "spend-2026-27", "spend-over-500", "2026/27 Q2", title="Spend 2026/27")
        marked(catalogue, "tenders", "invitations-to-tender", "2026/27 Q1", title="Tenders")
    with frozen_at(datetime(2026, 11, 25, 9, 30)):
        marked(
            catalogue,
            "contracts-draft",
            "contracts-over-5000",
            "2026/27 Q2",
            title="Draft contracts register",
            release=False,
        )
        marked(
            catalogue,
            "land-embargoed",
            "land-and-building-assets",
            "2025/26",
            title="Embargoed land list",
            release=datetime(2026, 12, 10, 9, 30),
        )
    return catalogue


def row(page, key: str) -> dict:
    """The requirements table's row for one requirement: each cell's text by its column, with
    the row element itself (under "row") and its status tag's colour (under "colour")."""
    found = page.find("tr", id=key)
    assert found is not None, f"no row for {key}"
    headings = table_headings(found.find_parent("table"))
    cells = dict(zip(headings, [text_of(c) for c in found.find_all(["th", "td"])], strict=True))
    return {**cells, "row": found, "colour": tag_colour(element(found, ".govuk-tag"))}


def test_the_code_in_full_is_listed_the_constitution_with_no_schema(client, council):
    with frozen_at(TODAY):
        page = parse_page(client.get("/transparency"))
        data = client.get("/transparency.json").get_json()
    assert len(REQUIREMENTS) == len(page.select("tbody tr")) == 15
    constitution = row(page, "constitution")
    assert constitution["What the Code requires"].startswith("Constitution")
    assert constitution["How often"] == "Annual"
    assert not constitution["row"].find("a", string="Schema")
    listed = {item["key"]: item for item in data["requirements"]}
    assert listed["constitution"]["schema"] is None


def test_a_link_to_the_constitution_or_a_document_meets_it(client, catalogue):
    with frozen_at(datetime(2026, 10, 20, 9, 30)):
        linked = catalogue.dataset("constitution", title="Constitution", publish=False)
        requirement_set(catalogue.session, actor=ACTOR, dataset=linked, key="constitution")
        resource_link_create(
            catalogue.session,
            actor=ACTOR,
            dataset=linked,
            title="The constitution",
            url="http://93.184.215.14/constitution.pdf",
        )
        release_without_review(catalogue.session, actor=ACTOR, dataset=linked, source="t")
        catalogue.saved()
    with frozen_at(TODAY):
        constitution = row(parse_page(client.get("/transparency")), "constitution")
    assert find_link(constitution["row"], "Constitution")["href"] == "/datasets/constitution"
    assert "2025/26 financial year" in constitution["Last period published"]
    assert (constitution["Status"], constitution["colour"]) == ("Up to date", "green")


def test_the_page_lists_every_requirement_with_status_in_words_and_colour(client, council):
    with frozen_at(TODAY):
        response = client.get("/transparency")
    page = parse_page(response)
    assert response.status_code == 200
    for requirement in REQUIREMENTS:
        assert row(page, requirement.key)["What the Code requires"].startswith(requirement.title)
    spend = row(page, "spend-over-500")
    assert find_link(spend["row"], "Spend 2026/27")["href"] == "/datasets/spend-2026-27"
    assert spend["Last period published"] == "July to September 2026 (2026/27 Q2)"
    assert spend["Next due"] == "31 January 2027 for October to December 2026 (2026/27 Q3)"
    assert (spend["Status"], spend["colour"]) == ("Up to date", "green")
    tenders = row(page, "invitations-to-tender")
    assert tenders["Last period published"] == "April to June 2026 (2026/27 Q1)"
    assert tenders["Next due"].startswith("31 October 2026")
    assert (tenders["Status"], tenders["colour"]) == ("Overdue", "red")
    assert find_link(tenders["row"], "Schema")["href"] == "/schemas/invitations-to-tender"
    assert page.find("p", string="Status on 2 December 2026:") is not None
    footer = page.find("footer")
    assert find_link(footer, "Transparency Code")["href"] == "/transparency"


def test_nothing_unpublished_is_shown_or_counted(client, council):
    with frozen_at(TODAY):
        page = parse_page(client.get("/transparency"))
        data = client.get("/transparency.json").get_json()
    for hidden in ("Draft contracts register", "contracts-draft"):
        assert not mentions(page, hidden)
    for hidden in ("Embargoed land list", "land-embargoed"):
        assert not mentions(page, hidden)
    for key in ("contracts-over-5000", "land-and-building-assets"):
        cells = row(page, key)
        assert cells["Published as"] == "Not yet published"
        assert cells["Status"].startswith("Not yet") and cells["colour"] == "orange"
    listed = {item["key"]: item for item in data["requirements"]}
    assert listed["contracts-over-5000"]["datasets"] == []
    assert listed["contracts-over-5000"]["lastPeriod"] is None
    assert listed["land-and-building-assets"]["status"] == "missing"
    assert "contracts-draft" not in str(data) and "land-embargoed" not in str(data)


def test_an_embargo_lifting_updates_the_page_at_its_second(client, council):
    with frozen_at(datetime(2026, 12, 10, 9, 30)):
        page = parse_page(client.get("/transparency"))
    land = row(page, "land-and-building-assets")
    assert find_link(land["row"], "Embargoed land list")["href"] == "/datasets/land-embargoed"
    assert "2025/26 financial year" in land["Last period published"]
    assert land["Next due"].startswith("30 September 2027")
    assert (land["Status"], land["colour"]) == ("Up to date", "green")


def test_the_json_says_the_same_for_machines(client, council):
    with frozen_at(TODAY):
        response = client.get("/transparency.json")
    data = response.get_json()
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
    assert data["date"] == "2026-12-02"
    assert [item["key"] for item in data["requirements"]] == [r.key for r in REQUIREMENTS]
    spend = data["requirements"][0]
    assert spend == {
        "key": "spend-over-500",
        "title": "Expenditure exceeding £500",
        "frequency": "quarterly",
        "summary": REQUIREMENTS[0].summary,
        "schema": "http://localhost/schemas/spend-over-500",
        "datasets": [
            {
                "name": "spend-2026-27",
                "title": "Spend 2026/27",
                "url": "http://localhost/datasets/spend-2026-27",
            }
        ],
        "lastPeriod": {
            "code": "2026/27 Q2",
            "label": "July to September 2026 (2026/27 Q2)",
            "start": "2026-07-01",
            "end": "2026-09-30",
        },
        "nextPeriod": {
            "code": "2026/27 Q3",
            "label": "October to December 2026 (2026/27 Q3)",
            "start": "2026-10-01",
            "end": "2026-12-31",
        },
        "nextDue": "2027-01-31",
        "status": "up-to-date",
        "statusLabel": "Up to date",
    }
    tenders = next(item for item in data["requirements"] if item["key"] == "invitations-to-tender")
    assert (tenders["status"], tenders["nextDue"]) == ("overdue", "2026-10-31")


def test_the_deadline_coming_close_shows_due_soon(client, council):
    with frozen_at(datetime(2027, 1, 20, 9, 0)):
        page = parse_page(client.get("/transparency"))
    spend = row(page, "spend-over-500")
    assert (spend["Status"], spend["colour"]) == ("Due soon", "yellow")


def test_the_staff_view_warns_of_deadlines_and_lists_work_not_yet_public(signed_in, erin, council):
    council.organisation("economy", "Economy and Place")
    with frozen_at(TODAY):
        marked(
            council, "other-draft", "pay-multiple", "2025/26", title="Someone else's draft",
            release=False, organisation="economy",
        )  # fmt: skip
        page = signed_in(erin).get("/publish/transparency")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-store"
    shown = parse_page(page)
    warning = text_of(element(shown, ".govuk-warning-text__text"))
    assert warning.endswith("requirements need attention before an auditor notices.")
    attention = element(shown, ".govuk-warning-text").find_next("ul")
    (tenders,) = [item for item in attention("li") if item.find("a", href="#invitations-to-tender")]
    assert text_of(tenders) == (
        "Overdue Invitations to tender over £5,000: July to September 2026 (2026/27 Q2) was "
        "due by 31 October 2026."
    )
    assert tag_colour(element(tenders, ".govuk-tag")) == "red"
    contracts = row(shown, "contracts-over-5000")
    draft = find_link(contracts["row"], "Draft contracts register")
    assert draft["href"] == "/publish/datasets/contracts-draft"
    assert contracts["Your work not yet public"] == "Draft contracts register Draft"
    assert not mentions(shown, "Someone else")
    with frozen_at(TODAY):
        my_work = parse_page(signed_in(erin).get("/publish"))
    deadlines = find_link(my_work, "Transparency Code deadlines")
    assert deadlines["href"] == "/publish/transparency"
    assert text_of(deadlines.parent) == "Transparency Code deadlines (14 need attention)"


def test_the_demo_shows_every_requirement_up_to_date_but_tenders(app, session, client):
    groups = json.loads((DEMO_FOLDER / "catalogue.json").read_text(encoding="utf-8"))
    for organisation in groups["organisations"]:
        organisation_create(session, actor=DEMO_ACTOR, **organisation)
    for topic in groups["topics"]:
        topic_create(session, actor=DEMO_ACTOR, **topic)
    store = app.extensions["catalog"]["store"]
    for folder in sorted(DEMO.iterdir()):
        if "transparency_requirement" in read_descriptor(folder):
            load_package(session, store=store, actor=DEMO_ACTOR, folder=folder)
    with frozen_at(TODAY):
        data = client.get("/transparency.json").get_json()
    statuses = {item["key"]: item["status"] for item in data["requirements"]}
    assert statuses == {
        requirement.key: "overdue" if requirement.key == "invitations-to-tender" else "up-to-date"
        for requirement in REQUIREMENTS
    }
    spend = data["requirements"][0]
    assert [d["name"] for d in spend["datasets"]] == [
        "spend-over-500-2025-26",
        "spend-over-500-2026-27",
    ]
    assert spend["lastPeriod"]["code"] == "2026/27 Q2"
