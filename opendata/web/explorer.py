"""The table explorer: every row of a published table, paged, filtered, sorted and with the
columns a person chooses, in the data API's own query language and without JavaScript.

The form's "new filter" row (column, operator, value) cannot name its own query parameter in
plain HTML, so it is sent as `_filter_column`/`_filter_op`/`_filter_value` and the page
redirects to the data API's form of the query (`col__op=value`), leaving out empty boxes:
the address a person shares is the one the API answers.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, redirect, render_template, request, url_for

from catalog.errors import NotFound
from catalog.tables.datastore.engine import datastore_for
from catalog.tables.datastore.serving import served_table
from opendata.database import get_session
from opendata.web.explorer_view import Params, explorer_for

bp = Blueprint("explorer", __name__)

NEW_FILTER = ("_filter_column", "_filter_op", "_filter_value")


@bp.get("/datasets/<name>/resources/<resource_id>/explore")
def explore(name: str, resource_id: str):
    session = get_session()
    resource, version, table = served_table(session, resource_id)
    if resource.dataset.name != name:
        raise NotFound(f"The dataset '{name}' has no file with the id '{resource_id}'.")
    page_url = url_for("explorer.explore", name=name, resource_id=resource_id)
    asked = list(request.args.items(multi=True))
    params = _data_api_params(asked, [column["name"] for column in table.columns])
    if params != asked:
        return redirect(f"{page_url}?{urlencode(params)}" if params else page_url)
    explorer = explorer_for(datastore_for(session), resource, table, params, page_url)
    return render_template(
        "explore.html",
        dataset=resource.dataset,
        resource=resource,
        version=version,
        explorer=explorer,
    ), (400 if explorer.error else 200)


def _data_api_params(asked: Params, columns: list[str]) -> Params:
    """The query as the data API writes it: the new filter row as `col__op=value`, no empty
    values, and no `_col` when every column is chosen."""
    params = [(key, value) for key, value in asked if key not in NEW_FILTER and value.strip()]
    chosen = {value for key, value in params if key == "_col"}
    if chosen >= set(columns):
        params = [(key, value) for key, value in params if key != "_col"]
    column, operator, value = (request.args.get(key, "") for key in NEW_FILTER)
    if column and value.strip():
        params.append((column if operator in ("", "exact") else f"{column}__{operator}", value))
    return params
