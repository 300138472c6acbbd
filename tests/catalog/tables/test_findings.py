"""Each kind of finding: its type code, the sentence a publisher reads and the JSON a machine
reads, all from its values; the JSON reads back into the same value, and a report stored
before findings kept their values still shows what it said."""

from __future__ import annotations

import json

import pytest

from catalog.tables.findings import (
    KINDS,
    BlankLabel,
    BlankRow,
    CellTypeError,
    ConstraintError,
    DuplicateLabel,
    DuplicateRow,
    ExtraCell,
    ExtraLabel,
    Finding,
    FormulaCell,
    IncorrectLabel,
    MissingCell,
    MissingLabel,
    PrimaryKeyError,
    RedactionError,
    SchemaError,
    SourceError,
    UniqueError,
    finding_from_descriptor,
)
from catalog.tables.reading import read_table
from catalog.tables.reports import ReportLine, grouped, report_descriptor, warning_lines
from catalog.tables.validation import Checked, check_table

Q = "\u201c{}\u201d".format  # the curly quotes the sentences use
ROW = ["1", "TBC", "2024-13-01", "Nowhere"]
HEADER = {"rowNumbers": [1], "tags": ["#table", "#header", "#label"]}
IN_ROW = {"tags": ["#table", "#row"]}
IN_CELL = {"tags": ["#table", "#row", "#cell"]}

