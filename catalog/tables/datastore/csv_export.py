"""CSV exports of a query's rows, written as fast as each engine allows, byte for byte as
`csv_lines` writes them from Python values (UTF-8, `\\r\\n`, quotes only where needed,
formula-like text cells neutralised: see `catalog.tables.exports`).

On SQLite the export of a whole table (no filters, no sort, every column) is kept beside the
datastore as it is first written, and later ones are read from that file: a loaded table never
changes, its name is new on every load, and the file goes when the table is dropped. An
export in file order (no `_sort`) of two columns or more has SQLite write each row as one line
with `printf` (a third less time than Python's work on a million rows), and a batch of lines
goes out as it is unless a cell in it needs quoting or a float's text could differ from
Python's, when that batch alone is read again as values. Otherwise SQLite hands its rows to
Python's C `csv` writer in batches: booleans become their words in SQL, and a text column is
checked for formula-like cells batch by batch only when its index shows one somewhere in the
table (usually none does); on the `printf` path such a column's cells are made safe in SQL.
PostgreSQL writes the CSV itself with `COPY (SELECT ...) TO STDOUT`, each cell put in Python's
form in SQL. A float whose Python form SQL cannot be sure of (exponents, NaN, infinities) and a
text cell holding the marker character come through marked, and Python writes those few cells.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
import sqlite3
from collections.abc import Iterator
from functools import cache
from operator import itemgetter
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

from sqlalchemy import (
    ColumnElement,
    Connection,
    Float,
    Table,
    Text,
    and_,
    case,
    exists,
    func,
    literal,
    or_,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy import select as sql_select

from catalog.models import DataTable
from catalog.tables.datastore.engine import Datastore
from catalog.tables.datastore.query import (
    STREAM_BATCH,
    TIME_LIMIT_SECONDS,
    Query,
    conditions,
    query_segments,
    sql_table_of,
    sqlite_batches,
    stream_batches,
    time_limited,
)
from catalog.tables.datastore.tables import ROW, DataColumn
from catalog.tables.exports import FORMULA_STARTS, neutralised, safe_cell, safe_header

if TYPE_CHECKING:
    import psycopg

NON_TEXT = ("integer", "number", "boolean", "year")
KEPT_FOLDER = "exports"
FILE_CHUNK = 1024 * 1024
MARK = "\x01"
MARKED = re.compile(rb"\x01([FT])([^\x01]*)\x01")
SEPARATOR = "\x1f"  # between the cells of a line SQLite writes: no CSV of ours needs it
LINE_END = "\x1e"  # between the lines of a batch, until they are checked
PYTHON_WRITES = ('"', ",", "\r", "\n", MARK)  # a batch with any of these goes to Python
# A float in [1e-4, 1e15) is written in plain notation by Python, SQLite and PostgreSQL alike.
PLAIN_FLOATS = (1e-4, 1e15)


def csv_lines(columns: list[DataColumn], batches: Iterator[list[tuple]]) -> Iterator[str]:
    """CSV from Python values, a batch at a time: the form every export has."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(safe_header([column.name for column in columns]))
    text = _text_positions(columns)
    for rows in batches:
        writer.writerows(neutralised(rows, text))
        yield _drain(buffer)
    yield _drain(buffer)


