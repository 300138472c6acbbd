"""A column worked out from the file keeps its type when a few cells are bad, and those cells
are the errors in its report, as `frictionless validate` finds them with the same schema."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from frictionless import Schema, system, validate
from sqlalchemy import text

from catalog.models import TableStatus
from catalog.publishing.resources import version_schema_set
from catalog.tables.datastore.engine import datastore_for
from catalog.tables.reading import infer_schema
from tests.conftest import ACTOR

BAD_AMOUNTS = {7: "TBC", 31: "n/a", 64: "see note", 120: "12..50"}  # data row: cell
BAD_DATE = {45: "31/02/2026"}


def _spend(rows: int = 150) -> tuple[bytes, Decimal]:
    """A spend file as a finance system writes it, with a few bad cells, and the sum of the
    amounts that are good."""
    lines = ["Date,Supplier,Amount,Invoice"]
    total = Decimal(0)
    for row in range(1, rows + 1):
        pence = (row * 7919) % 500_000 + 50_000
        pounds = Decimal(pence) / 100
        amount = BAD_AMOUNTS.get(row) or f"£{pounds:,.2f}"
        if row not in BAD_AMOUNTS:
            total += pounds
        day = BAD_DATE.get(row) or f"2026-{row % 12 + 1:02d}-{row % 28 + 1:02d}"
        lines.append(f'{day},Supplier {row % 13},"{amount}",INV{row:05d}')
    return ("\n".join(lines) + "\n").encode("utf-8"), total


def _types(schema: dict) -> dict[str, tuple]:
    return {
        field["name"]: (field["type"], field.get("bareNumber", True), field.get("groupChar"))
        for field in schema["fields"]
    }


def _frictionless_type_errors(path: Path, schema: dict) -> list[tuple[int, str, str]]:
    with system.use_context(trusted=True):
        report = validate(str(path), schema=Schema.from_descriptor(schema))
    errors = report.to_descriptor()["tasks"][0]["errors"]
    return [(e["rowNumber"], e["fieldName"], e["cell"]) for e in errors]


def test_a_money_column_with_a_few_bad_cells_stays_money_and_reports_them(
    catalogue, session, tmp_path
):
    content, total = _spend()
    dataset = catalogue.dataset("spend", files={"spend.csv": content}, publish=False)
    version = dataset.resources[0].latest
    assert _types(version.table_schema) == {
        "Date": ("date", True, None),
        "Supplier": ("string", True, None),
        "Amount": ("number", False, ","),
        "Invoice": ("string", True, None),
    }
    table = version.data_table
    assert table.status == TableStatus.LOADED and not version.cleared
    ours = [(e["rowNumber"], e["fieldName"], e["cell"]) for e in table.report["tasks"][0]["errors"]]
    expected = sorted(
        [(row + 1, "Amount", cell) for row, cell in BAD_AMOUNTS.items()]
        + [(row + 1, "Date", cell) for row, cell in BAD_DATE.items()]
    )
    assert sorted(ours) == expected
    path = tmp_path / "spend.csv"
    path.write_bytes(content)
    assert sorted(_frictionless_type_errors(path, version.table_schema)) == expected

    datastore = datastore_for(session)
    name = f'{datastore.schema}."{table.table_name}"' if datastore.schema else table.table_name
    with datastore.engine.connect() as connection:
        count, summed = connection.execute(text(f"SELECT COUNT(*), SUM(c2) FROM {name}")).one()
    assert count == table.row_count == 150
    assert round(Decimal(str(summed)), 2) == total


def test_the_publisher_can_still_call_the_column_text(catalogue, session):
    content, _total = _spend()
    dataset = catalogue.dataset("spend", files={"spend.csv": content}, publish=False)
    version = dataset.resources[0].latest
    as_text = [{**field, "type": "string"} for field in version.table_schema["fields"]]
    version_schema_set(
        session,
        store=catalogue.store,
        actor=ACTOR,
        version=version,
        table_schema={**version.table_schema, "fields": as_text},
    )
    catalogue.saved()
    assert version.data_table.error_count == 0 and version.cleared


def _inferred(tmp_path: Path, header: str, cells: list[str]) -> dict:
    path = tmp_path / "column.csv"
    path.write_text("\n".join([header, *(f'"{cell}"' for cell in cells)]) + "\n", encoding="utf-8")
    return infer_schema(path)["fields"][0]


def test_a_column_mostly_not_numbers_stays_text(tmp_path):
    cells = [str(n) for n in range(80)] + [f"Ward {n}" for n in range(20)]
    assert _inferred(tmp_path, "Ward", cells)["type"] == "string"


def test_codes_with_digits_in_them_are_not_money(tmp_path):
    cells = [f"INV{n:05d}" for n in range(100)]
    assert _inferred(tmp_path, "Invoice", cells)["type"] == "string"


def test_decimals_late_in_a_column_of_whole_numbers_make_it_a_number(tmp_path):
    cells = [str(n) for n in range(950)] + [f"{n}.5" for n in range(50)]
    assert _inferred(tmp_path, "Count", cells) == {"name": "Count", "type": "number"}


def test_whole_numbers_with_a_bad_cell_stay_whole_numbers(tmp_path):
    cells = ["unknown"] + [str(n) for n in range(30)]
    assert _inferred(tmp_path, "Count", cells) == {"name": "Count", "type": "integer"}


def test_dates_written_day_first_are_dates(tmp_path):
    cells = [f"{n % 28 + 1:02d}/04/2026" for n in range(40)] + ["TBC"]
    assert _inferred(tmp_path, "Paid", cells) == {
        "name": "Paid",
        "type": "date",
        "format": "%d/%m/%Y",
    }


def test_a_blank_cell_is_missing_not_a_vote_against(tmp_path):
    cells = ["£1,250.00", "", "", "", "£20"]
    field = _inferred(tmp_path, "Amount", cells)
    assert (field["type"], field["bareNumber"], field["groupChar"]) == ("number", False, ",")


def test_an_upload_with_money_in_it_passes_when_every_cell_is_money(catalogue):
    content = 'Supplier,Amount\nAcme,"£1,250.00"\nOuse,-£20.50\nYork,780\n'.encode()
    dataset = catalogue.dataset("spend", files={"spend.csv": content})
    version = dataset.resources[0].latest
    assert version.cleared and version.data_table.error_count == 0