CASES = [
    (
        SourceError(reason="The file's text could not be decoded as UTF-8 or Windows-1252."),
        "source-error",
        "The file's text could not be decoded as UTF-8 or Windows-1252.",
        {"tags": [], "note": "The file's text could not be decoded as UTF-8 or Windows-1252."},
    ),
    (
        SchemaError(reason="The schema must list at least one field."),
        "schema-error",
        "The schema must list at least one field.",
        {"tags": [], "note": "The schema must list at least one field."},
    ),
    (
        BlankLabel(field_number=3, field_name="paid_on"),
        "blank-label",
        f"Column 3 has no heading; the schema calls it {Q('paid_on')}.",
        {**HEADER, "note": "", "label": "", "fieldName": "paid_on", "fieldNumber": 3},
    ),
    (
        DuplicateLabel(field_number=5, label="ward", earlier_field_number=4),
        "duplicate-label",
        f"Column 5 repeats the heading {Q('ward')} of column 4.",
        {
            **HEADER,
            "note": 'at position "4"',
            "label": "ward",
            "fieldName": "",
            "fieldNumber": 5,
            "earlierFieldNumber": 4,
        },
    ),
    (
        IncorrectLabel(field_number=2, field_name="amount", label="Amount"),
        "incorrect-label",
        f"Column 2 is headed {Q('Amount')} but the schema calls it {Q('amount')}.",
        {**HEADER, "note": "", "label": "Amount", "fieldName": "amount", "fieldNumber": 2},
    ),
    (
        ExtraLabel(field_number=7, label="extra"),
        "extra-label",
        f"Column 7 ({Q('extra')}) is not in the schema.",
        {**HEADER, "note": "", "label": "extra", "fieldName": "", "fieldNumber": 7},
    ),
    (
        MissingLabel(field_number=6, field_name="approved"),
        "missing-label",
        f"The file has no column 6, {Q('approved')}, which the schema expects.",
        {**HEADER, "note": "", "label": "", "fieldName": "approved", "fieldNumber": 6},
    ),
    (
        BlankRow(row_number=5, cells=["", "", "", ""]),
        "blank-row",
        "Row 5 is empty. Delete it or fill it in.",
        {**IN_ROW, "note": "", "cells": ["", "", "", ""], "rowNumber": 5},
    ),
    (
        DuplicateRow(row_number=8, cells=ROW, earlier_row_number=7),
        "duplicate-row",
        "Row 8 repeats row 7 exactly. Delete one of them.",
        {
            **IN_ROW,
            "note": 'the same as row at position "7"',
            "cells": ROW,
            "rowNumber": 8,
            "earlierRowNumber": 7,
        },
    ),
    (
        PrimaryKeyError(row_number=4, cells=ROW, earlier_row_number=2),
        "primary-key",
        "Row 4 has the same identifier as row 2. Each row needs its own.",
        {
            **IN_ROW,
            "note": "the same as in the row at position 2",
            "cells": ROW,
            "rowNumber": 4,
            "earlierRowNumber": 2,
        },
    ),
    (
        PrimaryKeyError(row_number=6, cells=["", "", "", ""], earlier_row_number=None),
        "primary-key",
        "Row 6 has no value in its identifying column.",
        {
            **IN_ROW,
            "note": 'cells composing the primary keys are all "None"',
            "cells": ["", "", "", ""],
            "rowNumber": 6,
            "earlierRowNumber": None,
        },
    ),
    (
        MissingCell(row_number=4, cells=["1"], field_number=2, field_name="amount"),
        "missing-cell",
        f"Row 4, column {Q('amount')} is missing: the row has fewer cells than the header.",
        {
            **IN_CELL,
            "note": "",
            "cells": ["1"],
            "rowNumber": 4,
            "cell": "",
            "fieldName": "amount",
            "fieldNumber": 2,
        },
    ),
    (
        ExtraCell(row_number=7, cells=[*ROW, "surplus"], field_number=5, cell="surplus"),
        "extra-cell",
        f"Row 7 has an extra cell {Q('surplus')} in position 5, beyond the last column.",
        {
            **IN_CELL,
            "note": "",
            "cells": [*ROW, "surplus"],
            "rowNumber": 7,
            "cell": "surplus",
            "fieldName": "",
            "fieldNumber": 5,
        },
    ),
    (
        CellTypeError(
            row_number=3,
            cells=ROW,
            field_number=2,
            field_name="amount",
            cell="TBC",
            field_type="number",
        ),
        "type-error",
        f"Row 3, column {Q('amount')}: {Q('TBC')} is not a number, such as 1234.56.",
        {
            **IN_CELL,
            "note": 'type is "number/default"',
            "cells": ROW,
            "rowNumber": 3,
            "cell": "TBC",
            "fieldName": "amount",
            "fieldNumber": 2,
            "fieldType": "number",
            "fieldFormat": "default",
        },
    ),
    (
        CellTypeError(
            row_number=3,
            cells=ROW,
            field_number=3,
            field_name="paid_on",
            cell="2024-13-01",
            field_type="date",
            field_format="%d/%m/%Y",
        ),
        "type-error",
        f"Row 3, column {Q('paid_on')}: {Q('2024-13-01')} is not a date written as DD/MM/YYYY.",
        {
            **IN_CELL,
            "note": 'type is "date/%d/%m/%Y"',
            "cells": ROW,
            "rowNumber": 3,
            "cell": "2024-13-01",
            "fieldName": "paid_on",
            "fieldNumber": 3,
            "fieldType": "date",
            "fieldFormat": "%d/%m/%Y",
        },
    ),
    (
        ConstraintError(
            row_number=3,
            cells=ROW,
            field_number=4,
            field_name="ward",
            cell="Nowhere",
            constraint="enum",
            expected=["Guildhall", "Heworth"],
        ),
        "constraint-error",
        f"Row 3, column {Q('ward')}: {Q('Nowhere')} is not one of the allowed values: "
        "Guildhall, Heworth.",
        {
            **IN_CELL,
            "note": "constraint \"enum\" is \"['Guildhall', 'Heworth']\"",
            "cells": ROW,
            "rowNumber": 3,
            "cell": "Nowhere",
            "fieldName": "ward",
            "fieldNumber": 4,
            "constraint": "enum",
            "expected": ["Guildhall", "Heworth"],
        },
    ),
    (
        ConstraintError(
            row_number=9,
            cells=["4", "-5"],
            field_number=2,
            field_name="amount",
            cell="-5",
            constraint="minimum",
            expected=0,
        ),
        "constraint-error",
        f"Row 9, column {Q('amount')}: {Q('-5')} is less than the minimum, 0.",
        {
            **IN_CELL,
            "note": 'constraint "minimum" is "0"',
            "cells": ["4", "-5"],
            "rowNumber": 9,
            "cell": "-5",
            "fieldName": "amount",
            "fieldNumber": 2,
            "constraint": "minimum",
            "expected": 0,
        },
    ),
    (
        ConstraintError(
            row_number=4,
            cells=["1", ""],
            field_number=2,
            field_name="amount",
            cell="",
            constraint="required",
            expected=True,
        ),
        "constraint-error",
        f"Row 4, column {Q('amount')}: this cell is empty, but a value is required.",
        {
            **IN_CELL,
            "note": 'constraint "required" is "True"',
            "cells": ["1", ""],
            "rowNumber": 4,
            "cell": "",
            "fieldName": "amount",
            "fieldNumber": 2,
            "constraint": "required",
            "expected": True,
        },
    ),
    (
        UniqueError(
            row_number=7,
            cells=["3", "A1"],
            field_number=2,
            field_name="reference",
            cell="A1",
            earlier_row_number=2,
        ),
        "unique-error",
        f"Row 7, column {Q('reference')}: {Q('A1')} was already used in row 2. "
        "Each value must be different.",
        {
            **IN_CELL,
            "note": "the same as in the row at position 2",
            "cells": ["3", "A1"],
            "rowNumber": 7,
            "cell": "A1",
            "fieldName": "reference",
            "fieldNumber": 2,
            "earlierRowNumber": 2,
        },
    ),
    (
        RedactionError(
            row_number=3,
            cells=["Mr J Smith", "120.00"],
            field_number=1,
            field_name="supplier_name",
            cell="Mr J Smith",
            replacement="Redacted - personal data",
        ),
        "redaction-error",
        f"Row 3, column {Q('supplier_name')}: {Q('Mr J Smith')} looks like a private "
        f"individual\u2019s name. Replace it with {Q('Redacted - personal data')}, or, if it is "
        "not a person, ask an admin who did not upload the file to confirm so.",
        {
            **IN_CELL,
            "note": "a private individual's name where the schema asks for "
            '"Redacted - personal data"',
            "cells": ["Mr J Smith", "120.00"],
            "rowNumber": 3,
            "cell": "Mr J Smith",
            "fieldName": "supplier_name",
            "fieldNumber": 1,
            "replacement": "Redacted - personal data",
        },
    ),
    (
        FormulaCell(row_number=2, field_number=1, field_name="name", cell="=SUM(A1)"),
        "formula-cell",
        f"Row 2, column {Q('name')}: {Q('=SUM(A1)')} starts with {Q('=')}, so a spreadsheet "
        "could run it as a formula. Files this site makes neutralise it.",
        {
            **IN_CELL,
            "note": "",
            "cells": [],
            "rowNumber": 2,
            "cell": "=SUM(A1)",
            "fieldName": "name",
            "fieldNumber": 1,
        },
    ),
]
IDS = [f"{code}-{number}" for number, (_finding, code, *_rest) in enumerate(CASES)]


