"""A council copies its catalogue into a second instance of this site as it would copy a CKAN
site: the real `ckanapi dump` from site A (the demo catalogue) and `ckanapi load` into site B
(a fresh `opendata init`, with a site administrator's API token), both real `opendata serve`
processes.

Every organisation and topic (CKAN group) is copied. To keep the test quick, the datasets
copied are those of one organisation, `business-intelligence` (several files to a dataset,
GeoJSON as well as CSV, topics, extras), dumped by name as `ckanapi dump datasets NAME ...`
does, with a link to a file elsewhere added to one of them on A first.

`ckanapi load datasets --upload-resources` creates each package with its list of resources
(keeping every id), then downloads each file from A and uploads it to B with resource_patch.
The copies arrive as drafts: nothing becomes public on B until a second admin there has
reviewed it, which the test does through B's publishing pages. B then shows what A shows, and
loading again changes nothing."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from ckanapi import NotFound, RemoteCKAN
from sqlalchemy.orm import Session

from catalog.accounts.tokens import token_create
from catalog.accounts.users import account_create, find_account, membership_set
from catalog.db import make_engine, make_session_factory
from catalog.permissions import Actor
from catalog.publishing.datasets import get_dataset
from catalog.publishing.groups import get_organisation
from catalog.publishing.lookups import public_dataset_names
from catalog.publishing.resources import resource_link_create
from catalog.transactions import all_or_nothing
from tests.live_server import demo_instance_env, instance_env, run_opendata, serving
from tests.pages import csrf_token, parse_page

ORGANISATION = "business-intelligence"
LINKED = "ward-profiles"
LINK = "https://93.184.215.14/boundaries/wards-2023.geojson"
MIRROR, REVIEWER = "mirror@york.gov.uk", "reviewer@york.gov.uk"
PASSWORD = "a long enough password"
AGENT = "opendata-tests/1.0"
SETUP = Actor.system("test setup")
# What package_show says of a dataset that is the same on both sites.
SAME = ("id", "name", "title", "notes", "owner_org", "license_id", "extras")
SAME_FILE = ("id", "name", "description", "format", "url_type", "mimetype", "size", "hash")


@dataclass(frozen=True)
class Sites:
    a: str
    b: str
    b_instance: Path
    token: str
    folder: Path


@contextmanager
def catalogue(instance: Path) -> Iterator[Session]:
    """A unit of work on an instance's database, as its command line would make one."""
    engine = make_engine(f"sqlite:///{instance / 'catalogue.sqlite'}")
    try:
        with make_session_factory(engine)() as session, all_or_nothing(session):
            yield session
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> Iterator[Sites]:
    """Site A (the demo catalogue, with a link to a file elsewhere added to one dataset) and
    site B (empty but for two accounts: a site administrator with an API token, and the
    reviewer), served side by side with no rate limit: a load makes a few requests a second
    for as long as it runs."""
    folder = tmp_path_factory.mktemp("mirror")
    env_a = demo_instance_env(tmp_path_factory, folder / "a", "mirror-a")
    with catalogue(folder / "a" / "instance") as session:
        resource_link_create(
            session,
            actor=SETUP,
            dataset=get_dataset(session, LINKED),
            title="Ward boundaries",
            url=LINK,
            description="The boundaries the profiles are drawn to.",
        )
    env_b = instance_env(folder / "b", "mirror-b")
    run_opendata(["init"], env_b)
    with catalogue(folder / "b" / "instance") as session:
        loader = account_create(
            session, actor=SETUP, email=MIRROR, name="Mirror", password=PASSWORD, sysadmin=True
        )
        account_create(session, actor=SETUP, email=REVIEWER, name="Rita", password=PASSWORD)
        _token, secret = token_create(session, actor=SETUP, account=loader, name="mirror")
    probe = "/api/3/action/status_show"
    with ExitStack() as stack:
        a = stack.enter_context(serving(env_a, folder / "a", probe))
        b = stack.enter_context(serving(env_b, folder / "b", probe))
        yield Sites(a=a, b=b, b_instance=folder / "b" / "instance", token=secret, folder=folder)