def csv_export(
    datastore: Datastore,
    table: DataTable,
    query: Query,
    *,
    batch: int = STREAM_BATCH,
    time_limit: float = TIME_LIMIT_SECONDS,
) -> Iterator[bytes]:
    """Every row the query matches as UTF-8 CSV, in constant memory; the time limit applies
    to each batch (on PostgreSQL, to the whole COPY, scaled by the table's batches)."""
    if datastore.is_sqlite:
        written = _encoded(_sqlite_csv(datastore, table, query, batch, time_limit))
        if not _whole_table(table, query):
            return written
        kept = kept_export(datastore, table.table_name)
        try:
            return _file_chunks(kept.open("rb"))
        except FileNotFoundError:
            return _keeping(kept, written)
    if len(query.columns) == 1:  # COPY quotes a lone empty cell differently: not worth a path
        batches = stream_batches(datastore, table, query, batch=batch, time_limit=time_limit)
        return _encoded(csv_lines(query.columns, batches))
    limit = time_limit * max(1, table.row_count // batch)
    return _postgres_csv(datastore, table, query, limit)


def kept_export(datastore: Datastore, table_name: str) -> Path:
    """Where the CSV of a whole SQLite table is kept once written."""
    return Path(datastore.sqlite_file).with_name(KEPT_FOLDER) / f"{table_name}.csv"


def _whole_table(table: DataTable, query: Query) -> bool:
    every = [column["key"] for column in table.columns]
    asked = [column.key for column in query.columns]
    return not query.filters and query.sort is None and asked == every


def _file_chunks(handle: IO[bytes]) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(FILE_CHUNK):
            yield chunk


def _keeping(kept: Path, chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The chunks, written to `kept` as they pass; the file appears only once all are sent."""
    kept.parent.mkdir(exist_ok=True)
    partial = kept.with_name(f"{kept.name}.{secrets.token_hex(4)}.partial")
    try:
        with partial.open("wb") as out:
            for chunk in chunks:
                out.write(chunk)
                yield chunk
        partial.replace(kept)
    finally:
        partial.unlink(missing_ok=True)


def _sqlite_csv(datastore, table, query: Query, batch: int, time_limit: float) -> Iterator[str]:
    sql = sql_table_of(datastore, table)
    selected = [_sqlite_cell(sql, column) for column in query.columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(safe_header([column.name for column in query.columns]))
    yield _drain(buffer)
    with time_limited(datastore, time_limit) as (connection, renew):
        risky = _risky_positions(connection, sql, query.columns)
        if query.sort is None and len(query.columns) > 1 and _fifteen_digits():
            yield from _sqlite_lines(connection, sql, query, risky, batch, renew)
            return
        for segment, order in query_segments(sql, query, None):
            statement = sql_select(*selected).where(*conditions(sql, query), segment)
            for rows in sqlite_batches(connection, statement.order_by(*order), [], batch, renew):
                writer.writerows(neutralised(rows, risky) if risky else rows)
                yield _drain(buffer)


def _sqlite_lines(connection, sql: Table, query: Query, risky: list[int], batch: int, renew):
    """The rows in file order as lines SQLite writes itself (`_line`), a batch at a time,
    sent as they are unless something in the batch needs Python's csv writer: a quote, comma
    or line break in a cell (to be quoted), a cell SQLite cannot be sure to write as Python
    does (`MARK`), or a separator in a cell. Such a batch is read again as values and
    written by Python, as any other export is."""
    row = sql.c[ROW]
    where = conditions(sql, query)
    lines = sql_select(row, _line(sql, query.columns, risky)).where(*where).order_by(row)
    values = sql_select(*[_sqlite_cell(sql, column) for column in query.columns]).where(*where)
    separators = len(query.columns) - 1
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for rows in sqlite_batches(connection, lines, [], batch, renew):
        text = LINE_END.join(map(itemgetter(1), rows))
        if any(character in text for character in PYTHON_WRITES) or (
            text.count(SEPARATOR) != separators * len(rows) or text.count(LINE_END) != len(rows) - 1
        ):
            again = values.where(row >= rows[0][0], row <= rows[-1][0]).order_by(row)
            for found in sqlite_batches(connection, again, [], batch, renew):
                writer.writerows(neutralised(found, risky) if risky else found)
            yield _drain(buffer)
        else:
            yield text.replace(SEPARATOR, ",").replace(LINE_END, "\r\n") + "\r\n"


def _line(sql: Table, columns: list[DataColumn], risky: list[int]) -> ColumnElement[str]:
    """A row's cells joined by SEPARATOR as Python's csv writer gives them when none needs
    quoting, by one `printf` (a missing value is empty there); MARK for a cell only Python
    can be sure to write."""
    cells = [
        _line_cell(sql.c[column.key], column, position in risky)
        for position, column in enumerate(columns)
    ]
    return func.printf(literal(SEPARATOR.join(["%s"] * len(cells))), *cells)


def _line_cell(cell: ColumnElement[Any], column: DataColumn, risky: bool) -> ColumnElement[Any]:
    if column.type == "boolean":
        return case((cell.is_(None), None), (cell == 1, "True"), else_="False")
    if column.type in ("integer", "year"):
        return case((func.typeof(cell).in_(("integer", "null")), cell), else_=MARK)
    if column.type == "number":
        # SQLite writes a float with 15 significant digits: Python's shortest form wherever
        # they read back as the same float, as 15-digit decimals lie further apart than
        # floats do (see `_fifteen_digits`).
        size = func.abs(cell)
        low, high = PLAIN_FLOATS
        same = sql_cast(sql_cast(cell, Text), Float) == cell
        plain = and_(size < high, or_(size >= low, cell == 0), same)
        return case((cell.is_(None), None), (plain, cell), else_=MARK)
    if risky:
        formula = func.substr(cell, 1, 1).in_(FORMULA_STARTS)
        return case((formula, literal("'").concat(cell)), else_=cell)
    return cell


@cache
def _fifteen_digits() -> bool:
    """Whether this SQLite writes floats as text with 15 significant digits (3.40 does), as
    the lines `_line` writes take for granted."""
    with sqlite3.connect(":memory:") as probe:
        return probe.execute("SELECT CAST(0.30000000000000004 AS TEXT)").fetchone() == ("0.3",)


def _sqlite_cell(sql: Table, column: DataColumn) -> ColumnElement[Any]:
    cell = sql.c[column.key]
    if column.type == "boolean":  # SQLite holds 1 and 0; Python writes True and False
        return case((cell.is_(None), None), (cell == 1, "True"), else_="False")
    return cell


def _risky_positions(connection: Connection, sql: Table, columns: list[DataColumn]) -> list[int]:
    """The text columns with a cell anywhere that starts like a formula, found through each
    column's index (a range per starting character), so the rest skip the batch check."""
    positions = []
    for position in _text_positions(columns):
        column = columns[position]
        cell = sql.c[column.key]
        starts = [and_(cell >= start, cell < chr(ord(start) + 1)) for start in FORMULA_STARTS]
        if (
            not column.indexed
            or connection.execute(sql_select(exists().where(or_(*starts)))).scalar()
        ):
            positions.append(position)
    return positions


def _postgres_csv(datastore, table, query: Query, time_limit: float) -> Iterator[bytes]:
    sql = sql_table_of(datastore, table)
    selected = [_postgres_cell(sql, column).label(column.key) for column in query.columns]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(
        safe_header([column.name for column in query.columns])
    )
    yield _drain(buffer).encode()
    with time_limited(datastore, time_limit) as (connection, _renew):
        connection.execute(sql_select(func.set_config("extra_float_digits", "1", True)))
        driver = cast("psycopg.Connection[Any]", connection.connection.driver_connection)
        for segment, order in query_segments(sql, query, None):
            statement = sql_select(*selected).where(*conditions(sql, query), segment)
            compiled = statement.order_by(*order).compile(
                dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
            )
            copy_sql = f"COPY ({compiled}) TO STDOUT (FORMAT csv)"
            with driver.cursor() as cursor, cursor.copy(copy_sql, compiled.params) as copy:
                pending: list[bytes] = []
                for row in copy:
                    pending.append(bytes(row))
                    if len(pending) >= STREAM_BATCH:
                        yield _python_lines(b"".join(pending))
                        pending = []
                if pending:
                    yield _python_lines(b"".join(pending))


def _postgres_cell(sql: Table, column: DataColumn) -> ColumnElement[Any]:
    """A cell in the text Python's csv writer would give it; COPY then quotes as it does."""
    cell = sql.c[column.key]
    if column.type == "boolean":
        return case((cell.is_(None), None), (cell, "True"), else_="False")
    if column.type in ("integer", "year"):
        return cell
    if column.type == "number":
        text = sql_cast(cell, Text)
        low, high = PLAIN_FLOATS
        plain = and_(or_(cell == 0, func.abs(cell) >= low), func.abs(cell) < high)
        return case(
            (cell.is_(None), None),
            (and_(plain, cell == func.trunc(cell)), text + ".0"),
            (plain, text),
            else_=MARK + "F" + text + MARK,
        )
    hexed = func.encode(func.convert_to(cell, "UTF8"), "hex")
    formula = func.left(cell, 1).in_(FORMULA_STARTS)
    return case(
        (func.strpos(cell, MARK) > 0, MARK + "T" + hexed + MARK),
        (formula, literal("'") + cell),
        else_=func.nullif(cell, ""),
    )


def _python_lines(data: bytes) -> bytes:
    """COPY's CSV as Python writes it: `\\r\\n` after each row (not inside a quoted cell),
    and the marked cells in Python's form."""
    lines = _row_ends(data) if b'"' in data else data.replace(b"\n", b"\r\n")
    if MARK.encode() in lines:
        lines = MARKED.sub(_python_cell, lines)
    return lines


def _row_ends(data: bytes) -> bytes:
    """`\\n` becomes `\\r\\n` where it ends a row: where an even number of quotes precede it."""
    out = []
    inside = False
    for piece in data.split(b"\n")[:-1]:  # data ends with a row's end
        if piece.count(b'"') % 2:
            inside = not inside
        out += [piece, b"\n" if inside else b"\r\n"]
    return b"".join(out)


def _python_cell(match: re.Match[bytes]) -> bytes:
    kind, value = match.group(1), match.group(2)
    if kind == b"F":
        return repr(float(value)).encode()
    buffer = io.StringIO()
    text = bytes.fromhex(value.decode()).decode("utf-8")
    csv.writer(buffer, lineterminator="").writerow([safe_cell(text), ""])
    return buffer.getvalue()[:-1].encode()


def _encoded(chunks: Iterator[str]) -> Iterator[bytes]:
    for chunk in chunks:
        yield chunk.encode()


def _text_positions(columns: list[DataColumn]) -> list[int]:
    return [n for n, column in enumerate(columns) if column.type not in NON_TEXT]


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
