"""Nothing unpublished leaks, on any read surface, to anyone, in any state.

Every surface is asked by every kind of caller about an item in every state. An item nobody
may see yet is a 404 (never a 403, which would confirm it exists); a withdrawn one is a 410
tombstone without its data; counts and facets never count what is hidden. Staff of the owning
organisation see drafts on the publishing pages, and through the API with their token; either
way the answer is `Cache-Control: private, no-store` and varies on who asks. Public pages show
the public catalogue to everyone, signed in or not.
"""

from __future__ import annotations

import re
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import product

import pytest
from rdflib import Graph
from rdflib import namespace as ns

from catalog.clock import frozen_at
from catalog.permissions import ADMIN, EDITOR
from tests.pages import element, parse_page, structured_data, summary_list, text_of, texts
from tests.security.conftest import (
    CALLERS,
    FIRST_RELEASE,
    ITEMS,
    OTHER,
    OWNER,
    PARTS,
    PARTS_NAME,
    RELEASE,
    STAFF,
    UPLOADED,
    Part,
    body_text,
)

DATA = "2016/17 Q1"  # the one period of every item's figures


@dataclass(frozen=True)
class Surface:
    """A URL template and what it is: `item` pages are about the one item (404 when hidden),
    `complete` listings hold every public item, `partial` ones may show only a few,
    `staff` pages are the publishing side. `staff_read` marks API reads that a member of the
    owning organisation may make of a hidden item with their token."""

    url: str
    kind: str
    staff_read: bool = False

    @property
    def api(self) -> bool:
        return self.url.startswith("/api/")


