"""Browsing by publisher and by Council Plan theme."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for

from catalog.publishing.groups import (
    get_organisation,
    get_topic,
    organisations_with_counts,
    topics_with_counts,
)
from catalog.search.finder import find_datasets
from opendata.database import get_search, get_session
from opendata.web.search import search_context
from opendata.web.search_args import search_query

bp = Blueprint("browse", __name__)


@bp.get("/organisations")
def organisations():
    return render_template("organisations.html", groups=organisations_with_counts(get_session()))


@bp.get("/organisations/<name>")
def organisation(name: str):
    group = get_organisation(get_session(), name)
    query = search_query(request.args, organisation=(group.name,))
    found = find_datasets(get_session(), get_search(), query)
    context = search_context(query, found, "browse.organisation", name=name)
    feed = url_for("feeds.organisation", name=group.name)
    return render_template("group.html", group=group, kind="organisation", feed=feed, **context)


@bp.get("/topics")
def topics():
    return render_template("topics.html", groups=topics_with_counts(get_session()))


@bp.get("/topics/<name>")
def topic(name: str):
    group = get_topic(get_session(), name)
    query = search_query(request.args, topic=(group.name,))
    found = find_datasets(get_session(), get_search(), query)
    context = search_context(query, found, "browse.topic", name=name)
    feed = url_for("feeds.topic", name=group.name)
    return render_template("group.html", group=group, kind="topic", feed=feed, **context)
