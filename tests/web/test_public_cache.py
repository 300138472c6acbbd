"""Anonymous visitors are given kept answers, and never one older than the catalogue.

The cache is on in every test (the default); these tests are about what a visitor would notice
if it were wrong: a change that does not show at once, an embargo that does not lift at its
second, a signed-in page given to the public or a public page given to staff, a page whose
script no longer runs. Each page is asked for twice before the change, so the second answer
is a kept one, and again after it.
"""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta

import pytest
import redis

from catalog.clock import frozen_at
from catalog.public_changes import public_state
from catalog.publishing.groups import get_organisation, organisation_update
from catalog.publishing.resources import Upload, version_add
from catalog.publishing.workflow import dataset_withdraw
from catalog.tables.checks import check_version
from opendata.public_cache import RedisAnswers
from tests.conftest import ACTOR, Catalogue, initialised_app, own_session
from tests.web.conftest import People, Visitor

REDIS_URL = "redis://127.0.0.1:6379/13"
PLACES = b"school,places\nAcomb Primary,420\nFishergate Primary,315\n"
NONCE = re.compile(r'nonce="[^"]+"')
MORE_PLACES = b"school,places\nAcomb Primary,420\nFishergate Primary,315\nHaxby Road,281\n"


def _twice(client, url: str):
    """Ask as two visitors in a row would: the second is given the kept answer."""
    first, second = client.get(url), client.get(url)
    assert (second.status_code, _unique(second)) == (first.status_code, _unique(first)), url
    return second


def _unique(answer) -> str:
    """The answer less its script nonce, which is each request's own."""
    return NONCE.sub("", answer.text)


def _places(catalogue: Catalogue):
    return catalogue.dataset("school-places", title="School places", files={"p.csv": PLACES})


def _more_places(catalogue: Catalogue, resource, **options):
    """A new version of the places file, with a school the first lacks, saved."""
    upload = Upload(stream=io.BytesIO(MORE_PLACES), filename="p.csv")
    version = version_add(
        catalogue.session,
        store=catalogue.store,
        actor=ACTOR,
        resource=resource,
        upload=upload,
        **options,
    )
    return catalogue.saved(version)


def test_answers_are_kept_for_anonymous_visitors(app, client, catalogue):
    _places(catalogue)
    _twice(client, "/datasets/school-places")
    assert len(app.extensions["public_answers"]) > 0


def test_a_new_dataset_shows_at_once(client, catalogue):
    _places(catalogue)
    assert "School meals" not in _twice(client, "/datasets").text
    catalogue.dataset("school-meals", title="School meals")
    assert "School meals" in client.get("/datasets").text
    assert "School meals" in client.get("/api/3/action/package_search").text


def test_a_withdrawn_dataset_is_gone_at_once(client, catalogue):
    dataset = _places(catalogue)
    assert _twice(client, "/datasets/school-places").status_code == 200
    assert "School places" in _twice(client, "/api/3/action/package_search").text
    dataset_withdraw(catalogue.session, actor=ACTOR, dataset=dataset, reason="Wrong figures")
    catalogue.saved()
    assert client.get("/datasets/school-places").status_code == 410
    assert "School places" not in client.get("/api/3/action/package_search").text


def test_a_new_version_shows_at_once(client, catalogue):
    resource = _places(catalogue).resources[0]
    page = f"/datasets/school-places/resources/{resource.id}"
    assert "Haxby Road" not in _twice(client, page).text
    assert "Haxby Road" not in _twice(client, f"/api/data/{resource.id}").text
    latest = _twice(client, f"{page}/download")
    assert latest.status_code == 302 and latest.location == f"{page}/download/p.csv"
    assert client.get(latest.location).data == PLACES
    _more_places(catalogue, resource)
    assert "Haxby Road" in client.get(page).text
    assert "Haxby Road" in client.get(f"/api/data/{resource.id}").text
    latest = client.get(f"{page}/download")
    assert client.get(latest.location).data == MORE_PLACES


