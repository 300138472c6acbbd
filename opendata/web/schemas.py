"""The public Table Schemas: a list, a readable page for each, and the JSON to download."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request

from catalog.tables.schema_words import missing_value_words, primary_key
from catalog.tables.schemas import list_schemas, load_schema

bp = Blueprint("schemas", __name__)


@bp.get("/schemas")
def index():
    return render_template("schemas.html", schemas=list_schemas())


@bp.get("/schemas/<name>")
def show(name: str):
    schema = load_schema(name)
    return render_template(
        "schema.html",
        name=name,
        schema=schema,
        primary_key=primary_key(schema),
        missing_values=missing_value_words(schema),
    )


@bp.get("/schemas/<name>.json")
def download(name: str):
    response = jsonify(load_schema(name))
    response.add_etag()
    response.cache_control.public = True
    response.cache_control.max_age = 300
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response.make_conditional(request)