@pytest.mark.parametrize(("finding", "code", "sentence", "values"), CASES, ids=IDS)
def test_each_kind_has_its_code_sentence_and_json(finding, code, sentence, values):
    descriptor = finding.to_descriptor()
    assert finding.type == code
    assert finding.message == sentence
    assert descriptor == {
        "type": code,
        "title": KINDS[code].title,
        "description": KINDS[code].description,
        "message": sentence,
        **values,
    }


@pytest.mark.parametrize(("finding", "code", "sentence", "values"), CASES, ids=IDS)
def test_each_kind_reads_back_from_its_stored_json_as_the_same_value(
    finding, code, sentence, values
):
    stored = json.loads(json.dumps(finding.to_descriptor()))
    assert finding_from_descriptor(stored) == finding


def test_the_table_covers_every_kind_and_every_kind_has_its_words():
    assert {type(finding) for finding, *_ in CASES} == set(KINDS.values())
    for kind in KINDS.values():
        assert kind.title and kind.description and kind.heading


def test_a_flagged_personal_name_is_identified_by_its_row_and_field():
    finding = RedactionError(
        row_number=3,
        field_number=1,
        field_name="supplier_name",
        cell="Mr J Smith",
        replacement="Withheld",
    )
    assert finding.flagged_cell == (3, "supplier_name")


