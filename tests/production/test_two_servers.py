"""Two app servers sharing nothing but PostgreSQL, the object store and Redis, as behind a load
balancer: real gunicorn processes with instance folders of their own, and an `opendata
worker` process beside them. Whatever one server does, the other shows at once, and every
allowance is counted across both.

It needs PostgreSQL (OPENDATA_TEST_DATABASE_URL, which CI sets); the object store is moto's
server (`tests.s3_server`), Redis the one on 127.0.0.1:6379, in a database of the test's own
that it empties first."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, timedelta
from pathlib import Path

import pytest
import redis
import requests
from sqlalchemy import select

from catalog.accounts.users import actor_for
from catalog.clock import utcnow
from catalog.models import Account, Dataset
from catalog.publishing.workflow import dataset_publish
from tests.conftest import POSTGRES_URL, Catalogue, fresh_environ, initialised_app
from tests.live_server import gunicorn_serving, instance_env, run_opendata
from tests.pages import (
    csrf_token,
    find_link,
    heading,
    listed_datasets,
    parse_page,
    summary_list,
    summary_lists,
)
from tests.web.conftest import PASSWORD, People
from tests.web.test_publishing import DETAILS, MEALS

REDIS_URL = "redis://127.0.0.1:6379/11"  # this test's own database, emptied before and after
PLACES = b"School,Places\nAcomb Primary,420\nFishergate Primary,315\n"
PLACES_DETAILS = {**DETAILS, "title": "School places", "name": "school-places"}
API_LIMIT = 20  # an hour, per client address: the test's own calls come from elsewhere
PROXY = {"X-Forwarded-For": "203.0.113.9"}  # the address the reverse proxy says it serves

pytestmark = pytest.mark.skipif(
    not POSTGRES_URL,
    reason="Two app servers share one PostgreSQL database: set OPENDATA_TEST_DATABASE_URL "
    "(CI does) to run this test.",
)


@dataclass
class Browser:
    """One person's browser, whose requests the load balancer sends to either server: the
    same cookies go to both, as they do behind one address."""

    http: requests.Session

    def get(self, server: str, path: str, **options) -> requests.Response:
        return self.http.get(server + path, timeout=30, **options)

    def submit(self, server: str, page: str, data=None, *, to=None, files=None):
        """Open `page` and post its form (with its CSRF token) to `to`, on `server`."""
        shown = self.get(server, page)
        assert shown.status_code == 200, (server, page, shown.status_code)
        body = {**(data or {}), "csrf_token": csrf_token(parse_page(shown.text))}
        return self.http.post(server + (to or page), data=body, files=files, timeout=30)

    def sign_in(self, server: str, email: str, password: str = PASSWORD) -> requests.Response:
        return self.submit(server, "/login", {"email": email, "password": password})


def signed_in(server: str, email: str) -> Browser:
    browser = Browser(requests.Session())
    page = browser.sign_in(server, email)
    assert page.url.endswith("/publish"), page.text
    return browser


@dataclass
class Site:
    first: str
    second: str
    worker_env: dict[str, str]
    catalogue: Catalogue
    people: dict[str, Account]


@pytest.fixture
def site(tmp_path: Path, migrated_sqlite, s3):
    redis.Redis.from_url(REDIS_URL).flushdb()
    setup_env = fresh_environ("postgresql", tmp_path / "setup", migrated_sqlite)
    shared = {
        "OPENDATA_DATABASE_URL": setup_env["OPENDATA_DATABASE_URL"],
        "OPENDATA_SEARCH": "postgres",
        "OPENDATA_STORAGE_URL": s3.url("files"),
        "OPENDATA_REDIS_URL": REDIS_URL,
        "OPENDATA_RATE_LIMIT": f"{API_LIMIT} per hour",
        "OPENDATA_PROXY_HOPS": "1",
    }
    envs = {}
    for name in ("first", "second", "worker"):
        (tmp_path / name).mkdir()
        envs[name] = {**instance_env(tmp_path / name, "one secret for every server"), **shared}
    for app in initialised_app({**setup_env, **shared}):
        with app.extensions["catalog"]["sessions"]() as session:
            catalogue = Catalogue(app, session)
            catalogue.organisation()
            catalogue.topic()
            people = People(session)
            staff = {"erin": people.make("Erin Editor", "editor")}
            staff["ada"] = people.make("Ada Admin", "admin")
            servers = [(envs[name], tmp_path / name) for name in ("first", "second")]
            with gunicorn_serving(*servers) as (first, second):
                yield Site(first, second, envs["worker"], catalogue, staff)
    redis.Redis.from_url(REDIS_URL).flushdb()


def _check(page: requests.Response) -> str:
    """What the staff page's Check row says about the (first) file."""
    (file,) = [details for details in summary_lists(parse_page(page.text)) if "File" in details]
    return file["Check"]


def _draft_with_file(editor: Browser, server: str, details: dict, upload: tuple[str, bytes]) -> str:
    """A draft made and its file uploaded through `server`; its staff page's path."""
    created = editor.submit(server, "/publish/datasets/new", details)
    page = f"/publish/datasets/{details['name']}"
    assert created.url.endswith(page), created.text
    uploaded = editor.submit(
        server, page, {"title": details["title"]}, to=f"{page}/files", files={"file": upload}
    )
    assert uploaded.status_code == 200, uploaded.text
    return page


