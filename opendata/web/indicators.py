"""KPI pages: the indicators index, an indicator with its chart and table, theme scorecards,
and the embeddable SVG charts."""

from __future__ import annotations

import hashlib

from flask import Blueprint, Response, render_template, request, url_for

from catalog.indicators.scorecard import (
    RAG_LABELS,
    SORTS,
    get_public_indicator,
    published_figures,
    scorecard,
    summarise,
)
from catalog.indicators.series import FREQUENCIES
from catalog.publishing.groups import get_topic, organisations_with_counts, topics_with_counts
from opendata.charts import line_chart_svg, sparkline_svg
from opendata.database import get_session, get_store
from opendata.web.kpi_charts import chart_data

bp = Blueprint("indicators", __name__)

SORT_LABELS = {
    "ref": "Reference",
    "title": "Title",
    "rag": "Status (off target first)",
    "direction": "Direction of travel",
}


def _filters() -> dict[str, str]:
    names = ("q", "theme", "organisation", "frequency", "rag", "sort")
    return {name: request.args.get(name, "").strip() for name in names}


@bp.get("/indicators")
def index():
    chosen = _filters()
    summaries = scorecard(
        get_session(),
        get_store(),
        text=chosen["q"],
        theme=chosen["theme"] or None,
        organisation=chosen["organisation"] or None,
        frequency=chosen["frequency"] or None,
        rag=chosen["rag"] or None,
        sort=chosen["sort"] or "ref",
    )
    return render_template(
        "indicators.html", summaries=summaries, chosen=chosen, **_choices(get_session())
    )


@bp.get("/indicators/themes/<name>")
def theme(name: str):
    session = get_session()
    topic = get_topic(session, name)
    chosen = _filters()
    summaries = scorecard(
        session,
        get_store(),
        theme=topic.name,
        organisation=chosen["organisation"] or None,
        sort=chosen["sort"] or "ref",
    )
    return render_template(
        "scorecard.html", topic=topic, summaries=summaries, chosen=chosen, **_choices(session)
    )


@bp.get("/indicators/<ref>")
def show(ref: str):
    summary = _summary(ref)
    return render_template(
        "indicator.html",
        indicator=summary.indicator,
        summary=summary,
        chart=line_chart_svg(chart_data(summary)),
        embed_url=url_for("indicators.chart", ref=ref, _external=True),
    )


@bp.get("/indicators/<ref>/chart.svg")
def chart(ref: str):
    return _svg(line_chart_svg(chart_data(_summary(ref))))


@bp.get("/indicators/<ref>/sparkline.svg")
def sparkline(ref: str):
    return _svg(sparkline_svg(chart_data(_summary(ref))))


def _summary(ref: str):
    indicator = get_public_indicator(get_session(), ref)
    return summarise(indicator, published_figures(indicator, get_store()))


def _svg(svg: str) -> Response:
    """An SVG others may embed, with an ETag so caches and browsers can revalidate cheaply."""
    response = Response(svg, mimetype="image/svg+xml")
    response.set_etag(hashlib.sha256(svg.encode("utf-8")).hexdigest())
    response.cache_control.public = True
    response.cache_control.max_age = 300
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.make_conditional(request)
    return response


def _choices(session) -> dict:
    """The options of each filter, as (value, label) pairs."""
    rags = [*RAG_LABELS.items(), ("none", "No target")]
    return {
        "choices": {
            "themes": [(t.name, t.title) for t, _ in topics_with_counts(session)],
            "organisations": [(o.name, o.title) for o, _ in organisations_with_counts(session)],
            "frequencies": [(f, f.replace("_", " ").capitalize()) for f in FREQUENCIES],
            "rags": rags,
            "sorts": [(value, SORT_LABELS[value]) for value in SORTS],
        }
    }
