"""Tables as councils save them: title rows, notes, two header rows, semicolons and decimal
commas, no header at all, a workbook with the table on its second sheet under a logo.

Each file is uploaded with its Frictionless dialect and schema; its report must list what
`frictionless validate` finds given the same file and descriptor (kinds, rows, fields), and
the rows loaded into the datastore must add up to the source's.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from frictionless import Resource, checks, system, validate
from openpyxl import Workbook
from sqlalchemy import text

from catalog.publishing.resources import Upload, resource_create
from catalog.tables.datastore.engine import datastore_for
from tests.conftest import ACTOR

# The source rows: supplier, amount in pounds, payments made.
SOURCE = [
    ("Rufforth Minibus Co-operative", 2937.88, 3),
    ("Ainsty Children's Homes Ltd", 23139.33, 1),
    ("Ouse Learning Academy Trust", 6605.33, 12),
    ("North Ings Resource Recovery Ltd", 24330.24, 2),
    ("Bishophill Books Ltd", 1234.5, 7),
]
FIELDS = [
    {"name": "supplier", "type": "string"},
    {"name": "amount", "type": "number"},
    {"name": "payments", "type": "integer"},
]


@dataclass
class Messy:
    """One file of the corpus, the descriptor it is published with, and what it holds."""

    filename: str
    content: bytes
    dialect: dict[str, Any]
    fields: list[dict[str, Any]] = field(default_factory=lambda: FIELDS)
    # (amount, payments) sums of the cells that read, and the rows loaded
    sums: tuple[float, int] = (
        sum(amount for _, amount, _ in SOURCE),
        sum(payments for *_, payments in SOURCE),
    )
    rows: int = len(SOURCE)


def _csv(lines: list[str]) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _plain_rows(delimiter: str = ",") -> list[str]:
    return [delimiter.join([f'"{name}"', f"{amount}", f"{paid}"]) for name, amount, paid in SOURCE]


def title_rows() -> Messy:
    """The York spend file: a title, a blank line and the period above its header; one amount
    typed as a word, reported on the row a spreadsheet shows it on."""
    rows = _plain_rows()
    rows[2] = '"Ouse Learning Academy Trust",TBC,12'
    lines = ["City of York Council,,", ",,", "Period: April 2026,,", "supplier,amount,payments"]
    return Messy(
        "title-rows.csv",
        _csv(lines + rows),
        {"headerRows": [4]},
        sums=(sum(amount for _, amount, _ in SOURCE) - 6605.33, sum(p for *_, p in SOURCE)),
    )


def comment_rows() -> Messy:
    """Notes marked with # between the rows, and a footnote row listed by number."""
    rows = _plain_rows()
    lines = [
        "supplier,amount,payments",
        *rows[:2],
        "# Figures for April are provisional",
        *rows[2:],
        "Source: Finance,,",
    ]
    return Messy("comment-rows.csv", _csv(lines), {"commentChar": "#", "commentRows": [8]})


def two_header_rows() -> Messy:
    """A heading over two rows, the top one spanning two columns, as merged cells save."""
    lines = ["Supplier,Spend,Spend", "name,amount,payments", *_plain_rows()]
    fields = [
        {"name": "Supplier name", "type": "string"},
        {"name": "Spend amount", "type": "number"},
        {"name": "payments", "type": "integer"},
    ]
    return Messy("two-header-rows.csv", _csv(lines), {"headerRows": [1, 2]}, fields=fields)


def semicolons_and_decimal_commas() -> Messy:
    """A European export: semicolons between cells, 1.234,50 for one thousand two hundred and
    thirty-four pounds fifty."""
    lines = ["supplier;amount;payments"]
    for name, amount, paid in SOURCE:
        whole, pence = f"{amount:,.2f}".split(".")
        lines.append(f"{name};{whole.replace(',', '.')},{pence};{paid}")
    fields = [
        FIELDS[0],
        {"name": "amount", "type": "number", "decimalChar": ",", "groupChar": "."},
        FIELDS[2],
    ]
    return Messy("decimal-commas.csv", _csv(lines), {"delimiter": ";"}, fields=fields)


def quoted_by_apostrophes() -> Messy:
    """Cells quoted with apostrophes, a backslash before a quote inside one, and a space
    after each delimiter."""
    lines = ["supplier, amount, payments"]
    for name, amount, paid in SOURCE:
        lines.append(f"'{name.replace(chr(39), chr(92) + chr(39))}', {amount}, {paid}")
    dialect = {
        "quoteChar": "'",
        "escapeChar": "\\",
        "doubleQuote": False,
        "skipInitialSpace": True,
    }
    return Messy("apostrophes.csv", _csv(lines), dialect)


