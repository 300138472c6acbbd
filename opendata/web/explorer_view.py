"""What the table explorer page shows for one query string: the form (the filters in use, a
"contains" box per text column, a new filter, the columns to show), the page of rows with
sortable headings, where the page sits, value lists with counts, and the same view as
downloads, an API address and code to fetch it.

The query string is the data API's own (`col__op=value`, `_sort`, `_col`, `_next`...), so the
API address shown is the same query on `/api/data/<id>`.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask import url_for

from catalog.errors import Invalid
from catalog.models import DataTable, Resource
from catalog.tables.datastore.browsing import ValueCount, page_before, value_lists
from catalog.tables.datastore.engine import Datastore
from catalog.tables.datastore.indexes import sorting_note
from catalog.tables.datastore.query import OPERATORS, Page, Query, parse_query, run_query
from catalog.tables.datastore.tables import DataColumn
from opendata.web.explorer_cells import ShownColumn, cell_text, shown_columns

Params = list[tuple[str, str]]
OPERATOR_WORDS = {
    "exact": "is",
    "not": "is not",
    "contains": "contains",
    "startswith": "starts with",
    "gt": "is more than",
    "gte": "is at least",
    "lt": "is less than",
    "lte": "is at most",
    "in": "is one of (separate with commas)",
    "isnull": "is empty (true or false)",
}
VIEW_SETTINGS = ("_sort", "_sort_desc", "_size", "_count")
PAGE_ONLY = ("_next", "_size")


@dataclass(frozen=True)
class Heading:
    title: str
    href: str | None
    aria_sort: str


@dataclass(frozen=True)
class FilterInUse:
    param: str
    value: str
    words: str
    remove_href: str


@dataclass(frozen=True)
class ValueChoice:
    label: str
    count: int
    href: str
    selected: bool


@dataclass(frozen=True)
class ValueList:
    title: str
    choices: list[ValueChoice]


@dataclass(frozen=True)
class TextBox:
    param: str
    label: str
    value: str


@dataclass(frozen=True)
class Snippet:
    language: str
    code: str


@dataclass
class Explorer:
    columns: list[ShownColumn]
    chosen: list[str]
    operators: dict[str, str]
    text_boxes: list[TextBox]
    kept: Params
    filters: list[FilterInUse]
    error: str | None = None
    headings: list[Heading] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    caption: str = ""
    range_text: str = ""
    count_href: str | None = None
    sorting_note: str | None = None
    previous_href: str | None = None
    next_href: str | None = None
    value_lists: list[ValueList] = field(default_factory=list)
    downloads: dict[str, str] = field(default_factory=dict)
    api_url: str = ""
    snippets: list[Snippet] = field(default_factory=list)


def explorer_for(
    datastore: Datastore, resource: Resource, table: DataTable, params: Params, page_url: str
) -> Explorer:
    """The explorer for a query string; a query the data API would refuse shows its message
    above the form instead of the rows."""
    schema = table.version.table_schema or {}
    data_columns = [DataColumn.from_dict(column) for column in table.columns]
    columns = shown_columns(data_columns, schema)
    titles = {column.name: column.title for column in columns}
    try:
        query = parse_query(table, _grouped(params))
    except Invalid as error:
        return _form(columns, params, page_url, titles, set(), error=error.message)
    lists = value_lists(datastore, table, query)
    explorer = _form(columns, params, page_url, titles, set(lists))
    explorer.chosen = [column.name for column in query.columns]
    page = run_query(datastore, table, query)
    _fill_table(explorer, datastore, table, query, page, params, page_url, resource)
    explorer.value_lists = _value_lists(lists, columns, params, page_url)
    _fill_exports(explorer, resource, params)
    return explorer


def _grouped(params: Params) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for name, value in params:
        grouped.setdefault(name, []).append(value)
    return grouped


def _form(
    columns: list[ShownColumn],
    params: Params,
    page_url: str,
    titles: dict[str, str],
    listed: set[str],
    error: str | None = None,
) -> Explorer:
    """The form is built from the query string alone, so it shows even for a bad query."""
    boxed = [c for c in columns if c.is_text and c.name not in listed]
    box_params = {f"{column.name}__contains" for column in boxed}
    values = dict(params)
    filters = [
        FilterInUse(
            param=name,
            value=value,
            words=_filter_words(name, value, titles),
            remove_href=_href(page_url, [p for p in params if p != (name, value)], drop=PAGE_ONLY),
        )
        for name, value in params
        if not name.startswith("_")
    ]
    return Explorer(
        columns=columns,
        chosen=[value for name, value in params if name == "_col"],
        operators={op: OPERATOR_WORDS[op] for op in OPERATORS},
        text_boxes=[
            TextBox(
                f"{c.name}__contains", f"{c.title} contains", values.get(f"{c.name}__contains", "")
            )
            for c in boxed
        ],
        kept=[
            (name, value)
            for name, value in params
            if name not in box_params and name not in ("_col", "_next")
        ],
        filters=filters,
        error=error,
    )


def _filter_words(param: str, value: str, titles: dict[str, str]) -> str:
    """'Supplier name contains "Minster"', from the parameter as the data API reads it."""
    if param in titles:
        column, operator = param, "exact"
    else:
        column, _, operator = param.rpartition("__")
    title = titles.get(column, param)
    return f'{title} {OPERATOR_WORDS.get(operator, operator).split(" (")[0]} "{value}"'


def _fill_table(
    explorer: Explorer,
    datastore: Datastore,
    table: DataTable,
    query: Query,
    page: Page,
    params: Params,
    page_url: str,
    resource: Resource,
) -> None:
    shown = {column.name: column for column in explorer.columns}
    columns = [shown[column.name] for column in page.columns]
    explorer.headings = [_heading(column, query, params, page_url) for column in columns]
    explorer.rows = [
        [cell_text(value, column) for value, column in zip(row, columns, strict=True)]
        for row in page.rows
    ]
    before = page_before(datastore, table, query)
    start = before.rows + 1 if before else 1
    explorer.range_text = _range_text(start, len(page.rows), page)
    explorer.caption = f"{resource.title}: {explorer.range_text.lower()}"
    explorer.sorting_note = sorting_note(query.sort.column if query.sort else None)
    if not page.total_is_exact:
        explorer.count_href = _href(page_url, params, drop=("_count",), add=[("_count", "exact")])
    if before is not None:
        back = [("_next", before.token)] if before.token else []
        explorer.previous_href = _href(page_url, params, drop=("_next",), add=back)
    if page.next:
        explorer.next_href = _href(page_url, params, drop=("_next",), add=[("_next", page.next)])


def _range_text(start: int, shown: int, page: Page) -> str:
    if shown == 0:
        return "No rows match"
    if page.total_is_exact:
        return f"Rows {start:,} to {start + shown - 1:,} of {page.total:,}"
    total = f"about {_rounded(page.total):,} (within 1%)"
    return f"Rows {start:,} to {start + shown - 1:,} of {total}"


def _rounded(estimate: int) -> int:
    """An estimate to four significant figures: it is good to 1%, and rounding it to three
    could move it half as much again."""
    return round(estimate, 4 - len(str(estimate)))


def _heading(column: ShownColumn, query: Query, params: Params, page_url: str) -> Heading:
    """An indexed column's heading links to sorting by it, ascending first, then descending
    (also while its index is still being built: the page then says so)."""
    state = "none"
    if query.sort and query.sort.column.name == column.name:
        state = "descending" if query.sort.descending else "ascending"
    if not column.sortable:
        return Heading(column.title, None, state)
    target = "_sort_desc" if state == "ascending" else "_sort"
    href = _href(
        page_url, params, drop=("_sort", "_sort_desc", "_next"), add=[(target, column.name)]
    )
    return Heading(column.title, href, state)


def _value_lists(
    lists: dict[str, list[ValueCount]], columns: list[ShownColumn], params: Params, page_url: str
) -> list[ValueList]:
    shown = {column.name: column for column in columns}
    made = []
    for name, counts in lists.items():
        column = shown[name]
        choices = []
        for item in counts:
            raw = _raw(item.value)
            selected = (name, raw) in params
            others = [p for p in params if p[0] != name]
            chosen = [] if selected else [(name, raw)]
            href = _href(page_url, others, drop=PAGE_ONLY, add=chosen)
            label = cell_text(item.value, column) or "(empty)"
            choices.append(ValueChoice(label, item.count, href, selected))
        made.append(ValueList(column.title, choices))
    return made


def _raw(value) -> str:
    """A value as the query string writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _fill_exports(explorer: Explorer, resource: Resource, params: Params) -> None:
    """Downloads are the whole view (every page); the API address is this very page."""
    whole = [p for p in params if p[0] not in PAGE_ONLY]
    query_string = f"?{urlencode(whole)}" if whole else ""
    for fmt in ("csv", "json", "xlsx"):
        url = url_for("data.export", resource_id=resource.id, fmt=fmt, _external=True)
        explorer.downloads[fmt] = url + query_string
    api = url_for("data.rows", resource_id=resource.id, _external=True)
    explorer.api_url = api + (f"?{urlencode(params)}" if params else "")
    explorer.snippets = _snippets(explorer.api_url, explorer.downloads["csv"])