def test_two_servers_share_everything_through_the_database_the_store_and_redis(site):
    first, second = site.first, site.second
    editor = signed_in(first, site.people["erin"].email)
    meals = _draft_with_file(editor, first, DETAILS, ("meals.csv", MEALS))
    places = _draft_with_file(editor, first, PLACES_DETAILS, ("places.csv", PLACES))

    # Neither web server checks an upload: both say it waits for the worker.
    for server in (first, second):
        assert _check(editor.get(server, meals)).startswith("Being checked: 0 rows read so far")
    run_opendata(["worker", "--burst"], site.worker_env)
    for server in (first, second):
        assert _check(editor.get(server, places)).startswith("No problems 2 rows checked")

    # Four eyes across servers: submitted through the second, approved and published
    # through the first by an admin; the editor's session works on both.
    for page in (meals, places):
        submitted = editor.submit(second, page, to=f"{page}/submit")
        assert submitted.status_code == 200, submitted.text
    admin = signed_in(second, site.people["ada"].email)
    for page in (meals, places):
        approved = admin.submit(first, page, {"decision": "approve"}, to=f"{page}/review")
        assert summary_list(parse_page(approved.text))["Stage"] == "Approved"
    published = admin.submit(first, meals, {"when": "now"}, to=f"{meals}/publish")
    assert find_link(parse_page(published.text), "See the public page")

    # At once on the other server: found by search, and the file downloads byte for byte.
    public = requests.Session()
    found = parse_page(public.get(f"{second}/datasets?q=meal").text)
    assert listed_datasets(found) == ["School meals served"]
    dataset_page = parse_page(public.get(f"{second}/datasets/school-meals").text)
    assert heading(dataset_page) == "School meals served"
    download = next(a["href"] for a in dataset_page.select("a[href$='/download/meals.csv']"))
    assert public.get(second + download).content == MEALS
    api = public.get(f"{second}/api/3/action/package_search?q=meals").json()["result"]
    assert [package["name"] for package in api["results"]] == ["school-meals"]

    _a_scheduled_release_lifts_on_both_at_its_second(site, admin)
    _sign_in_failures_count_across_both(site)
    _api_requests_count_across_both(site)


def _a_scheduled_release_lifts_on_both_at_its_second(site: Site, admin: Browser) -> None:
    """Scheduled through one server for tomorrow; the publish form takes whole minutes, so
    the release is then moved to a few seconds ahead (as a scheduled release may be, until
    it happens) and both servers are watched as its second comes."""
    page = "/publish/datasets/school-places"
    tomorrow = (utcnow() + timedelta(days=1)).date()
    when = {"when": "later", "release_time": "09:30", "release-day": str(tomorrow.day)}
    when |= {"release-month": str(tomorrow.month), "release-year": str(tomorrow.year)}
    scheduled = admin.submit(site.second, page, when, to=f"{page}/publish")
    assert "Scheduled for" in summary_list(parse_page(scheduled.text))["Release"]
    session = site.catalogue.session
    dataset = session.scalar(select(Dataset).where(Dataset.name == "school-places"))
    ada = actor_for(site.people["ada"])
    release = utcnow() + timedelta(seconds=3)
    dataset_publish(session, actor=ada, dataset=dataset, at=release)
    site.catalogue.saved()
    moment = release.replace(tzinfo=UTC).timestamp()
    seen: dict[str, list[tuple[float, float, int]]] = {site.first: [], site.second: []}
    while time.time() < moment + 1.5:
        for server, answers in seen.items():
            asked = time.time()
            status = requests.get(f"{server}/datasets/school-places", timeout=30).status_code
            answers.append((asked, time.time(), status))
        time.sleep(0.05)
    for server, answers in seen.items():
        assert {status for _asked, _answered, status in answers} == {404, 200}, server
        for asked, answered, status in answers:
            if answered < moment:
                assert status == 404, f"{server} showed it {moment - answered:.2f} s early"
            if asked >= moment:
                assert status == 200, f"{server} still hid it {asked - moment:.2f} s after"
    for server in seen:
        listed = listed_datasets(parse_page(requests.get(f"{server}/datasets?q=places").text))
        assert listed == ["School places"]


def _sign_in_failures_count_across_both(site: Site) -> None:
    """Guesses at one account through both servers use up one allowance; past it, even the
    right password waits, on either server."""
    guesser = Browser(requests.Session())
    email = site.people["ada"].email
    for server in (site.first, site.second) * 2 + (site.first,):  # the allowance of 5
        assert guesser.sign_in(server, email, "a guess").status_code == 403
    for wait, server in ((1, site.second), (2, site.first)):  # each wait doubles the last
        time.sleep(wait + 0.1)
        assert guesser.sign_in(server, email, "a guess").status_code == 403
    owner = Browser(requests.Session())
    slowed = owner.sign_in(site.second, email)  # within the 4 seconds' wait now running
    assert slowed.status_code == 429 and int(slowed.headers["Retry-After"]) >= 1
    assert "Too many failed attempts to sign in" in slowed.text


def _api_requests_count_across_both(site: Site) -> None:
    """One client's API allowance is counted across both servers; another client's is its
    own."""
    for number in range(API_LIMIT):
        server = (site.first, site.second)[number % 2]
        answer = requests.get(f"{server}/api/3/action/status_show", headers=PROXY, timeout=30)
        assert answer.status_code == 200
    refused = requests.get(f"{site.second}/api/3/action/status_show", headers=PROXY, timeout=30)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert f"the limit is {API_LIMIT} per 1 hour" in refused.json()["error"]["message"]
    other = {"X-Forwarded-For": "203.0.113.10"}
    assert requests.get(f"{site.first}/api/3/action/status_show", headers=other, timeout=30).ok