def no_header() -> Messy:
    """Rows only: the schema names the columns."""
    return Messy("no-header.csv", _csv(_plain_rows()), {"header": False})


def second_sheet_under_a_logo() -> Messy:
    """A workbook with notes on its first sheet and the table on its second, below the row
    a logo sits on, and the last row's payments missing though required."""
    book = Workbook()
    notes = book.active
    notes.title = "About"
    notes.append(["Spend over £500, April 2026"])
    data = book.create_sheet("Data")
    data.row_dimensions[1].height = 60  # the logo's row: a picture, no cells
    data.cell(row=2, column=1, value="supplier")
    data.cell(row=2, column=2, value="amount")
    data.cell(row=2, column=3, value="payments")
    for name, amount, paid in SOURCE[:-1]:
        data.append([name, amount, paid])
    data.append([SOURCE[-1][0], SOURCE[-1][1]])
    buffer = io.BytesIO()
    book.save(buffer)
    required = {"name": "payments", "type": "integer", "constraints": {"required": True}}
    return Messy(
        "second-sheet.xlsx",
        buffer.getvalue(),
        {"excel": {"sheet": "Data"}, "headerRows": [2]},
        fields=[*FIELDS[:2], required],
        sums=(sum(amount for _, amount, _ in SOURCE), sum(p for *_, p in SOURCE[:-1])),
    )


CORPUS = [
    title_rows,
    comment_rows,
    two_header_rows,
    semicolons_and_decimal_commas,
    quoted_by_apostrophes,
    no_header,
    second_sheet_under_a_logo,
]


def frictionless_errors(folder: Path, messy: Messy) -> list[tuple]:
    """What `frictionless validate` reports for the file and its descriptor, as our checks
    check (duplicate rows included)."""
    descriptor = {
        "name": "messy",
        "path": messy.filename,
        "dialect": messy.dialect,
        "schema": {"fields": messy.fields},
    }
    with system.use_context(trusted=True):
        resource = Resource(descriptor, basepath=str(folder))
        report = validate(resource, checks=[checks.duplicate_row()])
    return sorted(map(tuple, report.flatten(["type", "rowNumber", "fieldNumber"])), key=str)


def loaded(session, table) -> tuple[int, float, int]:
    """Rows loaded, and the sums of the amount and payments columns."""
    datastore = datastore_for(session)
    name = f'{datastore.schema}."{table.table_name}"' if datastore.schema else table.table_name
    keys = {column["name"]: column["key"] for column in table.columns}
    amount, payments = (keys[f["name"]] for f in table.version.table_schema["fields"][1:])
    with datastore.engine.connect() as connection:
        count, total, paid = connection.execute(
            text(f"SELECT COUNT(*), SUM({amount}), SUM({payments}) FROM {name}")
        ).one()
    return count, round(total, 2), paid


@pytest.mark.parametrize("make", CORPUS, ids=lambda make: make.__name__)
def test_a_messy_file_reads_as_frictionless_reads_it(make, catalogue, session, tmp_path):
    messy = make()
    (tmp_path / messy.filename).write_bytes(messy.content)
    dataset = catalogue.dataset("spend", publish=False)
    resource = resource_create(
        session,
        store=catalogue.store,
        actor=ACTOR,
        dataset=dataset,
        title="Spend",
        upload=Upload(io.BytesIO(messy.content), messy.filename),
        table_schema={"fields": messy.fields},
        dialect=messy.dialect,
    )
    catalogue.saved()
    table = resource.latest.data_table
    report = table.report["tasks"][0]
    ours = sorted(
        ((e["type"], e.get("rowNumber"), e.get("fieldNumber")) for e in report["errors"]), key=str
    )
    assert ours == frictionless_errors(tmp_path, messy)
    assert loaded(session, table) == (messy.rows, round(messy.sums[0], 2), messy.sums[1])


def test_the_corpus_holds_errors_where_the_files_have_them(tmp_path):
    """The comparison above is not between two empty lists: where a file has a mistake,
    frictionless finds it on the row a spreadsheet shows it on."""
    found = {}
    for make in (title_rows, second_sheet_under_a_logo, comment_rows):
        messy = make()
        (tmp_path / messy.filename).write_bytes(messy.content)
        found[make.__name__] = frictionless_errors(tmp_path, messy)
    assert found == {
        "title_rows": [("type-error", 7, 2)],
        "second_sheet_under_a_logo": [("constraint-error", 7, 3)],
        "comment_rows": [],
    }