def _snippets(api_url: str, csv_url: str) -> list[Snippet]:
    quoted, api, csv_address = shlex.quote(api_url), json.dumps(api_url), json.dumps(csv_url)
    return [
        Snippet("curl", f"curl {quoted}"),
        Snippet(
            "Python (requests)",
            "import requests\n\n"
            f"url = {api}\nrows = []\n"
            "while url:  # each answer links to the next page\n"
            "    page = requests.get(url, timeout=30).json()\n"
            '    rows += page["rows"]\n'
            '    url = page["next_url"]',
        ),
        Snippet("Python (pandas)", f"import pandas as pd\n\ndata = pd.read_csv({csv_address})"),
        Snippet("R (readr)", f"library(readr)\n\ndata <- read_csv({csv_address})"),
        Snippet("R (jsonlite)", f"library(jsonlite)\n\npage <- fromJSON({api})\npage$rows"),
    ]


def _href(
    page_url: str,
    params: Params,
    *,
    drop: tuple[str, ...] = (),
    add: Sequence[tuple[str, str]] = (),
) -> str:
    """This page with the query string changed: the `drop` settings left out, `add` added."""
    kept = [p for p in params if p[0] not in drop] + list(add)
    return f"{page_url}?{urlencode(kept)}" if kept else page_url
