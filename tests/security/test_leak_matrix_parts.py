"""Nothing unpublished leaks from inside a public dataset: a file or version not yet released,
or held back, shows on no surface, is found by no search and moves no public "last updated",
for any caller, a second before its release or after (the surfaces of whole items are in
test_leak_matrix.py)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from itertools import product

import pytest
from rdflib import Graph
from rdflib import namespace as ns

from catalog.clock import frozen_at
from catalog.permissions import ADMIN, EDITOR
from tests.pages import element, parse_page, structured_data, summary_list, text_of, texts
from tests.security.conftest import (
    ACTION,
    FIRST_RELEASE,
    OWNER,
    PARTS,
    PARTS_NAME,
    RELEASE,
    STAFF,
    UPLOADED,
    Part,
    Surface,
    body_text,
    private_problems,
)

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
                found += [f"{url}: {p}" for p in private_problems(response, Surface(url, "item"))]
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
        return [f"{url}: {p}" for p in private_problems(response, Surface(url, "item"))]
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