def test_a_file_shows_once_its_check_clears_it(client, catalogue):
    resource = _places(catalogue).resources[0]
    version = _more_places(catalogue, resource, check_now=False)
    page = f"/datasets/school-places/resources/{resource.id}"
    assert "Haxby Road" not in _twice(client, page).text
    check_version(catalogue.session, catalogue.store, version)
    catalogue.saved()
    assert "Haxby Road" in client.get(page).text


def test_a_rename_and_an_organisation_edit_show_at_once(client, catalogue):
    _places(catalogue)
    assert "Schools and Learning" not in _twice(client, "/datasets/school-places").text
    assert _twice(client, "/organisations").status_code == 200
    organisation = get_organisation(catalogue.session, "children-education")
    organisation_update(
        catalogue.session,
        actor=ACTOR,
        organisation=organisation,
        name="schools-and-learning",
        title="Schools and Learning",
        description="",
    )
    catalogue.saved()
    assert "Schools and Learning" in client.get("/datasets/school-places").text
    assert "Schools and Learning" in client.get("/organisations").text
    assert client.get("/organisations/schools-and-learning").status_code == 200


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_an_embargo_lifts_at_its_second_with_kept_answers(client, catalogue, offset):
    """Pages kept just before the release are not given out once its second has come, and
    nothing kept after it is given out before (a clock moved back)."""
    release = datetime(2031, 4, 1, 9, 30, 0)
    catalogue.dataset("budget-2031", title="Budget 2031", files={"b.csv": PLACES}, publish=release)
    earlier = release - timedelta(seconds=2)
    for moment in (earlier, release + timedelta(seconds=offset), earlier):
        with frozen_at(moment):
            for url in ("/datasets", "/api/3/action/package_search", "/datasets/budget-2031"):
                shown = "Budget 2031" in _twice(client, url).text
                assert shown is (moment >= release), (moment, url)


def test_a_scheduled_file_version_lifts_at_its_second(client, catalogue):
    resource = _places(catalogue).resources[0]
    release = datetime(2031, 4, 1, 9, 30, 0)
    _more_places(catalogue, resource, release_at=release)
    page = f"/datasets/school-places/resources/{resource.id}"
    with frozen_at(release - timedelta(seconds=1)):
        assert "Haxby Road" not in _twice(client, page).text
    with frozen_at(release):
        assert "Haxby Road" in _twice(client, page).text


def test_signed_in_staff_never_get_a_kept_page_nor_leave_one(app, client, catalogue):
    _places(catalogue)
    catalogue.dataset("draft-places", title="Draft places", publish=False)
    People(catalogue.session).make("Erin Editor", "editor")
    public = "/datasets/school-places"
    assert "Sign out" not in _twice(client, public).text
    staff = Visitor(app.test_client())
    staff.sign_in("erin-editor@york.gov.uk")
    assert "Sign out" in staff.get(public).text
    assert "Sign out" in staff.get(public).text
    assert "Sign out" not in client.get(public).text
    assert "Draft places" in staff.get("/publish").text
    assert client.get("/publish").status_code == 302


def test_signing_in_keeps_the_kept_answers_but_a_name_change_does_not(app, client, catalogue):
    """Anyone can fail to sign in as often as the rate limit lets them: that must not empty
    the cache for everyone. A change to an account, which pages may show, does."""
    _places(catalogue)
    account = People(catalogue.session).make("Erin Editor", "editor")
    catalogue.saved()

    def stamp() -> str:
        with app.extensions["catalog"]["sessions"]() as session:
            return public_state(session).key

    before = stamp()
    staff = Visitor(app.test_client())
    staff.sign_in("erin-editor@york.gov.uk", "not the password", follow=False)
    staff.sign_in("erin-editor@york.gov.uk")
    assert stamp() == before
    account.name = "Erin Editor-Smith"
    catalogue.saved()
    assert stamp() != before


def test_an_api_token_never_gets_a_kept_answer_nor_leaves_one(app, client, catalogue, runner):
    _places(catalogue)
    catalogue.dataset("draft-places", title="Draft places", publish=False)
    People(catalogue.session).make("Erin Editor", "editor")
    made = runner.invoke(args=["token", "create", "erin-editor@york.gov.uk", "script"])
    token = made.output.strip().splitlines()[-1].strip()
    url = "/api/3/action/package_search?include_private=true"
    assert "Draft places" not in _twice(client, url).text
    signed = client.get(url, headers={"Authorization": f"Bearer {token}"})
    assert "Draft places" in signed.text
    assert signed.headers["Cache-Control"] == "private, no-store"
    assert "Draft places" not in client.get(url).text


