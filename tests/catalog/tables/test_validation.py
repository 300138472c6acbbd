"""The validator finds what frictionless finds, says it plainly, and copes with messy files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from frictionless import Dialect, Schema, checks, formats, system, validate

from catalog.errors import Invalid
from catalog.tables.reading import read_table
from catalog.tables.reports import grouped, report_descriptor
from catalog.tables.validation import ERROR_LIMIT, check_table

SCHEMA = {
    "fields": [
        {"name": "transaction", "type": "integer", "constraints": {"required": True}},
        {"name": "amount", "type": "number", "constraints": {"required": True, "minimum": 0}},
        {"name": "paid_on", "type": "date"},
        {"name": "ward", "type": "string", "constraints": {"enum": ["Guildhall", "Heworth"]}},
        {"name": "reference", "type": "string", "constraints": {"unique": True}},
        {"name": "approved", "type": "boolean"},
    ],
    "primaryKey": ["transaction"],
}

PLANTED = (
    "transaction,amount,paid_on,ward,reference,approved\n"
    "1,12.50,2024-01-05,Guildhall,A1,true\n"
    "2,TBC,2024-13-01,Nowhere,A2,maybe\n"
    "1,,2024-01-05\n"
    "\n"
    ",,,,,\n"
    "3,4,2024-01-06,Guildhall,A3,false,surplus\n"
    "3,4,2024-01-06,Guildhall,A3,false\n"
    "4,-5,2024-1-7,Heworth,A4,1\n"
    '5,"1,000",2024-02-30,Heworth,A5,0\n'
)


def _rows_into(loaded: list):
    """A sink that keeps each typed row as a tuple, row number first."""
    return lambda numbers, typed: loaded.extend(zip(numbers, *typed, strict=True))


def _ours(path: Path, schema: dict) -> list[tuple]:
    with read_table(path, "csv") as (labels, rows):
        checked = check_table(labels, rows, schema)
    errors = [finding.to_descriptor() for finding in checked.errors]
    return [(e["type"], e.get("rowNumber"), e.get("fieldNumber"), e["note"]) for e in errors]


def _frictionless(path: Path, schema: dict, delimiter: str = ",") -> list[tuple]:
    dialect = Dialect(controls=[formats.CsvControl(delimiter=delimiter)])
    with system.use_context(trusted=True):
        report = validate(
            str(path),
            schema=Schema.from_descriptor(schema),
            dialect=dialect,
            checks=[checks.duplicate_row()],
        )
    return [
        (e["type"], e.get("rowNumber"), e.get("fieldNumber"), e.get("note"))
        for e in report.to_descriptor()["tasks"][0]["errors"]
    ]


def test_planted_errors_are_the_ones_frictionless_finds(tmp_path):
    path = tmp_path / "planted.csv"
    path.write_text(PLANTED, encoding="utf-8")
    ours = _ours(path, SCHEMA)
    assert sorted(ours, key=str) == sorted(_frictionless(path, SCHEMA), key=str)
    kinds = {kind for kind, *_ in ours}
    assert kinds == {
        "type-error",
        "constraint-error",
        "missing-cell",
        "extra-cell",
        "blank-row",
        "primary-key",
        "unique-error",
        "duplicate-row",
    }


def test_the_shared_planted_file_agrees_with_frictionless():
    data = Path(__file__).parents[2] / "data"
    schema = json.loads((data / "spend.schema.json").read_text(encoding="utf-8"))
    path = data / "spend-planted-errors.csv"
    ours = _ours(path, schema)
    assert ours, "the planted file must have errors"
    assert sorted(ours, key=str) == sorted(_frictionless(path, schema), key=str)


def test_header_problems_are_reported_like_frictionless(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text("transaction,Amount,,ward,ward,approved,extra\n1,2,,,,true,x\n")
    ours = [e for e in _ours(path, SCHEMA) if e[1] is None]
    theirs = [e for e in _frictionless(path, SCHEMA) if e[1] is None]
    assert sorted(ours, key=str) == sorted(theirs, key=str)
    assert {kind for kind, *_ in ours} >= {"incorrect-label", "blank-label", "duplicate-label"}


def test_the_report_explains_each_error_in_plain_english(tmp_path):
    path = tmp_path / "planted.csv"
    path.write_text(PLANTED, encoding="utf-8")
    with read_table(path, "csv") as (labels, rows):
        checked = check_table(labels, rows, SCHEMA)
    report = report_descriptor(checked, name="spend", place="planted.csv", sha256="0", size=1)
    task = report["tasks"][0]
    assert report["valid"] is False and task["stats"]["errors"] == len(task["errors"])
    messages = [error["message"] for error in task["errors"]]
    assert (
        "Row 3, column \u201camount\u201d: \u201cTBC\u201d is not a number, such as 1234.56."
        in messages
    )
    assert "Row 5 is empty. Delete it or fill it in." in messages
    assert any("\u201cNowhere\u201d is not one of the allowed values" in m for m in messages)
    assert any("Row 8 repeats row 7 exactly" in m for m in messages)
    headings = [group.heading for group in grouped(report)]
    assert "Values of the wrong type" in headings and "Repeated rows" in headings


def test_a_whole_number_too_large_to_store_is_a_type_error_in_the_report(tmp_path):
    path = tmp_path / "huge.csv"
    rows = ["7,1.5,2024-01-05,Guildhall,A1,true", "99999999999999999999,2,,Heworth,A2,false"]
    path.write_text("transaction,amount,paid_on,ward,reference,approved\n" + "\n".join(rows))
    with read_table(path, "csv") as (labels, read):
        checked = check_table(labels, read, SCHEMA)
    report = report_descriptor(checked, name="huge", place="huge.csv", sha256="0", size=1)
    (error,) = [e for e in report["tasks"][0]["errors"] if e["type"] == "type-error"]
    assert (error["rowNumber"], error["fieldName"]) == (3, "transaction")
    assert "is not a whole number of at most 18 digits" in error["message"]
    assert checked.rows == 2


def test_only_the_first_thousand_errors_are_listed_but_all_are_counted(tmp_path):
    path = tmp_path / "many.csv"
    body = "".join(f"{n},lots,2024-01-01,Guildhall,R{n},true\n" for n in range(1, 1501))
    path.write_text("transaction,amount,paid_on,ward,reference,approved\n" + body)
    with read_table(path, "csv") as (labels, rows):
        checked = check_table(labels, rows, SCHEMA)
    assert len(checked.errors) == ERROR_LIMIT
    assert checked.error_count == 1500
    report = report_descriptor(checked, name="many", place="many.csv", sha256="0", size=1)
    assert report["tasks"][0]["errorCounts"] == {"type-error": 1500}


def test_findings_past_the_listed_thousand_in_later_batches_are_still_counted(tmp_path):
    path = tmp_path / "more.csv"
    rows = 12_000  # more than one batch: the second is only counted
    body = "".join(f"{n},lots,2024-01-01,Guildhall,R{n % 11_000},true\n" for n in range(rows))
    path.write_text("transaction,amount,paid_on,ward,reference,approved\n" + body)
    with read_table(path, "csv") as (labels, read):
        checked = check_table(labels, read, SCHEMA)
    assert len(checked.errors) == ERROR_LIMIT
    assert checked.error_counts == {"type-error": rows, "unique-error": 1_000}


def test_trailing_blank_rows_are_ignored_but_blank_rows_inside_are_errors(tmp_path):
    path = tmp_path / "trailing.csv"
    path.write_text(
        "transaction,amount,paid_on,ward,reference,approved\n"
        "1,1,2024-01-01,Guildhall,A,true\n,,,,,\n2,1,2024-01-01,Guildhall,B,true\n,,,,,\n\n\n"
    )
    with read_table(path, "csv") as (labels, rows):
        checked = check_table(labels, rows, SCHEMA)
    assert checked.rows == 3
    assert [(e.type, e.row_number) for e in checked.errors] == [
        ("blank-row", 3),
        ("primary-key", 3),
    ]


@pytest.mark.parametrize(
    ("content", "encoding"),
    [
        ("\ufeffname;amount\r\nCaf\u00e9 \u2013 York;\u00a31,234.50\r\n", "utf-8"),
        ("name;amount\r\nCaf\u00e9 \u2013 York;\u00a31,234.50\r\n", "cp1252"),
        ("name\tamount\nCaf\u00e9 \u2013 York\t\u00a31,234.50\n", "utf-8"),
    ],
)
def test_messy_encodings_and_delimiters_read_as_the_same_values(tmp_path, content, encoding):
    path = tmp_path / "messy.csv"
    path.write_bytes(content.encode(encoding))
    schema = {
        "fields": [
            {"name": "name", "type": "string"},
            {"name": "amount", "type": "number", "bareNumber": False, "groupChar": ","},
        ]
    }
    loaded = []
    with read_table(path, "csv") as (labels, rows):
        checked = check_table(labels, rows, schema, sink=_rows_into(loaded))
    assert checked.valid, checked.errors
    assert loaded == [(2, "Caf\u00e9 \u2013 York", 1234.5)]


def test_formula_cells_are_flagged_as_warnings_not_errors(tmp_path):
    path = tmp_path / "formulas.csv"
    path.write_text('name,amount\n"=HYPERLINK(""http://evil.example"")",1\n@SUM(A1),-2\nOK,3\n')
    schema = {"fields": [{"name": "name", "type": "string"}, {"name": "amount", "type": "integer"}]}
    with read_table(path, "csv") as (labels, rows):
        checked = check_table(labels, rows, schema)
    assert checked.valid
    assert [(w.row_number, w.cell[:1]) for w in checked.warnings] == [(2, "="), (3, "@")]


def test_quoted_newlines_keep_row_numbers_as_records(tmp_path):
    path = tmp_path / "quoted.csv"
    path.write_text('name,amount\n"two\nlines",1\nnext,x\n')
    schema = {"fields": [{"name": "name", "type": "string"}, {"name": "amount", "type": "integer"}]}
    assert _ours(path, schema) == _frictionless(path, schema)
    assert _ours(path, schema)[0][:3] == ("type-error", 3, 2)


DATA = Path(__file__).parents[2] / "data"
CLEAN_FILES = [
    ("spend-utf8-bom.csv", "csv"),
    ("spend-cp1252.csv", "csv"),
    ("spend-semicolon.csv", "csv"),
    ("spend-tab.tsv", "tsv"),
    ("spend-quoted-newlines.csv", "csv"),
    ("spend-thousands-pounds.csv", "csv"),
    ("spend-formulas.csv", "csv"),
]


@pytest.mark.parametrize(("name", "fmt"), CLEAN_FILES)
def test_every_messy_but_correct_file_is_valid_and_loads_every_row(name, fmt):
    schema = json.loads((DATA / "spend.schema.json").read_text(encoding="utf-8"))
    loaded: list[tuple] = []
    with read_table(DATA / name, fmt) as (labels, rows):
        checked = check_table(labels, rows, schema, sink=_rows_into(loaded))
    assert checked.valid, [(e.type, e.row_number, e.cell) for e in checked.errors]
    assert len(loaded) == checked.rows > 0
    amounts = [row[5] for row in loaded]
    assert all(isinstance(amount, float) for amount in amounts)


def test_thousands_and_pounds_are_read_as_numbers():
    schema = json.loads((DATA / "spend.schema.json").read_text(encoding="utf-8"))
    loaded: list[tuple] = []
    with read_table(DATA / "spend-thousands-pounds.csv", "csv") as (labels, rows):
        check_table(labels, rows, schema, sink=_rows_into(loaded))
    assert {18450.0, 1234.56, 12000.0, 612.4, 1128300.0, 980.1} <= {row[5] for row in loaded}


def test_blank_rows_inside_are_reported_and_trailing_ones_are_not():
    schema = json.loads((DATA / "spend.schema.json").read_text(encoding="utf-8"))
    with read_table(DATA / "spend-blank-rows.csv", "csv") as (labels, rows):
        checked = check_table(labels, rows, schema)
    blank = [e.row_number for e in checked.errors if e.type == "blank-row"]
    assert blank == [6, 9]  # frictionless also reports the trailing rows 14, 15 and 16


def test_keys_python_hashes_alike_are_still_different_keys(tmp_path):
    """hash(-1) == hash(-2) in Python, and so do whole numbers 2**61 - 1 apart; only equal
    values are repeats. -0.0 and 0.0 are equal, so they are."""
    path = tmp_path / "keys.csv"
    path.write_text("id,amount\n-1,0.0\n-2,1\n1,-0.0\n2305843009213693952,2\n", encoding="utf-8")
    schema = {
        "fields": [
            {"name": "id", "type": "integer"},
            {"name": "amount", "type": "number", "constraints": {"unique": True}},
        ],
        "primaryKey": ["id"],
    }
    ours = _ours(path, schema)
    assert ours == _frictionless(path, schema)
    assert [(kind, row, field) for kind, row, field, _note in ours] == [("unique-error", 4, 2)]


@pytest.mark.parametrize(
    ("constraints", "message"),
    [
        ({"minLength": 2}, "'minLength' applies to text, not to a field of type integer"),
        ({"maximum": "99999999999999999999"}, "'maximum' value '99999999999999999999' does not"),
    ],
)
def test_a_constraint_that_cannot_apply_is_a_schema_error_naming_it(tmp_path, constraints, message):
    path = tmp_path / "counts.csv"
    path.write_text("count\n12\n", encoding="utf-8")
    schema = {"fields": [{"name": "count", "type": "integer", "constraints": constraints}]}
    with read_table(path, "csv") as (labels, rows), pytest.raises(Invalid, match=message):
        check_table(labels, rows, schema)