BASE = "/datasets/{name}/resources/{rid}"
ACTION = "/api/3/action/"
SURFACES = [
    Surface("/datasets/{name}", "item"),
    Surface(BASE, "item"),
    Surface(f"{BASE}/versions/1", "item"),
    Surface(f"{BASE}/explore", "item"),
    Surface(f"{BASE}/download/{{file}}", "item"),
    Surface(f"{BASE}/download", "item"),
    Surface(f"{BASE}/versions/1/download/{{file}}", "item"),
    Surface(f"{BASE}/versions/1/report", "item"),
    Surface(f"{BASE}/versions/1/report.json", "item"),
    Surface("/datasets/{name}/datapackage.json", "item"),
    Surface(f"{BASE}/versions/1/cite.bib", "item"),
    Surface(f"{BASE}/versions/1/cite.json", "item"),
    Surface("/datasets/{name}.jsonld", "item"),
    Surface("/datasets/{name}.ttl", "item"),
    Surface("/datasets/{name}.rdf", "item"),
    Surface("/indicators/{ref}", "item"),
    Surface("/indicators/{ref}/chart.svg", "item"),
    Surface("/indicators/{ref}/sparkline.svg", "item"),
    Surface("/api/indicators/{ref}", "item"),
    Surface("/api/indicators/{ref}.csv", "item"),
    Surface("/api/data/{rid}", "item"),
    Surface("/api/data/{rid}.csv", "item"),
    Surface("/api/data/{rid}.json", "item"),
    Surface("/api/data/{rid}.ndjson", "item"),
    Surface("/api/data/{rid}.xlsx", "item"),
    Surface(ACTION + "datastore_search?resource_id={rid}", "item"),
    Surface(ACTION + "datastore_search?resource_id={rid}&q={marker}&records_format=csv", "item"),
    Surface(ACTION + "datastore_search?id={rid}&limit=0", "item"),
    Surface(ACTION + "datastore_info?id={rid}", "item"),
    Surface(ACTION + "package_show?id={name}", "item", staff_read=True),
    Surface(ACTION + "resource_show?id={rid}", "item", staff_read=True),
    Surface(ACTION + "package_activity_list?id={name}", "item", staff_read=True),
    Surface(ACTION + "package_relationships_list?id={name}", "item", staff_read=True),
    Surface(ACTION + "dataset_follower_count?id={name}", "item", staff_read=True),
    Surface(ACTION + "resource_view_list?id={rid}", "item", staff_read=True),
    Surface(ACTION + "resource_view_show?id={rid}", "item", staff_read=True),
    Surface("/datasets?q={marker}", "complete"),
    Surface("/indicators?q={marker}", "complete"),
    Surface(ACTION + "package_search?q={marker}", "complete"),
    Surface(ACTION + "package_search?q={marker}&include_drafts=true", "complete"),
    Surface(ACTION + "package_search?q={marker}&include_private=true", "complete", True),
    Surface(ACTION + f"package_search?fq=organization:{OWNER}&rows=1000", "complete"),
    Surface(ACTION + "package_search?fq=tags:kpi&include_private=true", "complete", True),
    Surface(ACTION + "package_search?q=*:*&rows=1000", "complete"),
    Surface(ACTION + f"package_search?fq=-organization:{OTHER}&rows=1000", "complete"),
    Surface(ACTION + "package_search?q=title:{marker} OR NOT name:x&rows=1000", "complete"),
    Surface(ACTION + "package_search?fq=metadata_modified:[* TO NOW]&rows=1000", "complete"),
    Surface(ACTION + "package_search?fq=state:draft OR -state:active", "partial"),
    Surface(ACTION + "package_search?q=NOT name:x&include_private=true", "complete", True),
    Surface(ACTION + "package_list", "complete"),
    Surface(ACTION + "current_package_list_with_resources", "complete"),
    Surface(ACTION + "package_autocomplete?q=indicator-lk&limit=100", "complete"),
    Surface(ACTION + "resource_search?query=name:observations", "complete"),
    Surface(ACTION + "resource_search?query=format:csv&order_by=created", "complete"),
    Surface(ACTION + f"organization_show?id={OWNER}&include_datasets=true", "complete"),
    Surface(ACTION + "group_show?id=education-and-skills&include_datasets=true", "complete"),
    Surface(ACTION + "tag_show?id=kpi&include_datasets=true", "complete"),
    Surface(ACTION + "user_show?id=publisher&include_datasets=true", "complete"),
    Surface(ACTION + "recently_changed_packages_activity_list", "complete"),
    Surface(ACTION + f"organization_activity_list?id={OWNER}", "complete"),
    Surface(ACTION + "group_activity_list?id=education-and-skills", "complete"),
    Surface(ACTION + "group_package_show?id=education-and-skills&limit=1000", "complete"),
    Surface(ACTION + "user_activity_list?id=publisher", "complete"),
    Surface(ACTION + f"member_list?id={OWNER}", "partial"),
    Surface(ACTION + "organization_list?all_fields=true", "partial"),
    Surface(ACTION + "group_list?all_fields=true", "partial"),
    Surface(ACTION + "tag_list?all_fields=true", "partial"),
    Surface(ACTION + "tag_search?query=k", "partial"),
    Surface(ACTION + "tag_autocomplete?query=k", "partial"),
    Surface(ACTION + "format_autocomplete?q=c", "partial"),
    Surface(ACTION + "user_list", "partial"),
    Surface("/api/indicators", "complete"),
    Surface("/api/indicators.csv", "complete"),
    Surface("/catalog", "complete"),
    Surface("/catalog.jsonld", "complete"),
    Surface("/catalog.ttl", "complete"),
    Surface("/catalog.ttl?_profile=dcat-ap-2.1.1", "complete"),
    Surface("/catalog.rdf", "complete"),
    Surface("/feeds/releases.atom", "complete"),
    Surface(f"/feeds/organisations/{OWNER}.atom", "complete"),
    Surface("/feeds/topics/education-and-skills.atom", "partial"),
    Surface("/sitemap.xml", "complete"),
    Surface("/dumps/catalogue.jsonl", "complete"),
    Surface("/dumps/catalogue.jsonl.gz", "complete"),
    Surface("/dumps/datapackages.zip", "complete"),
    Surface("/", "partial"),
    Surface(f"/datasets/{ITEMS['published'].name}", "partial"),  # its related datasets
    Surface("/datasets", "partial"),
    Surface("/datasets?q={misspelt}", "partial"),
    Surface("/topics/education-and-skills", "partial"),
    Surface(f"/organisations/{OWNER}", "partial"),
    Surface("/indicators", "partial"),
    Surface("/indicators/themes/education-and-skills", "partial"),
    Surface("/dumps", "partial"),
    Surface("/calendar", "partial"),
    Surface("/calendar.ics", "partial"),
    Surface("/transparency", "partial"),
    Surface("/transparency.json", "partial"),
    Surface("/publish", "staff"),
    Surface("/publish/datasets/{name}", "staff"),
    Surface("/publish/datasets/{name}/review", "staff"),
    Surface("/publish/datasets/{name}/files/{rid}/versions/1/report", "staff"),
]


