"""`/feeds/releases.atom`: the newest public releases, for feed readers and FOI watchers."""

from __future__ import annotations

from flask import Blueprint, Response, current_app

from catalog.clock import utcnow
from catalog.feeds import latest_releases
from opendata.atom import releases_feed
from opendata.database import get_session

bp = Blueprint("feeds", __name__)


@bp.get("/feeds/releases.atom")
def releases():
    settings = current_app.config["SETTINGS"]
    body = releases_feed(
        latest_releases(get_session(), limit=50),
        base_url=settings.base_url,
        title=settings.site_name,
        self_url=f"{settings.base_url}/feeds/releases.atom",
        now=utcnow(),
    )
    return Response(body, mimetype="application/atom+xml")
