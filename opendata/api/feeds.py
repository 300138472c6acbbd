"""Atom feeds of the newest public releases, for feed readers and FOI watchers: the whole
site's, and one per publisher and per topic."""

from __future__ import annotations

from flask import Blueprint, Response, current_app

from catalog.clock import utcnow
from catalog.distribution.feeds import latest_releases
from catalog.publishing.groups import get_organisation, get_topic
from opendata.atom import releases_feed
from opendata.database import get_session

bp = Blueprint("feeds", __name__)


@bp.get("/feeds/releases.atom")
def releases():
    return _feed(latest_releases(get_session(), limit=50), "", "/feeds/releases.atom", "/")


@bp.get("/feeds/organisations/<name>.atom")
def organisation(name: str):
    session = get_session()
    publisher = get_organisation(session, name)
    entries = latest_releases(session, limit=50, organisation=publisher)
    path = f"/feeds/organisations/{publisher.name}.atom"
    return _feed(entries, publisher.title, path, f"/organisations/{publisher.name}")


@bp.get("/feeds/topics/<name>.atom")
def topic(name: str):
    session = get_session()
    chosen = get_topic(session, name)
    entries = latest_releases(session, limit=50, topic=chosen)
    return _feed(
        entries, chosen.title, f"/feeds/topics/{chosen.name}.atom", f"/topics/{chosen.name}"
    )


def _feed(entries, subject: str, path: str, page: str) -> Response:
    settings = current_app.config["SETTINGS"]
    title = f"{settings.site_name}: {subject}" if subject else settings.site_name
    body = releases_feed(
        entries,
        base_url=settings.base_url,
        title=title,
        self_url=settings.base_url + path,
        page_url=settings.base_url + page,
        now=utcnow(),
    )
    return Response(body, mimetype="application/atom+xml")
