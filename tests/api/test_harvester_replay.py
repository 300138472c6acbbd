"""A national aggregator harvesting the site: the exact requests ckanext-harvest's CKAN
harvester (2.x) sends, against a real `opendata serve` process holding the demo catalogue.

Its gather stage asks `package_search` for `rows=100`, `start=0`, `sort=id asc` and, when
filtering, one `fq` of space-joined terms (`organization:a OR organization:b`, `-organization:x`,
`groups:...`, and on later runs `metadata_modified:[<an hour before the last run>Z TO *]`), and
pages by adding 100 to `start` until a page comes back empty. With `remote_orgs` and
`remote_groups` set to "create" it then fetches each `organization_show` and `group_show` by
the ids the datasets name, and an aggregator's checker asks `package_show` for every id."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from catalog.db import make_engine, make_session_factory
from catalog.publishing.lookups import public_dataset_names
from tests.live_server import demo_instance_env, serving

ROWS = "100"


@dataclass(frozen=True)
class Site:
    url: str
    public: list[str]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("harvest")
    env = demo_instance_env(tmp_path_factory, folder, "harvester-replay")
    engine = make_engine(f"sqlite:///{folder / 'instance' / 'catalogue.sqlite'}")
    with make_session_factory(engine)() as session:
        public = public_dataset_names(session)
    engine.dispose()
    with serving(env, folder, "/api/3/action/status_show") as url:
        yield Site(url=url, public=public)


def _get(url: str) -> dict:
    """One GET as the harvester's `requests.get` sends it; the body parsed as JSON."""
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.status == 200, url
        return json.loads(response.read())


def _action(site: Site, name: str, **params: str) -> dict:
    query = urllib.parse.urlencode(params)
    return _get(f"{site.url}/api/3/action/{name}?{query}")["result"]


def gather(site: Site, fq_terms: list[str], rows: str = ROWS) -> list[dict]:
    """`_search_for_datasets`: page by `start` until an empty page; drop repeats, as it does."""
    params = {"rows": rows, "start": "0", "sort": "id asc"}
    if fq_terms:
        params["fq"] = " ".join(fq_terms)
    found: list[dict] = []
    seen: set[str] = set()
    previous = None
    while True:
        body = _get(f"{site.url}/api/3/action/package_search?{urllib.parse.urlencode(params)}")
        assert body != previous, "the paging does not move on"
        previous = body
        page = body["result"]["results"]
        found += [package for package in page if package["id"] not in seen]
        seen |= {package["id"] for package in page}
        if not page:
            return found
        params["start"] = str(int(params["start"]) + int(params["rows"]))


def test_a_first_harvest_gathers_every_public_dataset_once_in_id_order(site):
    found = gather(site, [])
    assert sorted(p["name"] for p in found) == site.public
    ids = [p["id"] for p in found]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)


def test_small_pages_walk_the_same_datasets(site):
    """The harvester's 100 rows fit the demo on one page; 7 make it turn many pages."""
    assert [p["id"] for p in gather(site, [], rows="7")] == [p["id"] for p in gather(site, [])]


def test_an_incremental_harvest_finds_exactly_what_changed_since_its_last_run(site):
    everything = gather(site, [])
    times = sorted(datetime.fromisoformat(p["metadata_modified"]) for p in everything)
    last_run = times[len(times) // 2] + timedelta(hours=1)  # the harvester goes back an hour
    since = (last_run - timedelta(hours=1)).isoformat()
    changed = gather(site, [f"metadata_modified:[{since}Z TO *]"])
    expected = {
        p["name"]
        for p in everything
        if datetime.fromisoformat(p["metadata_modified"]) >= times[len(times) // 2]
    }
    assert {p["name"] for p in changed} == expected
    assert 0 < len(changed) < len(everything)


def test_organisation_filters_include_and_exclude(site):
    everything = gather(site, [])
    by_org: dict[str, set[str]] = {}
    for package in everything:
        by_org.setdefault(package["organization"]["name"], set()).add(package["name"])
    first, second, *_ = sorted(by_org)
    included = gather(site, [f"organization:{first} OR organization:{second}"])
    assert {p["name"] for p in included} == by_org[first] | by_org[second]
    excluded = gather(site, [f"-organization:{first}", f"-organization:{second}"])
    assert {p["name"] for p in excluded} == {p["name"] for p in everything} - by_org[
        first
    ] - by_org[second]


def test_group_filters_and_an_incremental_run_combine(site):
    everything = gather(site, [])
    grouped = [p for p in everything if p["groups"]]
    topic = grouped[0]["groups"][0]["name"]
    members = {p["name"] for p in everything if topic in {g["name"] for g in p["groups"]}}
    assert {p["name"] for p in gather(site, [f"groups:{topic}"])} == members
    assert {p["name"] for p in gather(site, [f"-groups:{topic}"])} == {
        p["name"] for p in everything
    } - members
    since = "2000-01-01T00:00:00"
    combined = gather(site, [f"groups:{topic}", f"metadata_modified:[{since}Z TO *]"])
    assert {p["name"] for p in combined} == members


def test_the_harvester_fetches_each_dataset_organisation_and_group_by_the_ids_it_was_given(site):
    everything = gather(site, [])
    for package in everything:
        assert _action(site, "package_show", id=package["id"]) == package
    for org_id in {p["owner_org"] for p in everything}:
        organisation = _action(site, "organization_show", id=org_id)
        assert organisation["id"] == org_id
        assert organisation["type"] == "organization"
    for group in {(g["id"], g["name"]) for p in everything for g in p["groups"]}:
        shown = _action(site, "group_show", id=group[0])
        assert (shown["id"], shown["name"]) == group