def test_the_check_files_findings_with_their_values(tmp_path):
    path = tmp_path / "spend.csv"
    path.write_text("id,ward,supplier\n1,Heworth,Acme Ltd\n1,Nowhere,Mr J Smith\n")
    schema = {
        "fields": [
            {"name": "id", "type": "integer"},
            {"name": "ward", "type": "string", "constraints": {"enum": ["Heworth"]}},
            {"name": "supplier", "type": "string", "redaction": "Withheld"},
        ],
        "primaryKey": ["id"],
    }
    with read_table(path, "csv") as (labels, rows):
        checked = check_table(labels, rows, schema)
    row = ["1", "Nowhere", "Mr J Smith"]
    assert checked.errors == [
        ConstraintError(
            row_number=3,
            cells=row,
            field_number=2,
            field_name="ward",
            cell="Nowhere",
            constraint="enum",
            expected=["Heworth"],
        ),
        RedactionError(
            row_number=3,
            cells=row,
            field_number=3,
            field_name="supplier",
            cell="Mr J Smith",
            replacement="Withheld",
        ),
        PrimaryKeyError(row_number=3, cells=row, earlier_row_number=2),
    ]


def _example(kind: type[Finding]) -> Finding:
    return next(finding for finding, *_ in CASES if type(finding) is kind)


def _report_of(findings: list[Finding]) -> dict:
    """A stored report (as JSON holds it) listing these findings."""
    checked = Checked(labels=["a"], field_names=["a"])
    for finding in findings:
        if isinstance(finding, FormulaCell):
            checked.warn(finding)
        else:
            checked.add(finding)
    report = report_descriptor(checked, name="t", place="t.csv", sha256="0", size=1)
    return json.loads(json.dumps(report))


def test_the_report_page_lines_are_rendered_from_the_values_not_the_stored_sentence():
    unique = _example(UniqueError)
    report = _report_of([unique])
    report["tasks"][0]["errors"][0]["message"] = "An old way of saying it."
    [group] = grouped(report)
    assert (group.type, group.heading, group.count) == (
        "unique-error",
        "Repeated values in a column that must be unique",
        1,
    )
    assert group.lines == [ReportLine("7", "reference (2)", "A1", unique.message)]


def test_the_report_page_places_headings_rows_and_cells():
    label, blank = _example(BlankLabel), _example(BlankRow)
    extra, formula = _example(ExtraCell), _example(FormulaCell)
    report = _report_of([label, blank, extra, formula])
    lines = [line for group in grouped(report) for line in group.lines]
    assert [(line.row, line.column, line.value) for line in lines] == [
        ("Header", "paid_on (3)", ""),
        ("5", "", None),
        ("7", "5", "surplus"),
    ]
    assert warning_lines(report) == [ReportLine("2", "name (1)", "=SUM(A1)", formula.message)]


def test_a_report_stored_before_findings_kept_their_values_still_shows_what_it_said():
    """Reports written before `earlierRowNumber`, `constraint`... were stored: their errors
    keep the message they were stored with; those whose values were all stored are rendered."""
    stored = {
        "tasks": [
            {
                "errors": [
                    {
                        "type": "type-error",
                        "title": "Type Error",
                        "description": "The cell cannot be read as the field's type and format.",
                        "message": "Row 32, column \u201cAmount\u201d: \u201cTBC\u201d is not a "
                        "whole number of at most 18 digits, such as 42.",
                        "tags": ["#table", "#row", "#cell"],
                        "note": 'type is "integer/default"',
                        "cells": ["York Print Co", "Micklegate", "TBC"],
                        "rowNumber": 32,
                        "cell": "TBC",
                        "fieldName": "Amount",
                        "fieldNumber": 3,
                    },
                    {
                        "type": "blank-row",
                        "title": "Blank Row",
                        "description": "Every cell in the row is empty.",
                        "message": "An old sentence.",
                        "tags": ["#table", "#row"],
                        "note": "",
                        "cells": ["", "", ""],
                        "rowNumber": 5,
                    },
                ],
                "errorCounts": {"type-error": 1, "blank-row": 1},
            }
        ]
    }
    type_error, blank_row = grouped(stored)
    assert type_error.lines == [
        ReportLine(
            "32",
            "Amount (3)",
            "TBC",
            "Row 32, column \u201cAmount\u201d: \u201cTBC\u201d is not a whole number of at "
            "most 18 digits, such as 42.",
        )
    ]
    assert blank_row.lines == [
        ReportLine("5", "", None, "Row 5 is empty. Delete it or fill it in.")
    ]
