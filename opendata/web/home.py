"""The home page: search, what was released last, the Council Plan scorecard and the topics."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from catalog.publishing.groups import topics_with_counts
from catalog.search.finder import recently_released
from opendata.database import get_search, get_session
from opendata.schema_org import catalog_json_ld

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    session = get_session()
    settings = current_app.config["SETTINGS"]
    return render_template(
        "home.html",
        topics=topics_with_counts(session),
        released=recently_released(session, get_search()),
        structured_data=catalog_json_ld(base_url=settings.base_url, site_name=settings.site_name),
    )