def _ask(site, item, surface: Surface, caller: str):
    url = surface.url.format(
        name=item.name,
        rid=site.resource_ids[item.state],
        file=item.filename,
        ref=item.ref,
        marker=item.marker,
        misspelt=item.marker[:-1] + "x",
    )
    browser = site.browsers[caller]
    headers = site.headers[caller] if surface.api or "token" in caller else {}
    return url, browser.client.get(url, headers=headers)


def _problems(item, surface: Surface, caller: str, response) -> list[str]:
    """What is wrong with one answer, in words; an empty list when it is right."""
    status, text = response.status_code, body_text(response)
    shows = item.shown_in(text, echoed="{marker}" in surface.url or "{name}" in surface.url)
    if surface.api and "token" in caller:
        return [] if status == 401 and not shows else [f"{status}: a bad token is not a 401"]
    if surface.kind == "staff":
        return _staff_problems(surface, caller, status, response, shows)
    if item.public:
        return _public_problems(surface, status, shows)
    if caller in STAFF and surface.staff_read and status == 200:
        return _private_problems(response, surface)
    problems = []
    # A withdrawn item may still be named, with the reason, but its data is gone.
    tombstone = item.state == "withdrawn" and status in (404, 410)
    if surface.kind == "item" and status != 404 and not tombstone:
        problems.append(f"answers {status}, not 404")
    if surface.kind != "item" and status != 200:
        problems.append(f"a listing answers {status}")
    if (shows and not tombstone) or (tombstone and DATA in text):
        problems.append("shows the hidden item")
    return problems


def _public_problems(surface: Surface, status: int, shows: bool) -> list[str]:
    if surface.kind == "item" and status not in (200, 302):
        return [f"a public item answers {status}"]
    if surface.kind == "complete" and not shows:
        return [f"a public item is missing ({status})"]
    return []


def _staff_problems(surface, caller, status, response, shows) -> list[str]:
    """The publishing pages: the owning organisation's staff only, sign-in for the rest."""
    if caller in STAFF:
        if status != 200 or not shows:
            return [f"staff page answers {status} to its own staff"]
        return _private_problems(response, surface)
    if caller == "other organisation":
        if surface.url == "/publish":
            return ["another organisation sees the item"] if shows else []
        return [] if status == 404 and not shows else [f"another organisation gets {status}"]
    if status == 302 and "/login" in response.headers["Location"]:
        return []
    return [f"{status} instead of a sign-in redirect"]


def _private_problems(response, surface: Surface) -> list[str]:
    cache = response.headers.get("Cache-Control", "")
    vary = response.headers.get("Vary", "")
    who = "Authorization" if surface.api else "Cookie"
    problems = []
    if "private" not in cache or "no-store" not in cache:
        problems.append(f"staff data with Cache-Control {cache!r}")
    if who.lower() not in vary.lower():
        problems.append(f"staff data with Vary {vary!r}")
    return problems


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("state", list(ITEMS))
def test_every_surface_shows_an_item_only_to_whom_it_may(site, state, caller):
    item = ITEMS[state]
    found = []
    with frozen_at(item.moment) if item.moment else nullcontext():
        for surface in SURFACES:
            url, response = _ask(site, item, surface, caller)
            found += [f"{url}: {p}" for p in _problems(item, surface, caller, response)]
    assert not found, "\n".join(found)


# -- Counts: what is hidden is never counted ----------------------------------------------------

MOMENTS = {
    "now": None,
    "1 s before release": ITEMS["1 s before release"].moment,
    "1 s after release": ITEMS["1 s after release"].moment,
}


def _public_count(moment) -> int:
    """Items public at `moment`: those looked at now that are public, and the one released at
    RELEASE once that second has come."""
    refs = {i.ref for i in ITEMS.values() if i.public and i.moment is None}
    if moment is not None and moment >= RELEASE:
        refs.add(ITEMS["1 s after release"].ref)
    return len(refs)


FACETS = '["organization", "groups", "tags"]'


