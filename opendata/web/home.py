from __future__ import annotations

from flask import Blueprint, render_template

from catalog.datasets import newest_datasets, recently_updated
from catalog.groups import topics_with_counts
from opendata.database import get_session

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    session = get_session()
    return render_template(
        "home.html",
        topics=topics_with_counts(session),
        newest=newest_datasets(session),
        updated=recently_updated(session),
    )