def test_a_kept_page_runs_its_script_with_this_requests_nonce(client, catalogue):
    _places(catalogue)
    nonces = []
    for _ in range(3):
        page = client.get("/datasets/school-places")
        (nonce,) = set(re.findall(r'nonce="([^"]+)"', page.text))
        assert f"'nonce-{nonce}'" in page.headers["Content-Security-Policy"]
        nonces.append(nonce)
    assert len(set(nonces)) == 3


def test_a_kept_api_answer_is_still_counted_and_revalidated(client, catalogue):
    _places(catalogue)
    first = client.get("/api/3/action/package_show?id=school-places")
    again = client.get("/api/3/action/package_show?id=school-places")
    remaining = int(again.headers["X-RateLimit-Remaining"])
    assert remaining == int(first.headers["X-RateLimit-Remaining"]) - 1
    etag = again.headers["ETag"]
    unchanged = client.get(
        "/api/3/action/package_show?id=school-places", headers={"If-None-Match": etag}
    )
    assert unchanged.status_code == 304


def test_a_small_download_and_export_are_kept_but_a_part_of_a_file_is_not(app, client, catalogue):
    resource = _places(catalogue).resources[0]
    download = f"/datasets/school-places/resources/{resource.id}/download/p.csv"
    answers = app.extensions["public_answers"]
    for url in (download, f"/api/data/{resource.id}.csv", f"/api/data/{resource.id}.json"):
        first = client.get(url)
        assert first.headers["Content-Length"] == str(len(first.data)), url
        kept = len(answers)
        assert client.get(url).data == first.data
        assert len(answers) == kept, url  # given the kept answer, not made and kept again
    part = client.get(download, headers={"Range": "bytes=7-12"})
    assert (part.status_code, part.data) == (206, PLACES[7:13])
    assert part.headers["Content-Range"] == f"bytes 7-12/{len(PLACES)}"


def test_a_large_export_is_streamed_and_not_kept(app, client, catalogue):
    rows = "".join(f"School number {n},{n % 900}\n" for n in range(25_000))
    files = {"all.csv": f"school,places\n{rows}".encode()}
    resource = catalogue.dataset("all-places", files=files).resources[0]
    answers = app.extensions["public_answers"]
    kept = len(answers)
    export = client.get(f"/api/data/{resource.id}.csv")
    assert export.status_code == 200 and "Content-Length" not in export.headers
    lines = export.text.splitlines()
    assert len(lines) == 25_001 and lines[-1] == "School number 24999,699"
    assert len(answers) == kept


def test_the_cache_can_be_turned_off(environ):
    app = next(initialised_app({**environ, "OPENDATA_PUBLIC_CACHE": "off"}))
    assert "public_answers" not in app.extensions
    app.extensions["catalog"]["engine"].dispose()


@pytest.fixture
def two_servers(environ):
    """Two apps on one database sharing a Redis cache, as two servers behind a balancer."""
    shared = {**environ, "OPENDATA_REDIS_URL": REDIS_URL}
    first, second = initialised_app(shared), initialised_app(shared)
    apps = next(first), next(second)
    yield apps
    for made in (first, second):
        next(made, None)


def test_two_servers_share_kept_answers_and_both_see_a_change_at_once(two_servers):
    one, two = two_servers
    assert isinstance(two.extensions["public_answers"], RedisAnswers)
    with one.extensions["catalog"]["sessions"]() as session:
        catalogue = Catalogue(one, own_session(one, session))
        catalogue.organisation()
        catalogue.topic()
        _places(catalogue)
        for app in (one, two, one, two):
            assert "School meals" not in app.test_client().get("/datasets").text
        catalogue.dataset("school-meals", title="School meals")
        for app in (two, one):
            assert "School meals" in app.test_client().get("/datasets").text
    keys = redis.Redis.from_url(REDIS_URL).keys(RedisAnswers.PREFIX + "*")
    assert keys