def ckanapi(sites: Sites, *args: str) -> None:
    """Run the `ckanapi` command line; it starts its workers as `ckanapi` on the PATH."""
    bin_folder = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": os.pathsep.join([bin_folder, os.environ.get("PATH", "")])}
    result = subprocess.run(
        [str(Path(bin_folder) / "ckanapi"), *args],
        cwd=sites.folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # A load that fails for any record exits with 3, having said which on its error output.
    assert result.returncode == 0, f"ckanapi {' '.join(args)}:\n{result.stdout}\n{result.stderr}"


def dump(sites: Sites, thing: str, *names: str) -> list[dict]:
    output = f"{thing}.jsonl"
    ckanapi(sites, "dump", thing, *(names or ["--all"]), "-O", output, "-r", sites.a)
    lines = (sites.folder / output).read_text().splitlines()
    return [json.loads(line) for line in lines]


def load(sites: Sites, thing: str, *options: str) -> None:
    ckanapi(
        sites, "load", thing, "-I", f"{thing}.jsonl", "-r", sites.b, "-a", sites.token, *options
    )


@dataclass(frozen=True)
class Mirror:
    organisations: list[dict]
    groups: list[dict]
    datasets: list[dict]
    drafts: list[dict]  # B's copies as its site administrator saw them just after the load


@pytest.fixture(scope="module")
def mirror(sites) -> Mirror:
    """The copy, as a council would run it: organisations, then groups, then datasets."""
    organisations, groups = dump(sites, "organizations"), dump(sites, "groups")
    load(sites, "organizations")
    load(sites, "groups")
    names = _public_names(sites, ORGANISATION)
    datasets = dump(sites, "datasets", *names)
    assert [d["name"] for d in datasets] == names and len(names) > 1
    load(sites, "datasets", "--upload-resources")
    administrator = RemoteCKAN(sites.b, apikey=sites.token, user_agent=AGENT)
    drafts = [administrator.action.package_show(id=d["id"]) for d in datasets]
    return Mirror(organisations, groups, datasets, drafts)


def _public_names(sites: Sites, organisation: str) -> list[str]:
    shown = RemoteCKAN(sites.a, user_agent=AGENT).action.organization_show(
        id=organisation, include_datasets=True
    )
    return sorted(package["name"] for package in shown["packages"])


def _same(package: dict) -> dict:
    """What of a package must be the same on both sites: not its addresses, which name each
    site, nor its tags' ids (each site gives a tag its own, as CKAN does), nor its dates."""
    return {
        **{key: package[key] for key in SAME},
        "organization": package["organization"]["name"],
        "tags": sorted(tag["name"] for tag in package["tags"]),
        "groups": sorted((group["id"], group["name"]) for group in package["groups"]),
        "resources": [
            {
                **{key: resource[key] for key in SAME_FILE},
                "url": resource["url"] if resource["url_type"] is None else "(its own download)",
            }
            for resource in package["resources"]
        ],
    }


def _group_fields(group: dict) -> tuple:
    return (group["id"], group["name"], group["title"], group["description"])


def test_every_organisation_and_topic_is_copied_with_its_id(sites, mirror):
    b = RemoteCKAN(sites.b, user_agent=AGENT)
    copied = b.action.organization_list(all_fields=True, include_dataset_count=False)
    assert sorted(map(_group_fields, copied)) == sorted(map(_group_fields, mirror.organisations))
    copied = b.action.group_list(all_fields=True, include_dataset_count=False)
    assert sorted(map(_group_fields, copied)) == sorted(map(_group_fields, mirror.groups))
    assert len(mirror.organisations) > 1 and len(mirror.groups) > 1


def test_the_copies_are_drafts_that_match_the_originals(sites, mirror):
    assert [_same(d) for d in mirror.drafts] == [_same(d) for d in mirror.datasets]
    assert {(d["state"], d["private"]) for d in mirror.drafts} == {("draft", True)}
    linked = next(d for d in mirror.drafts if d["name"] == LINKED)
    assert [r["url"] for r in linked["resources"] if r["url_type"] is None] == [LINK]
    anonymous = RemoteCKAN(sites.b, user_agent=AGENT)
    assert anonymous.action.package_list() == []
    with pytest.raises(NotFound):
        anonymous.action.package_show(id=mirror.datasets[0]["id"])


@pytest.fixture(scope="module")
def published(sites, mirror) -> list[str]:
    """B's copies reviewed as the council would: the site administrator who loaded them
    submits each for review, and an admin of the organisation approves and publishes it."""
    with catalogue(sites.b_instance) as session:
        membership_set(
            session,
            actor=SETUP,
            account=find_account(session, REVIEWER),
            organisation=get_organisation(session, ORGANISATION),
            role="admin",
        )
    names = [d["name"] for d in mirror.datasets]
    loader, reviewer = Browser(sites.b, MIRROR), Browser(sites.b, REVIEWER)
    for name in names:
        loader.post(f"/publish/datasets/{name}/submit", {})
        reviewer.post(f"/publish/datasets/{name}/review", {"decision": "approve"})
        reviewer.post(f"/publish/datasets/{name}/publish", {"when": "now"})
    return names


class Browser:
    """Someone signed in to B's publishing pages, posting its forms with their CSRF token."""

    def __init__(self, base: str, email: str) -> None:
        self.base, self.session = base, requests.Session()
        self.token = self._token("/login")
        self.post("/login", {"email": email, "password": PASSWORD})
        self.token = self._token("/publish")  # a new session on sign-in has a new one

    def _token(self, page: str) -> str | None:
        shown = self.session.get(self.base + page, timeout=30)
        assert shown.status_code == 200, (page, shown.status_code)
        return csrf_token(parse_page(shown.text))

    def post(self, action: str, data: dict[str, str]) -> None:
        """Post a form; done, the page sends the browser on (a failure shows the form again)."""
        body = {**data, "csrf_token": self.token}
        done = self.session.post(self.base + action, data=body, allow_redirects=False, timeout=30)
        assert done.status_code == 302, (action, done.status_code, done.text)


def test_once_reviewed_on_b_the_public_sees_the_same_datasets_and_files(sites, mirror, published):
    anonymous = RemoteCKAN(sites.b, user_agent=AGENT)
    assert anonymous.action.package_list() == sorted(published)
    shown = [anonymous.action.package_show(id=d["id"]) for d in mirror.datasets]
    assert [_same(d) for d in shown] == [_same(d) for d in mirror.datasets]
    assert {(d["state"], d["private"]) for d in shown} == {("active", False)}
    files = [
        (original, copy)
        for package, copied in zip(mirror.datasets, shown, strict=True)
        for original, copy in zip(package["resources"], copied["resources"], strict=True)
        if original["url_type"] == "upload"
    ]
    assert len(files) > len(mirror.datasets)
    for original, copy in files:
        content = _download(copy["url"])
        assert content == _download(original["url"])
        assert copy["hash"] == f"sha256:{hashlib.sha256(content).hexdigest()}"
        assert copy["url"].startswith(sites.b + "/")


def _download(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def test_loading_again_changes_nothing(sites, mirror, published):
    b = RemoteCKAN(sites.b, apikey=sites.token, user_agent=AGENT)
    before = [b.action.package_show(id=d["id"]) for d in mirror.datasets]
    trails = [b.action.package_activity_list(id=d["id"]) for d in mirror.datasets]
    groups = [b.action.organization_list(all_fields=True), b.action.group_list(all_fields=True)]
    for thing in ("organizations", "groups"):
        load(sites, thing)
    load(sites, "datasets", "--upload-resources")
    assert [b.action.package_show(id=d["id"]) for d in mirror.datasets] == before
    assert [b.action.package_activity_list(id=d["id"]) for d in mirror.datasets] == trails
    assert [b.action.organization_list(all_fields=True), b.action.group_list(all_fields=True)] == (
        groups
    )
    assert _public(sites) == sorted(published)


def _public(sites: Sites) -> list[str]:
    """B's public datasets by its own visibility rule."""
    with catalogue(sites.b_instance) as session:
        return public_dataset_names(session)
