"""Marshmallow schemas at the indicators API edge: what goes out, and what query strings mean."""

from __future__ import annotations

from flask import url_for
from marshmallow import Schema, fields, validate

MAX_PAGE = 100_000
MAX_PER_PAGE = 500
MAX_LATEST = 10_000


class ObservationOut(Schema):
    period = fields.String()
    period_start = fields.Date()
    period_end = fields.Date()
    value = fields.Float(allow_none=True)
    symbol = fields.String(allow_none=True)
    numerator = fields.Float(allow_none=True)
    denominator = fields.Float(allow_none=True)
    target = fields.Float(allow_none=True)
    benchmark_england = fields.Float(allow_none=True)
    benchmark_region = fields.Float(allow_none=True)
    benchmark_neighbours = fields.Float(allow_none=True)
    status = fields.String()
    note = fields.String()


class IndicatorOut(Schema):
    ref = fields.String()
    title = fields.String()
    definition = fields.String()
    method = fields.String()
    source = fields.String()
    unit = fields.String()
    decimals = fields.Integer()
    polarity = fields.String()
    collection_type = fields.String()
    frequency = fields.String()
    theme = fields.Function(lambda i: {"name": i.theme.name, "title": i.theme.title})
    organisation = fields.Function(
        lambda i: {"name": i.organisation.name, "title": i.organisation.title}
    )
    responsible_role = fields.String()
    url = fields.Function(lambda i: url_for("indicators.show", ref=i.ref, _external=True))
    api_url = fields.Function(lambda i: url_for("api_indicators.show", ref=i.ref, _external=True))
    dataset = fields.Function(
        lambda i: url_for("datasets.show", name=i.dataset.name, _external=True)
    )


class SummaryOut(Schema):
    """An indicator with its latest figure and derived status, as lists show it."""

    indicator = fields.Nested(IndicatorOut)
    latest = fields.Nested(ObservationOut, allow_none=True)
    summary = fields.String(attribute="sentence")
    direction = fields.Function(
        lambda s: (
            None
            if s.direction is None
            else {"movement": s.direction.movement, "judgement": s.direction.judgement}
        )
    )
    rag = fields.String(allow_none=True)


class ListArgs(Schema):
    q = fields.String(load_default="")
    rag = fields.String(load_default=None)
    sort = fields.String(load_default="ref")
    theme = fields.String(load_default=None)
    organisation = fields.String(load_default=None)
    frequency = fields.String(load_default=None)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PER_PAGE))


class SeriesArgs(Schema):
    from_ = fields.String(data_key="from", load_default=None)
    to = fields.String(load_default=None)
    latest = fields.Integer(load_default=None, validate=validate.Range(min=1, max=MAX_LATEST))
