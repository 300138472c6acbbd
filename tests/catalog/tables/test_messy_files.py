"""The messy files in tests/data are what their README says, so tests can trust them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from frictionless import Dialect, Schema, checks, formats, validate

DATA = Path(__file__).parents[2] / "data"
BLANK = [("blank-row", row, None) for row in (6, 9, 14, 15, 16)]
PLANTED = [
    ("type-error", 3, 5),
    ("type-error", 4, 2),
    ("unique-error", 6, 1),
    ("primary-key", 6, None),
    ("constraint-error", 7, 3),
    ("extra-cell", 8, 7),
    ("missing-cell", 9, 6),
    ("unique-error", 11, 1),
    ("primary-key", 11, None),
    ("blank-row", 12, None),
    ("primary-key", 12, None),
    ("constraint-error", 13, 4),
]


def frictionless_errors(name, **options):
    schema = Schema.from_descriptor(json.loads((DATA / "spend.schema.json").read_text()))
    report = validate(name, basepath=str(DATA), schema=schema, **options)
    return [tuple(error) for error in report.flatten(["type", "rowNumber", "fieldNumber"])]


def delimited_by(delimiter):
    return {"dialect": Dialect(controls=[formats.CsvControl(delimiter=delimiter)])}


@pytest.mark.parametrize(
    "name, options, errors",
    [
        ("spend-utf8-bom.csv", {}, []),
        ("spend-cp1252.csv", {"encoding": "cp1252"}, []),
        ("spend-semicolon.csv", delimited_by(";"), []),
        ("spend-tab.tsv", delimited_by("\t"), []),
        ("spend-quoted-newlines.csv", {}, []),
        ("spend-blank-rows.csv", {}, [e for b in BLANK for e in (b, ("primary-key", b[1], None))]),
        ("spend-thousands-pounds.csv", {}, []),
        ("spend-formulas.csv", {}, []),
        ("spend-planted-errors.csv", {}, PLANTED),
    ],
)
def test_frictionless_reports_what_the_readme_says(name, options, errors):
    assert frictionless_errors(name, **options) == errors


def test_the_fully_duplicated_row_is_found_by_the_duplicate_row_check():
    found = frictionless_errors("spend-planted-errors.csv", checks=[checks.duplicate_row()])
    assert ("duplicate-row", 11, None) in found


def test_the_bytes_are_as_messy_as_described():
    read = {path.name: path.read_bytes() for path in DATA.glob("spend*.?sv")}
    assert read["spend-utf8-bom.csv"].startswith(b"\xef\xbb\xbftransaction_number,")
    assert read["spend-utf8-bom.csv"].count(b"\r\n") == read["spend-utf8-bom.csv"].count(b"\n")

    cp1252 = read["spend-cp1252.csv"]
    assert all(byte in cp1252 for byte in (b"\xa3", b"\x96", b"\xe9"))
    with pytest.raises(UnicodeDecodeError):
        cp1252.decode("utf-8")
    assert "Café Concerto" in cp1252.decode("cp1252")

    assert read["spend-semicolon.csv"].splitlines()[1].count(b";") == 5
    assert b"," not in read["spend-semicolon.csv"]
    assert read["spend-tab.tsv"].splitlines()[1].count(b"\t") == 5

    quoted = read["spend-quoted-newlines.csv"]
    assert b'"Repairs to ""Micklegate Bar""\nfollowing storm damage"' in quoted
    assert quoted.count(b"\r\n") == 8

    lines = read["spend-blank-rows.csv"].split(b"\n")
    assert (lines[5], lines[8]) == (b"", b",,,,,")
    assert read["spend-blank-rows.csv"].endswith(b"\n\n,,,,,\n\n")

    pounds = read["spend-thousands-pounds.csv"].decode("utf-8")
    assert '"£1,234.56"' in pounds and '"£12,000.00"' in pounds and ",980.10," in pounds
    assert "-£" not in pounds and "£-" not in pounds

    formulas = read["spend-formulas.csv"].decode("utf-8")
    for cell in (
        '"=HYPERLINK(""http://evil.example"",""click"")"',
        ",@SUM(A1:A2),",
        ",+44 1904 551550\n",
        ",-cmd|' /C calc'!A0,",
        ",-120.00,",
    ):
        assert cell in formulas


def test_every_field_has_a_title_and_description():
    schema = json.loads((DATA / "spend.schema.json").read_text())
    assert schema["primaryKey"] == "transaction_number"
    assert all(field["title"] and field["description"] for field in schema["fields"])