def _counts(site, caller: str) -> dict[str, int]:
    browser, headers = site.browsers[caller], site.headers[caller]

    def api(url):
        response = browser.client.get(url, headers=headers)
        assert response.status_code == 200, (url, response.text)
        return response.json

    page = browser.get("/datasets").text
    search = api(f"{ACTION}package_search?facet.field={FACETS}")["result"]
    return {
        "search page": int(re.search(r"([\d,]+) datasets? found", page).group(1)),
        "search page facet": int(
            re.search(r"Children, Education and Communities \((\d+)\)", page).group(1)
        ),
        "package_search": search["count"],
        "organization facet": search["facets"]["organization"].get(OWNER, 0),
        "groups facet": search["facets"]["groups"].get("education-and-skills", 0),
        "tags facet": search["facets"]["tags"].get("kpi", 0),
        "organization_show": api(f"{ACTION}organization_show?id={OWNER}")["result"][
            "package_count"
        ],
        "group_show": api(f"{ACTION}group_show?id=education-and-skills")["result"]["package_count"],
        "organization_list": _count_of(api(f"{ACTION}organization_list?all_fields=true"), OWNER),
        "group_list": _count_of(api(f"{ACTION}group_list?all_fields=1"), "education-and-skills"),
        "tag_show": len(api(f"{ACTION}tag_show?id=kpi&include_datasets=1")["result"]["packages"]),
        "member_list": len(api(f"{ACTION}member_list?id={OWNER}&object_type=package")["result"]),
        "resource_search": api(f"{ACTION}resource_search?query=name:observations")["result"][
            "count"
        ],
        "indicators API": api("/api/indicators")["count"],
    }


def _count_of(listed: dict, name: str) -> int:
    return next(group["package_count"] for group in listed["result"] if group["name"] == name)


@pytest.mark.parametrize("caller", ["anonymous", "other organisation", ADMIN])
@pytest.mark.parametrize("moment", list(MOMENTS))
def test_counts_and_facets_count_only_public_items(site, moment, caller):
    at = MOMENTS[moment]
    with frozen_at(at) if at else nullcontext():
        counts = _counts(site, caller)
    expected = _public_count(at)
    assert counts == dict.fromkeys(counts, expected)


# -- Hidden parts of a public dataset -----------------------------------------------------------
# A file that is still waiting for its check or failed it, a new version scheduled for RELEASE,
# a version whose known-issues release is not due and a file listed with its content still to
# come all sit in a public dataset. Until each
# is public no surface may show its words, its format (TSV, the failed file's) or the day it
# was uploaded (UPLOADED), and the dataset's public "last updated" stays at its first release.

