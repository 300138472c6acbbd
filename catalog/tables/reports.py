"""Validation reports: the Frictionless report structure, and the lines of the report page.

The JSON follows frictionless-py's report (valid, stats, tasks with errors carrying type,
rowNumber, fieldNumber, note...), so tools that read Frictionless reports read ours; each error
also carries its finding's own values (`earlierRowNumber`, `constraint`, `expected`...). The
page a publisher sees groups the errors by type, and each line is rendered from the finding the
stored error describes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from catalog.tables.findings import (
    KINDS,
    CellFinding,
    Descriptor,
    LabelFinding,
    RowFinding,
    TableFinding,
    finding_from_descriptor,
)
from catalog.tables.validation import ERROR_LIMIT, Checked


def report_descriptor(
    checked: Checked, *, name: str, place: str, sha256: str, size: int
) -> dict[str, Any]:
    """The report as Frictionless writes it, with our counts of every error type added."""
    errors = [finding.to_descriptor() for finding in checked.errors]
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
        "warnings": [finding.message for finding in checked.warnings],
        "errors": errors,
        "errorCounts": dict(checked.error_counts),
        "errorsListed": len(errors),
        "errorLimit": ERROR_LIMIT,
        "formulaCells": [finding.to_descriptor() for finding in checked.warnings],
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


def failure_descriptor(finding: TableFinding, *, name: str, place: str) -> dict[str, Any]:
    """A report for a file that could not be checked at all: unreadable, or a schema that
    cannot be used."""
    task = {
        "name": name,
        "type": "table",
        "valid": False,
        "place": place,
        "labels": [],
        "stats": {"errors": 1, "warnings": 0, "seconds": 0.0},
        "warnings": [],
        "errors": [finding.to_descriptor()],
        "errorCounts": {finding.type: 1},
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


@dataclass(frozen=True)
class ReportLine:
    """One line of the report page: the row and column, the value found there, what is wrong."""

    row: str
    column: str
    value: str | None
    message: str


@dataclass(frozen=True)
class ErrorGroup:
    type: str
    heading: str
    count: int
    lines: list[ReportLine]


def grouped(report: dict[str, Any]) -> list[ErrorGroup]:
    """The listed errors of a stored report, grouped by type in the order first met."""
    task = report["tasks"][0]
    listed: dict[str, list[ReportLine]] = {}
    for error in task["errors"]:
        listed.setdefault(error["type"], []).append(report_line(error))
    counts = task.get("errorCounts", {})
    return [
        ErrorGroup(
            type=kind,
            heading=KINDS[kind].heading if kind in KINDS else kind,
            count=counts.get(kind, len(lines)),
            lines=lines,
        )
        for kind, lines in listed.items()
    ]


def warning_lines(report: dict[str, Any]) -> list[ReportLine]:
    """The listed warnings (cells a spreadsheet could run as formulas) of a stored report."""
    return [report_line(warning) for warning in report["tasks"][0].get("formulaCells", [])]


def report_line(error: Descriptor) -> ReportLine:
    """The page's line for a stored error, rendered from its finding's values; an error
    stored before findings kept all their values keeps the message it was stored with."""
    finding = finding_from_descriptor(error)
    if finding is None:
        return _stored_line(error)
    match finding:
        case LabelFinding():
            column = _column_words(finding.field_name, finding.field_number)
            return ReportLine("Header", column, finding.label, finding.message)
        case CellFinding():
            column = _column_words(finding.field_name, finding.field_number)
            return ReportLine(str(finding.row_number), column, finding.cell, finding.message)
        case RowFinding():
            return ReportLine(str(finding.row_number), "", None, finding.message)
    return ReportLine("", "", None, finding.message)


def _column_words(name: str, number: int | None) -> str:
    if number is None:
        return ""
    return f"{name} ({number})" if name else str(number)


def _stored_line(error: Descriptor) -> ReportLine:
    row = error.get("rowNumber")
    return ReportLine(
        row=str(row) if row is not None else "Header" if "label" in error else "",
        column=_column_words(error.get("fieldName", ""), error.get("fieldNumber")),
        value=error.get("cell", error.get("label")),
        message=error["message"],
    )
