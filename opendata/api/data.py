"""`/api/data/<resource id>`: the rows of a published table, filtered, sorted and paged, and
full exports of the same query as CSV, JSON and NDJSON streamed in constant memory, and as an
Excel workbook (built in a temporary file, as a workbook is a zip written at its end).

The query-string vocabulary (`col__gt`, `_sort`, `_size`, `_next`, ...) is parsed by
`catalog.tables.datastore.query`; this module only reads the request and writes the response.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from itertools import chain
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, request, stream_with_context, url_for

from catalog.errors import Invalid
from catalog.names import row_number
from catalog.tables.datastore.csv_export import csv_export
from catalog.tables.datastore.engine import datastore_for
from catalog.tables.datastore.indexes import sorting_note
from catalog.tables.datastore.query import (
    Query,
    QueryTimeout,
    parse_query,
    run_query,
    stream_batches,
)
from catalog.tables.datastore.serving import served_table
from catalog.tables.exports import (
    TooManyRowsForExcel,
    check_fits_excel,
    write_xlsx,
)
from opendata.database import get_session
from opendata.errors import error_response
from opendata.public_cache import MAX_BYTES as WHOLE_BYTES

NON_TEXT = {"integer", "number", "boolean", "year"}

bp = Blueprint("data", __name__)

EXPORTS = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "ndjson": "application/x-ndjson",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
SPOOL_BYTES = 8 * 1024 * 1024
CHUNK_BYTES = 64 * 1024


@bp.errorhandler(QueryTimeout)
def _timeout(error: QueryTimeout):
    return _shared(error_response(503, error.message))


@bp.get("/api/data/<resource_id>")
def rows(resource_id: str):
    resource, version, table = _served(resource_id)
    etag = _etag(version, "json")
    if request.if_none_match.contains(etag):
        return _not_modified(etag)
    query = parse_query(table, _query_params())
    page = run_query(datastore_for(get_session()), table, query)
    next_url = _next_url(resource_id, page.next) if page.next else None
    body = {
        "resource": _describe(resource, version),
        "columns": [{"name": column.name, "type": column.type} for column in page.columns],
        "rows": _shaped(query, page.rows),
        "total": page.total,
        "total_is_exact": page.total_is_exact,
        "next": page.next,
        "next_url": next_url,
    }
    if note := sorting_note(query.sort.column if query.sort else None):
        body["notice"] = note
    response = _shared(jsonify(body), etag)
    if next_url:
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    return response


@bp.get("/api/data/<resource_id>.<any(csv, json, ndjson, xlsx):fmt>")
def export(resource_id: str, fmt: str):
    resource, version, table = _served(resource_id)
    etag = _etag(version, fmt)
    if request.if_none_match.contains(etag):
        return _not_modified(etag)
    query = parse_query(table, _query_params())
    datastore = datastore_for(get_session())
    if fmt == "csv":
        response = _small_whole(csv_export(datastore, table, query), EXPORTS[fmt])
    elif fmt == "xlsx":
        batches = stream_batches(datastore, table, query)
        try:
            check_fits_excel(_exact_total(table, query))
        except TooManyRowsForExcel as error:  # the query asked for too much: a bad request
            return _shared(error_response(400, error.message))
        response = Response(_workbook(query, batches), content_type=EXPORTS[fmt])
    else:
        batches = stream_batches(datastore, table, query)
        writer = {"json": _json_lines, "ndjson": _ndjson_lines}[fmt]
        response = _small_whole(writer(query, batches), EXPORTS[fmt])
    filename = f"{resource.dataset.name}-{resource.id}-v{version.number}.{fmt}"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _shared(response, etag)


def _served(resource_id: str):
    return served_table(get_session(), resource_id, version=_version_number())


def _version_number() -> int | None:
    text = request.args.get("version")
    if text is None:
        return None
    number = row_number(text)
    if number is None:
        raise Invalid(f"version must be a version number, not '{text}'.", field="version")
    return number


def _query_params() -> dict[str, list[str]]:
    """The query string without `version`, which picks the table rather than the rows."""
    return {name: values for name, values in request.args.lists() if name != "version"}


def _describe(resource, version) -> dict:
    return {
        "id": resource.id,
        "title": resource.title,
        "dataset": resource.dataset.name,
        "version": version.number,
        "version_url": url_for(
            "resources.version",
            name=resource.dataset.name,
            resource_id=resource.id,
            number=version.number,
            _external=True,
        ),
    }


def _shaped(query: Query, rows: list[tuple]) -> list:
    if query.shape == "arrays":
        return [list(row) for row in rows]
    names = [column.name for column in query.columns]
    return [dict(zip(names, row, strict=True)) for row in rows]


def _next_url(resource_id: str, token: str) -> str:
    params = [(name, value) for name, value in request.args.items(multi=True) if name != "_next"]
    query_string = urlencode([*params, ("_next", token)])
    return f"{url_for('data.rows', resource_id=resource_id, _external=True)}?{query_string}"


def _json_lines(query: Query, batches: Iterator[list[tuple]]) -> Iterator[str]:
    """One JSON array, written a row at a time."""
    separator = "[\n"
    for item in _items(query, batches):
        yield separator + item
        separator = ",\n"
    yield "[]\n" if separator == "[\n" else "\n]\n"


def _ndjson_lines(query: Query, batches: Iterator[list[tuple]]) -> Iterator[str]:
    for item in _items(query, batches):
        yield item + "\n"


def _items(query: Query, batches: Iterator[list[tuple]]) -> Iterator[str]:
    names = [column.name for column in query.columns]
    for row in chain.from_iterable(batches):
        value = list(row) if query.shape == "arrays" else dict(zip(names, row, strict=True))
        yield json.dumps(value, ensure_ascii=False)


def _small_whole(chunks: Iterator[str | bytes], content_type: str) -> Response:
    """An export of up to `WHOLE_BYTES` as one answer, with its length, which a shared cache
    (`opendata.public_cache`) can keep; a larger one streamed in constant memory, its first
    chunks with it. Most exports are of small tables, so most become whole answers."""
    pieces = (chunk.encode() if isinstance(chunk, str) else chunk for chunk in chunks)
    head: list[bytes] = []
    size = 0
    for piece in pieces:
        head.append(piece)
        size += len(piece)
        if size > WHOLE_BYTES:
            rest = _closing(chain(head, pieces), chunks)
            return Response(stream_with_context(rest), content_type=content_type)
    return Response(b"".join(head), content_type=content_type)


def _closing(pieces: Iterator[bytes], source: Iterator[str | bytes]) -> Iterator[bytes]:
    """`pieces`, then `source` closed within the request, even when the client leaves part
    way: `stream_with_context` closes only what it is given, and a chain cannot be closed,
    so the export's connection (and a COPY still running) would wait for the collector."""
    try:
        yield from pieces
    finally:
        close = getattr(source, "close", None)
        if close is not None:
            close()


def _exact_total(table, query: Query) -> int:
    counted = replace(query, size=1, after=None, exact_count=True)
    return run_query(datastore_for(get_session()), table, counted).total


def _workbook(query: Query, batches: Iterator[list[tuple]]) -> Iterator[bytes]:
    """The workbook is written whole (a zip is finished at its end), then sent from the
    temporary file."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 closed by _chunks
    try:
        write_xlsx(spool, [column.name for column in query.columns], batches)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return _chunks(spool)


def _chunks(spool) -> Iterator[bytes]:
    with spool:
        while chunk := spool.read(CHUNK_BYTES):
            yield chunk


def _etag(version, fmt: str) -> str:
    """The file's content and the exact query: the answer changes only when either does."""
    key = f"{version.sha256}|{fmt}|{request.query_string.decode('latin-1')}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _not_modified(etag: str) -> Response:
    return _shared(Response(status=304), etag)


def _shared(response: Response, etag: str | None = None) -> Response:
    """Any site may read the data; caches may keep it for a minute."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=60"
    if etag:
        response.set_etag(etag)
    return response