PART_MOMENTS = {
    "1 s before release": RELEASE - timedelta(seconds=1),
    "at release": RELEASE,
    "1 s after release": RELEASE + timedelta(seconds=1),
}
PART_CALLERS = ("anonymous", "other organisation", EDITOR, ADMIN)
UPLOAD_DAY = (f"{UPLOADED:%-d %B %Y}", f"{UPLOADED:%Y-%m-%d}", f"{UPLOADED:%d %b %Y}")
PLOTS, RATES = (
    f"/datasets/{PARTS_NAME}/resources/{{plots}}",
    f"/datasets/{PARTS_NAME}/resources/{{rates}}",
)
PART_SURFACES = [
    "/",
    "/datasets",
    "/datasets?q=allotment",
    "/datasets?q=allotment&sort=updated",
    f"/organisations/{OWNER}",
    "/topics/education-and-skills",
    f"/datasets/{PARTS_NAME}",
    PLOTS,
    f"{PLOTS}/versions/1",
    RATES,
    f"{RATES}/versions/1/cite.json",
    f"/datasets/{PARTS_NAME}/datapackage.json",
    f"/datasets/{PARTS_NAME}.jsonld",
    f"/datasets/{PARTS_NAME}.ttl",
    "/catalog",
    "/catalog.jsonld",
    "/catalog.ttl",
    "/catalog.ttl?_profile=dcat-ap-2.1.1",
    "/feeds/releases.atom",
    f"/feeds/organisations/{OWNER}.atom",
    "/feeds/topics/education-and-skills.atom",
    "/sitemap.xml",
    "/dumps/catalogue.jsonl",
    "/dumps/datapackages.zip",
    "/api/data/{plots}",
    "/api/data/{plots}.csv",
    "/api/data/{rates}",
    ACTION + "datastore_search?resource_id={plots}",
    ACTION + "datastore_search?resource_id={plots}&limit=0",
    ACTION + "datastore_info?id={plots}",
    ACTION + "datastore_search?resource_id={rates}&q=guildhall",
    ACTION + f"package_show?id={PARTS_NAME}",
    ACTION + "resource_show?id={plots}",
    ACTION + "resource_show?id={rates}",
    ACTION + f"package_activity_list?id={PARTS_NAME}",
    ACTION + 'package_search?q=allotment&facet.field=["res_format"]',
    ACTION + "current_package_list_with_resources",
    ACTION + "resource_search?query=description:",
    ACTION + "format_autocomplete?q=s",
    ACTION + "resource_view_list?id={plots}",
    ACTION + "recently_changed_packages_activity_list",
    ACTION + f"organization_activity_list?id={OWNER}",
    ACTION + "group_activity_list?id=education-and-skills",
    ACTION + f"organization_show?id={OWNER}&include_datasets=true",
]
STAFF_READS = {ACTION + f"package_activity_list?id={PARTS_NAME}"}  # the whole trail, to members
HIDDEN_FILE_URLS = [
    f"/datasets/{PARTS_NAME}/resources/{{rid}}",
    f"/datasets/{PARTS_NAME}/resources/{{rid}}/download",
    f"/datasets/{PARTS_NAME}/resources/{{rid}}/versions/1",
    f"/datasets/{PARTS_NAME}/resources/{{rid}}/explore",
    f"/datasets/{PARTS_NAME}/resources/{{rid}}/versions/1/report.json",
    f"/datasets/{PARTS_NAME}/resources/{{rid}}/versions/1/cite.json",
    "/api/data/{rid}",
    ACTION + "datastore_search?resource_id={rid}",
    ACTION + "resource_view_list?id={rid}",
    ACTION + "resource_view_show?id={rid}",
    ACTION + "datastore_search?resource_id={rid}&limit=0",
    ACTION + "datastore_info?id={rid}",
]
HIDDEN_VERSION_URLS = [  # (URL, the part whose version it is)
    (f"{PLOTS}/versions/2", "scheduled version"),
    (f"{PLOTS}/versions/2/download/plots.csv", "scheduled version"),
    (f"{PLOTS}/versions/2/cite.json", "scheduled version"),
    ("/api/data/{plots}?version=2", "scheduled version"),
    (f"{RATES}/versions/2", "pending known issues"),
    (f"{RATES}/versions/2/download/rates.csv", "pending known issues"),
    (f"{RATES}/versions/2/report.json", "pending known issues"),
]


def _get(site, caller: str, url: str):
    url = url.format(**site.ids)
    headers = site.headers[caller] if url.startswith("/api/") else {}
    return url, site.browsers[caller].client.get(url, headers=headers)


def _part_problems(text: str, moment: datetime) -> list[str]:
    """What a public answer shows that it must not, at `moment`."""
    problems = [
        f"shows the {p.case}" for p in PARTS.values() if p.hidden_at(moment) and p.marker in text
    ]
    problems += [f"shows the upload day {day}" for day in UPLOAD_DAY if day in text]
    if re.search(r"\btsv\b", text, re.IGNORECASE):
        problems.append("shows the failed file's format")
    return problems


@pytest.mark.parametrize("caller", PART_CALLERS)
@pytest.mark.parametrize("moment", list(PART_MOMENTS))
def test_hidden_parts_of_a_public_dataset_show_on_no_surface(parts_site, moment, caller):
    at, found = PART_MOMENTS[moment], []
    with frozen_at(at):
        for template in PART_SURFACES:
            url, response = _get(parts_site, caller, template)
            if response.status_code != 200:
                found.append(f"{url}: answers {response.status_code}")
            elif caller in STAFF and template in STAFF_READS:
                found += [f"{url}: {p}" for p in _private_problems(response, Surface(url, "item"))]
            else:
                found += [f"{url}: {p}" for p in _part_problems(body_text(response), at)]
        hidden = [PARTS["unreleased file"], PARTS["failed file"], PARTS["awaited file"]]
        for part, template in product(hidden, HIDDEN_FILE_URLS):
            url, response = _get(parts_site, caller, template.replace("{rid}", f"{{{part.case}}}"))
            found += _hidden_item_problems(url, response, caller, part, at)
        for template, case in HIDDEN_VERSION_URLS:
            url, response = _get(parts_site, caller, template)
            if PARTS[case].hidden_at(at) and response.status_code != 404:
                found.append(f"{url}: answers {response.status_code}, not 404")
    assert not found, "\n".join(found)


