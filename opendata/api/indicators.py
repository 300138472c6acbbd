"""`/api/indicators`: KPI series as JSON or CSV, with period filters."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request, url_for
from marshmallow import ValidationError

from catalog.indicators.scorecard import (
    get_public_indicator,
    published_figures,
    scorecard,
    select_figures,
    summarise,
)
from catalog.indicators.series import observations_csv
from catalog.names import slugify
from catalog.tables.exports import csv_text
from opendata.api.indicator_schemas import (
    IndicatorOut,
    ListArgs,
    ObservationOut,
    SeriesArgs,
    SummaryOut,
)
from opendata.database import get_session, get_store
from opendata.errors import error_response

bp = Blueprint("api_indicators", __name__)

LIST_COLUMNS = [
    "indicator", "title", "theme", "organisation", "unit", "polarity", "frequency",
    "latest_period", "latest_value", "latest_symbol", "latest_target", "direction", "rag",
]  # fmt: skip


@bp.errorhandler(ValidationError)
def _bad_query(error: ValidationError):
    messages = error.normalized_messages()
    where = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in messages.items())
    return error_response(400, f"Check the query string. {where}", field=next(iter(messages)))


@bp.get("/api/indicators")
def index():
    args = ListArgs().load(request.args)
    summaries = _page(args)
    body = {
        "count": summaries["count"],
        "page": args["page"],
        "per_page": args["per_page"],
        "next": summaries["next"],
        "results": SummaryOut(many=True).dump(summaries["items"]),
    }
    return jsonify(body)


@bp.get("/api/indicators.csv")
def index_csv():
    args = ListArgs().load(request.args)
    rows = [_list_row(summary) for summary in _summaries(args)]
    return _csv(csv_text(LIST_COLUMNS, rows), "indicators.csv")


def _list_row(summary) -> list:
    indicator, latest = summary.indicator, summary.latest
    return [
        indicator.ref,
        indicator.title,
        indicator.theme.name,
        indicator.organisation.name,
        indicator.unit,
        indicator.polarity,
        indicator.frequency,
        latest.period if latest else None,
        latest.value if latest else None,
        latest.symbol if latest else None,
        latest.target if latest else None,
        summary.direction_label,
        summary.rag,
    ]


@bp.get("/api/indicators/<ref>")
def show(ref: str):
    indicator, figures, observations = _series(ref)
    body = {
        "indicator": IndicatorOut().dump(indicator),
        "summary": SummaryOut(exclude=("indicator",)).dump(summarise(indicator, figures)),
        "observations": ObservationOut(many=True).dump(observations),
        "csv": url_for("api_indicators.show_csv", ref=ref, _external=True),
    }
    return jsonify(body)


@bp.get("/api/indicators/<ref>.csv")
def show_csv(ref: str):
    indicator, _, observations = _series(ref)
    filename = f"{slugify(indicator.ref)}-observations.csv"
    return _csv(observations_csv(indicator, observations), filename)


def _series(ref: str):
    args = SeriesArgs().load(request.args)
    indicator = get_public_indicator(get_session(), ref)
    figures = published_figures(indicator, get_store())
    chosen = select_figures(figures, start=args["from_"], end=args["to"], latest=args["latest"])
    return indicator, figures, chosen


def _summaries(args: dict) -> list:
    return scorecard(
        get_session(),
        get_store(),
        text=args["q"],
        theme=args["theme"] or None,
        organisation=args["organisation"] or None,
        frequency=args["frequency"] or None,
        rag=args["rag"] or None,
        sort=args["sort"] or "ref",
    )


def _page(args: dict) -> dict:
    """One page of the list; the CSV download has no pages, it holds every indicator."""
    summaries = _summaries(args)
    start = (args["page"] - 1) * args["per_page"]
    items = summaries[start : start + args["per_page"]]
    more = start + args["per_page"] < len(summaries)
    next_url = (
        url_for(
            "api_indicators.index", **{**request.args, "page": args["page"] + 1}, _external=True
        )
        if more
        else None
    )
    return {"count": len(summaries), "items": items, "next": next_url}


def _csv(text: str, filename: str) -> Response:
    response = Response(text, mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename={filename}"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
