"""A database that is locked or down: a clean 503 with Retry-After, nothing half written,
and the service recovers by itself when the database is back, without a restart."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import select

from catalog.models import Activity
from tests.conftest import Catalogue
from tests.faults.conftest import editor_with_token
from tests.faults.databases import PrivateServer, build_app
from tests.pages import lede, parse_page, title
from tests.web.conftest import PASSWORD, Visitor

BUSY = "The database is busy or cannot be reached, so nothing was changed."


def _site(app):
    """A published dataset, an editor with an API token, and that editor's signed-in browser."""
    session = app.extensions["catalog"]["sessions"]()
    catalogue = Catalogue(app, session)
    catalogue.organisation()
    catalogue.dataset("school-places", title="School places", description="Places by school.")
    secret = editor_with_token(session, PASSWORD)
    catalogue.saved()
    session.close()
    browser = Visitor(app.test_client())
    browser.sign_in("erin@york.gov.uk")
    return browser, {"Authorization": f"Bearer {secret}"}


def _patch(client, token, notes):
    return client.post(
        "/api/3/action/package_patch", json={"id": "school-places", "notes": notes}, headers=token
    )


def _notes(client):
    shown = client.get("/api/3/action/package_show?id=school-places")
    return shown.json["result"]["notes"]


def _updates(app) -> list[str]:
    """The descriptions recorded by every dataset update in the activity log."""
    with app.extensions["catalog"]["sessions"]() as session:
        entries = session.scalars(select(Activity).where(Activity.action == "dataset.update"))
        return [entry.after["description"] for entry in entries]


def _assert_unavailable(response):
    assert response.status_code == 503
    # Whole seconds; under /api/ the rate limiter may push it to the end of its window.
    assert int(response.headers["Retry-After"]) >= 9
    if response.mimetype == "text/html":
        assert BUSY in lede(parse_page(response))
    else:
        assert BUSY in response.json["error"]["message"]


def test_a_locked_sqlite_database_gives_503_and_recovers_when_released(tmp_path):
    app = build_app(tmp_path / "instance")
    browser, token = _site(app)
    client = app.test_client()
    holder = sqlite3.connect(tmp_path / "instance" / "catalogue.sqlite", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        refused = _patch(client, token, "Changed while locked.")
        _assert_unavailable(refused)
        assert refused.json["error"]["status"] == 503
        edit = "/publish/datasets/school-places/edit"
        form = {"title": "Renamed while locked", "organisation": "children-education"}
        page = browser.submit(edit, form, follow=False)
        _assert_unavailable(page)
        shown = parse_page(page)
        assert title(shown) and "Try again in a few seconds" in lede(shown)
        assert client.get("/datasets/school-places").status_code == 200  # readers carry on
    finally:
        holder.rollback()
        holder.close()
    assert _notes(client) == "Places by school."
    assert _patch(client, token, "Changed after.").status_code == 200
    assert _notes(client) == "Changed after."
    assert _updates(app) == ["Changed after."]


@pytest.fixture
def server():
    made = PrivateServer()
    made.start()
    yield made
    made.remove()


def test_postgresql_going_down_gives_503_and_the_app_recovers_when_it_is_back(tmp_path, server):
    app = build_app(tmp_path / "instance", server.url)
    browser, token = _site(app)
    client = app.test_client()
    assert client.get("/datasets/school-places").status_code == 200
    server.stop()
    try:
        _assert_unavailable(client.get("/datasets/school-places"))
        _assert_unavailable(client.get("/datasets?q=school"))
        _assert_unavailable(browser.get("/publish"))
        api = client.get("/api/3/action/package_show?id=school-places")
        _assert_unavailable(api)
        assert api.json["error"]["status"] == 503
        _assert_unavailable(_patch(client, token, "Changed while down."))
    finally:
        server.start()
    assert client.get("/datasets/school-places").status_code == 200
    assert browser.get("/publish").status_code == 200
    assert _notes(client) == "Places by school."
    assert _patch(client, token, "Changed after.").status_code == 200
    assert _notes(client) == "Changed after."
    assert _updates(app) == ["Changed after."]
    app.extensions["catalog"]["engine"].dispose()


def test_other_database_errors_are_still_faults_not_busy(tmp_path):
    app = build_app(tmp_path / "instance")
    with sqlite3.connect(tmp_path / "instance" / "catalogue.sqlite") as broken:
        broken.execute("ALTER TABLE tag RENAME TO tag_lost")
    answer = app.test_client().get("/api/3/action/tag_list")
    assert answer.status_code == 500
    assert answer.json["error"]["message"] == "Try again later. The problem has been logged."
