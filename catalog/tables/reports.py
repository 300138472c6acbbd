"""Validation reports: the Frictionless report structure, and the same errors in plain English.

The JSON follows frictionless-py's report (valid, stats, tasks with errors carrying type,
rowNumber, fieldNumber, note...), so tools that read Frictionless reports read ours. The page a
publisher sees groups the errors by type and says what was wrong and what was expected.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from catalog.tables.validation import ERROR_LIMIT, Checked, Finding

TITLES = {
    "blank-label": ("Blank Label", "A column has no heading."),
    "duplicate-label": ("Duplicate Label", "Two columns have the same heading."),
    "incorrect-label": (
        "Incorrect Label",
        "A column heading differs from the schema's field name.",
    ),
    "extra-label": ("Extra Label", "The file has a column that the schema does not describe."),
    "missing-label": (
        "Missing Label",
        "The schema describes a column that the file does not have.",
    ),
    "blank-row": ("Blank Row", "Every cell in the row is empty."),
    "extra-cell": ("Extra Cell", "The row has more cells than there are columns."),
    "missing-cell": ("Missing Cell", "The row has fewer cells than there are columns."),
    "type-error": ("Type Error", "The cell cannot be read as the field's type and format."),
    "constraint-error": ("Constraint Error", "The cell breaks one of the field's constraints."),
    "unique-error": ("Unique Error", "A value in a unique field appears in an earlier row too."),
    "primary-key": (
        "PrimaryKey Error",
        "The row's primary key is empty or used by an earlier row.",
    ),
    "duplicate-row": ("Duplicate Row", "The row is identical to an earlier row."),
    "source-error": ("Source Error", "The file could not be read as a table."),
    "formula-cell": (
        "Formula Cell",
        "The cell starts with a character spreadsheets treat as a formula.",
    ),
    "redaction-error": (
        "Redaction Error",
        "The cell names a private individual where the schema asks for personal data to be "
        "redacted.",
    ),
}

GROUP_HEADINGS = {
    "blank-label": "Blank column headings",
    "duplicate-label": "Repeated column headings",
    "incorrect-label": "Column headings that differ from the schema",
    "extra-label": "Columns the schema does not have",
    "missing-label": "Columns missing from the file",
    "blank-row": "Empty rows",
    "extra-cell": "Rows with too many cells",
    "missing-cell": "Rows with too few cells",
    "type-error": "Values of the wrong type",
    "constraint-error": "Values that break a rule of the schema",
    "unique-error": "Repeated values in a column that must be unique",
    "primary-key": "Repeated or empty row identifiers",
    "duplicate-row": "Repeated rows",
    "source-error": "The file could not be read",
    "formula-cell": "Cells a spreadsheet could run as a formula",
    "redaction-error": "Names of private individuals that should be redacted",
}

EXPECTED = {
    "integer": "a whole number of at most 18 digits, such as 42",
    "number": "a number, such as 1234.56",
    "boolean": "true or false",
    "date": "a date written as YYYY-MM-DD, such as 2024-03-31",
    "datetime": "a date and time written as YYYY-MM-DDTHH:MM:SS",
    "time": "a time written as HH:MM:SS",
    "year": "a four-digit year, such as 2024",
    "string": "text",
}


def report_descriptor(
    checked: Checked, *, name: str, place: str, sha256: str, size: int
) -> dict[str, Any]:
    """The report as Frictionless writes it, with our counts of every error type added."""
    errors = [_error(finding) for finding in checked.errors]
    task = {
        "name": name,
        "type": "table",
        "valid": checked.valid,
        "place": place,
        "labels": checked.labels,
        "stats": {
            "errors": checked.error_count,
            "warnings": checked.warning_count,
            "seconds": round(checked.seconds, 3),
            "sha256": sha256,
            "bytes": size,
            "fields": len(checked.field_names),
            "rows": checked.rows,
        },
        "warnings": [explain(finding) for finding in checked.warnings],
        "errors": errors,
        "errorCounts": dict(checked.error_counts),
        "errorsListed": len(errors),
        "errorLimit": ERROR_LIMIT,
        "formulaCells": [_error(finding) for finding in checked.warnings],
    }
    return {
        "valid": checked.valid,
        "stats": {
            "tasks": 1,
            "errors": checked.error_count,
            "warnings": checked.warning_count,
            "seconds": round(checked.seconds, 3),
        },
        "warnings": [],
        "errors": [],
        "tasks": [task],
    }


def _error(finding: Finding) -> dict[str, Any]:
    title, description = TITLES[finding.type]
    error: dict[str, Any] = {
        "type": finding.type,
        "title": title,
        "description": description,
        "message": explain(finding),
        "tags": _tags(finding),
        "note": finding.note,
    }
    if finding.row_number is not None:
        error["cells"] = [cell if cell is not None else "" for cell in finding.cells or []]
        error["rowNumber"] = finding.row_number
    if finding.type in {
        "blank-label",
        "duplicate-label",
        "incorrect-label",
        "extra-label",
        "missing-label",
    }:
        error["label"] = finding.label
        error["rowNumbers"] = [1]
    elif finding.field_number is not None:
        error["cell"] = finding.cell
    if finding.field_number is not None:
        error["fieldName"] = finding.field_name
        error["fieldNumber"] = finding.field_number
    return error


def _tags(finding: Finding) -> list[str]:
    if finding.row_number is None:
        return ["#table", "#header", "#label"]
    if finding.field_number is None:
        return ["#table", "#row"]
    return ["#table", "#row", "#cell"]


def source_error_descriptor(message: str, *, name: str, place: str) -> dict[str, Any]:
    """A report for a file that could not be read at all."""
    title, description = TITLES["source-error"]
    error = {
        "type": "source-error",
        "title": title,
        "description": description,
        "message": message,
        "tags": [],
        "note": message,
    }
    task = {
        "name": name,
        "type": "table",
        "valid": False,
        "place": place,
        "labels": [],
        "stats": {"errors": 1, "warnings": 0, "seconds": 0.0},
        "warnings": [],
        "errors": [error],
        "errorCounts": {"source-error": 1},
        "errorsListed": 1,
        "errorLimit": ERROR_LIMIT,
        "formulaCells": [],
    }
    return {
        "valid": False,
        "stats": {"tasks": 1, "errors": 1, "warnings": 0, "seconds": 0.0},
        "warnings": [],
        "errors": [],
        "tasks": [task],
    }


MESSAGES = {
    "blank-row": "Row {row} is empty. Delete it or fill it in.",
    "duplicate-row": "Row {row} repeats row {earlier} exactly. Delete one of them.",
    "primary-key": "Row {row} has the same identifier as row {earlier}. Each row needs its own.",
    "unique-error": "{where}: \u201c{cell}\u201d was already used in row {earlier}. "
    "Each value must be different.",
    "missing-cell": "{where} is missing: the row has fewer cells than the header.",
    "extra-cell": "Row {row} has an extra cell \u201c{cell}\u201d in position {column}, "
    "beyond the last column.",
    "type-error": "{where}: \u201c{cell}\u201d is not {expected}.",
    "formula-cell": "{where}: \u201c{cell}\u201d starts with \u201c{first}\u201d, so a spreadsheet "
    "could run it as a formula. Files this site makes neutralise it.",
    "incorrect-label": "Column {column} is headed \u201c{label}\u201d but the schema calls it "
    "\u201c{field}\u201d.",
    "blank-label": "Column {column} has no heading; the schema calls it \u201c{field}\u201d.",
    "duplicate-label": "Column {column} repeats the heading \u201c{label}\u201d.",
    "extra-label": "Column {column} (\u201c{label}\u201d) is not in the schema.",
    "missing-label": "The file has no column {column}, \u201c{field}\u201d, which the schema "
    "expects.",
    "redaction-error": "{where}: \u201c{cell}\u201d looks like a private individual\u2019s name. "
    "Replace it with \u201c{instead}\u201d, or, if it is not a person, ask an admin who did not "
    "upload the file to confirm so.",
}


def explain(finding: Finding) -> str:
    """One sentence a publisher can act on: where the problem is, what was found, what to do."""
    if finding.type == "constraint-error":
        return f"{_where(finding)}: {_constraint_words(finding)}"
    if finding.type == "primary-key" and "None" in finding.note:
        return f"Row {finding.row_number} has no value in its identifying column."
    template = MESSAGES.get(finding.type)
    if template is None:
        return finding.note
    type_name = finding.note.split('"')[1].split("/")[0] if '"' in finding.note else ""
    return template.format(
        row=finding.row_number,
        column=finding.field_number,
        field=finding.field_name,
        label=finding.label,
        cell=finding.cell,
        first=(finding.cell or "")[:1],
        where=_where(finding),
        earlier=_earlier(finding.note),
        expected=EXPECTED.get(type_name, type_name),
        instead=finding.note,
    )


def _where(finding: Finding) -> str:
    return f"Row {finding.row_number}, column \u201c{finding.field_name}\u201d"


def _earlier(note: str) -> str:
    digits = "".join(ch if ch.isdigit() else " " for ch in note).split()
    return digits[-1] if digits else "an earlier row"


def _constraint_words(finding: Finding) -> str:
    value = f"\u201c{finding.cell}\u201d"
    expected = finding.note.split(" is ", 1)[1].strip('"') if " is " in finding.note else ""
    match finding.constraint or _constraint_name(finding.note):
        case "required":
            return "this cell is empty, but a value is required."
        case "enum":
            return f"{value} is not one of the allowed values: {_listed(expected)}."
        case "minimum":
            return f"{value} is less than the minimum, {expected}."
        case "maximum":
            return f"{value} is more than the maximum, {expected}."
        case "exclusiveMinimum":
            return f"{value} must be more than {expected}."
        case "exclusiveMaximum":
            return f"{value} must be less than {expected}."
        case "minLength":
            return f"{value} is shorter than {expected} characters."
        case "maxLength":
            return f"{value} is longer than {expected} characters."
        case "pattern":
            return f"{value} does not match the pattern {expected}."
    return f"{value} breaks the rule: {finding.note}."


def _listed(expected: str) -> str:
    """The enum from a Frictionless note, such as "['a', 'b']", as "a, b"."""
    try:
        values = ast.literal_eval(expected)
    except (ValueError, SyntaxError):
        return expected
    return ", ".join(str(value) for value in values) if isinstance(values, list) else expected


def _constraint_name(note: str) -> str:
    parts = note.split('"')
    return parts[1] if len(parts) > 1 else ""


@dataclass(frozen=True)
class ErrorGroup:
    type: str
    heading: str
    count: int
    messages: list[dict[str, Any]]


def grouped(report: dict[str, Any]) -> list[ErrorGroup]:
    """The listed errors of a stored report, grouped by type in the order first met."""
    task = report["tasks"][0]
    listed: dict[str, list[dict[str, Any]]] = {}
    for error in task["errors"]:
        listed.setdefault(error["type"], []).append(error)
    counts = task.get("errorCounts", {})
    return [
        ErrorGroup(
            type=kind,
            heading=GROUP_HEADINGS.get(kind, kind),
            count=counts.get(kind, len(errors)),
            messages=errors,
        )
        for kind, errors in listed.items()
    ]
