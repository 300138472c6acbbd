"""A publisher's workbook reads as the CSV they would have saved; a hostile one is refused."""

from __future__ import annotations

import time
import tracemalloc
import zipfile
from datetime import date, datetime
from datetime import time as clock

import pytest
from openpyxl import Workbook

from catalog.errors import Invalid
from catalog.tables.spreadsheets import xlsx_rows

HEADER = ["transaction_number", "date", "supplier", "amount", "paid", "expense_type"]


def save_workbook(path, rows, *, first_sheet_title="Spend"):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = first_sheet_title
    for row in rows:
        sheet.append(row)
    workbook.create_sheet("Notes").append(["Not the data: only the first sheet is read"])
    workbook.save(path)
    return path


def test_cells_read_as_a_person_would_have_typed_them(tmp_path):
    path = save_workbook(
        tmp_path / "spend.xlsx",
        [
            HEADER,
            [1001, date(2024, 4, 2), "Biffa Municipal Ltd", 1234.56, True, "Waste collection"],
            [1002, datetime(2024, 4, 3, 14, 30, 5), "Café Concerto", 12.0, False, None],
            [1003, None, "York Museums Trust", 0.1, None, "Grants"],
            [1004, clock(9, 15), "Kier Highways Ltd", -350, True, "Highways"],
        ],
    )
    assert list(xlsx_rows(path)) == [
        HEADER,
        ["1001", "2024-04-02", "Biffa Municipal Ltd", "1234.56", "true", "Waste collection"],
        ["1002", "2024-04-03T14:30:05", "Café Concerto", "12", "false", ""],
        ["1003", "", "York Museums Trust", "0.1", "", "Grants"],
        ["1004", "09:15:00", "Kier Highways Ltd", "-350", "true", "Highways"],
    ]


def test_empty_cells_are_dropped_only_beyond_the_header(tmp_path):
    """A stray cell far to the right widens Excel's used range; other rows do not grow with it."""
    workbook = Workbook()
    sheet = workbook.active
    for row in [["ward", "amount", "note"], ["Guildhall", 10, None], ["Clifton", None, "late"]]:
        sheet.append(row)
    sheet["F4"] = "stray"
    sheet.append(["Heworth", 5, "ok"])
    workbook.save(tmp_path / "wards.xlsx")
    assert list(xlsx_rows(tmp_path / "wards.xlsx")) == [
        ["ward", "amount", "note"],
        ["Guildhall", "10", ""],
        ["Clifton", "", "late"],
        ["", "", "", "", "", "stray"],
        ["Heworth", "5", "ok"],
    ]


def test_a_formula_gives_its_cached_value(tmp_path):
    """Excel saves each formula's last result; openpyxl cannot, so the test writes one in."""
    path = save_workbook(tmp_path / "written.xlsx", [["amount", "doubled"], [2, "=A2*2"]])
    cached = tmp_path / "cached.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(cached, "w") as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<f>A2*2</f><v />", b"<f>A2*2</f><v>4</v>")
            target.writestr(member, data)
    assert list(xlsx_rows(cached)) == [["amount", "doubled"], ["2", "4"]]


def test_a_formula_without_a_cached_value_reads_as_empty(tmp_path):
    """Workbooks written by openpyxl (not by Excel) carry formulas with no saved result."""
    path = save_workbook(tmp_path / "formula.xlsx", [["amount", "doubled"], [2, "=A2*2"]])
    assert list(xlsx_rows(path)) == [["amount", "doubled"], ["2", ""]]


def test_a_zip_bomb_is_refused_before_it_is_inflated(tmp_path):
    path = tmp_path / "bomb.xlsx"
    zeros = bytes(1024 * 1024)
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/worksheets/sheet1.xml", "w") as member,
    ):
        for _ in range(200):
            member.write(zeros)
    assert path.stat().st_size < 1024 * 1024
    started = time.perf_counter()
    with pytest.raises(Invalid, match="expands 1,0[0-9]{2} times") as raised:
        next(xlsx_rows(path))
    assert time.perf_counter() - started < 0.5
    assert raised.value.field == "file"


def test_a_workbook_larger_than_the_limit_unzipped_is_refused(tmp_path):
    path = save_workbook(tmp_path / "spend.xlsx", [HEADER, [1001, date(2024, 4, 2)]])
    with pytest.raises(Invalid, match="expands to more than 0 MB"):
        next(xlsx_rows(path, max_unzipped_bytes=1000))


def test_a_sheet_with_too_many_cells_is_refused(tmp_path):
    path = save_workbook(tmp_path / "spend.xlsx", [HEADER, HEADER, HEADER])
    rows = xlsx_rows(path, max_cells=12)
    assert next(rows) == HEADER
    assert next(rows) == HEADER
    with pytest.raises(Invalid, match="more than 12 cells"):
        next(rows)


@pytest.mark.parametrize(
    "content",
    [b"transaction_number,amount\r\n1001,12.50\r\n", b"PK\x03\x04 truncated", b""],
    ids=["csv renamed", "truncated zip", "empty"],
)
def test_a_file_that_is_not_a_workbook_is_refused(tmp_path, content):
    path = tmp_path / "spend.xlsx"
    path.write_bytes(content)
    with pytest.raises(Invalid, match="not a readable Excel .xlsx workbook") as raised:
        list(xlsx_rows(path))
    assert raised.value.field == "file"


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "upload"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("spend.csv", "transaction_number\r\n1001\r\n")
    with pytest.raises(Invalid, match="not a readable Excel .xlsx workbook"):
        list(xlsx_rows(path))


def test_a_long_sheet_streams_in_bounded_memory(tmp_path):
    """20,000 rows stream in under 3 MB where reading the whole workbook takes 25 MB (tracemalloc
    makes openpyxl's parser several times slower, so the sheet is no longer)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["transaction_number", "amount", "ward"])
    for number in range(20_000):
        sheet.append([number, 1234.5, "Guildhall"])
    path = tmp_path / "long.xlsx"
    workbook.save(path)
    tracemalloc.start()
    try:
        count = sum(1 for _ in xlsx_rows(path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 20_001
    assert peak < 8 * 1024 * 1024


def test_a_row_beyond_the_last_excel_allows_is_refused_without_reading_the_rows_between(tmp_path):
    path = save_workbook(tmp_path / "far.xlsx", [["ward"], ["Guildhall"]])
    far = tmp_path / "farther.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(far, "w") as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                last = b'<row r="2000000000"><c r="A2000000000"><v>1</v></c></row></sheetData>'
                data = data.replace(b"</sheetData>", last)
            target.writestr(member, data)
    with pytest.raises(Invalid, match="rows beyond row 1,048,576, the last Excel allows"):
        list(xlsx_rows(far))
