"""A release scheduled while no worker runs: it appears everywhere at its second and not a
second before, with one release record, one activity entry and one search document, and
nothing has to run when the time comes. Publishing it again changes nothing.

A publishing run repeated with nothing new is in
tests/publishers/test_runs.py::test_running_twice_publishes_nothing_new."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from catalog.clock import frozen_at
from catalog.errors import Conflict
from catalog.models import Activity, Release, SearchEntry
from catalog.publishing.workflow import release_without_review
from catalog.search import SearchQuery
from tests.api.test_feeds import ATOM
from tests.conftest import ACTOR

SCHEDULED = datetime(2026, 12, 3, 9, 30)
CSV = b"ward,count\nGuildhall,12\nMicklegate,7\n"
SURFACES = [
    "/datasets/budget-2027",
    "/api/3/action/package_show?id=budget-2027",
    "/datasets?q=budget",
    "/api/3/action/package_search?q=budget",
    "/feeds/releases.atom",
    "/sitemap.xml",
    "/catalog.jsonld",
]


def _shows(client, url: str) -> bool:
    answer = client.get(url)
    return answer.status_code == 200 and "budget-2027" in answer.text


def _index_state(app, session) -> dict[str, int]:
    """What a write to the index would change: the Whoosh folder's files, or each PostgreSQL
    search entry's number, given anew whenever it is written."""
    if app.config["SETTINGS"].search == "postgres":
        return {id: seq for id, seq in session.execute(select(SearchEntry.id, SearchEntry.seq))}
    folder = app.config["SETTINGS"].search_path
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}


def _counted(session, model, dataset_id: str, *criteria) -> int:
    query = select(func.count()).select_from(model).where(model.dataset_id == dataset_id)
    return session.scalar(query.where(*criteria))


def test_a_scheduled_release_lifts_at_its_second_with_nothing_running(app, catalogue, client):
    with frozen_at(SCHEDULED - timedelta(days=1)):
        dataset = catalogue.dataset(
            "budget-2027", title="Budget 2027", files={"b.csv": CSV}, publish=SCHEDULED
        )
    session = catalogue.session
    index_before = _index_state(app, session)

    with frozen_at(SCHEDULED - timedelta(seconds=1)):
        assert [url for url in SURFACES if _shows(client, url)] == []
    with frozen_at(SCHEDULED):
        assert [url for url in SURFACES if not _shows(client, url)] == []

    assert _index_state(app, session) == index_before  # nothing was written when the time came
    assert _counted(session, Release, dataset.id) == 1
    assert _counted(session, Activity, dataset.id, Activity.action == "dataset.publish") == 1
    everything = SearchQuery(text="budget", include_unpublished=True)
    assert catalogue.search.search(everything).ids == [dataset.id]


def test_publishing_again_is_refused_and_records_nothing(app, catalogue, client):
    with frozen_at(SCHEDULED - timedelta(days=1)):
        dataset = catalogue.dataset("budget-2027", title="Budget 2027", publish=SCHEDULED)
        with pytest.raises(Conflict):
            release_without_review(
                catalogue.session, actor=ACTOR, dataset=dataset, at=SCHEDULED, source="test"
            )
        catalogue.session.rollback()
    session = catalogue.session
    assert _counted(session, Release, dataset.id) == 1
    assert _counted(session, Activity, dataset.id, Activity.action == "dataset.publish") == 1
    with frozen_at(SCHEDULED):
        feed = ET.fromstring(client.get("/feeds/releases.atom").data)
    titles = [entry.findtext(f"{ATOM}title") for entry in feed.iter(f"{ATOM}entry")]
    assert titles.count("Published: Budget 2027") == 1
