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

import pytest

from catalog.clock import frozen_at
from catalog.permissions import ADMIN
from tests.security.conftest import (
    ACTION,
    CALLERS,
    ITEMS,
    OTHER,
    OWNER,
    RELEASE,
    STAFF,
    Surface,
    body_text,
    private_problems,
)

DATA = "2016/17 Q1"  # the one period of every item's figures


BASE = "/datasets/{name}/resources/{rid}"
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
    Surface("/publish/datasets/{name}/preview", "staff"),
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
        return private_problems(response, surface)
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
        return private_problems(response, surface)
    if caller == "other organisation":
        if surface.url == "/publish":
            return ["another organisation sees the item"] if shows else []
        return [] if status == 404 and not shows else [f"another organisation gets {status}"]
    if status == 302 and "/login" in response.headers["Location"]:
        return []
    return [f"{status} instead of a sign-in redirect"]


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