def _hidden_item_problems(url: str, response, caller: str, part: Part, at: datetime) -> list[str]:
    """A hidden file is not found, except by its own organisation's staff with their token."""
    staff_read = any(action in url for action in ("resource_show", "resource_view_"))
    if caller in STAFF and staff_read and response.status_code == 200:
        return [f"{url}: {p}" for p in _private_problems(response, Surface(url, "item"))]
    if response.status_code != 404:
        return [f"{url}: answers {response.status_code}, not 404"]
    return [f"{url}: {p}" for p in _part_problems(body_text(response), at)]


@pytest.mark.parametrize("caller", PART_CALLERS)
@pytest.mark.parametrize("moment", list(PART_MOMENTS))
def test_a_search_finds_a_hidden_part_only_once_it_is_public(parts_site, moment, caller):
    """Site search and package_search match a file's words (title, columns, notes) only once
    the public can see that file, with the matching count."""
    at, found = PART_MOMENTS[moment], {}
    with frozen_at(at):
        for part in PARTS.values():
            _, page = _get(parts_site, caller, f"/datasets?q={part.marker}")
            _, api = _get(parts_site, caller, ACTION + f"package_search?q={part.marker}")
            _, mine = _get(
                parts_site, caller, ACTION + f"package_search?q={part.marker}&include_private=true"
            )
            status = text_of(parse_page(page).find(role="status"))
            shown = re.search(r"([\d,]+) datasets? found", status).group(1)
            found[part.case] = (
                int(shown),
                api.json["result"]["count"],
                mine.json["result"]["count"],
            )
    expected = {case: (0, 0, 0) if p.hidden_at(at) else (1, 1, 1) for case, p in PARTS.items()}
    assert found == expected


@pytest.mark.parametrize("moment", list(PART_MOMENTS))
def test_the_public_last_updated_moves_only_when_something_is_released(parts_site, moment):
    """An upload that is not public does not date the dataset: the listings, the dataset page,
    CKAN, DCAT, schema.org and the data package all give its first release until the scheduled
    version's second, and that second after it."""
    at = PART_MOMENTS[moment]
    expected = (FIRST_RELEASE if at < RELEASE else RELEASE).date()
    with frozen_at(at):
        dates = _public_updated(parts_site)
    assert dates == dict.fromkeys(dates, expected)


def _public_updated(site) -> dict[str, date]:
    def get(url):
        return _get(site, "anonymous", url)[1]

    results = parse_page(get("/datasets?q=allotment&sort=updated"))
    (listed,) = texts(results, ".app-dataset-list__item .app-secondary")
    page = parse_page(get(f"/datasets/{PARTS_NAME}"))
    about = summary_list(element(page, "aside"))
    (schema_org,) = structured_data(page)
    graph = Graph().parse(data=get(f"/datasets/{PARTS_NAME}.ttl").get_data(as_text=True))
    node = graph.value(predicate=ns.RDF.type, object=ns.DCAT.Dataset)
    package = get(ACTION + f"package_show?id={PARTS_NAME}").json["result"]
    return {
        "search listing": _day(re.search(r"Updated (\d+ \w+ \d{4})", listed).group(1)),
        "dataset page": _day(about["Last updated"]),
        "schema.org": _day(schema_org["dateModified"]),
        "DCAT": _day(str(graph.value(node, ns.DCTERMS.modified))),
        "CKAN": _day(package["metadata_modified"]),
        "data package": _day(get(f"/datasets/{PARTS_NAME}/datapackage.json").json["modified"]),
    }


def _day(text: str) -> date:
    """A date as a page ("4 January 2030") or as ISO 8601 with a time ("2030-01-04T09:30Z")."""
    if text[:4].isdigit():
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    return datetime.strptime(text, "%d %B %Y").date()
