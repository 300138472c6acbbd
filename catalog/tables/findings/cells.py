"""Findings about one cell of a row: missing or extra, the wrong type, a broken constraint, a
repeat in a unique column, a private individual's name, a formula."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from catalog.tables.findings.rows import RowFinding

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
EXPECTED_TEXT = {"email": "an email address", "uri": "a web address", "uuid": "a UUID"}
WRITTEN = {"%d": "DD", "%m": "MM", "%Y": "YYYY", "%y": "YY", "%H": "HH", "%M": "MM", "%S": "SS"}


@dataclass(frozen=True, kw_only=True)
class CellFinding(RowFinding):
    """The `cell` in column `field_number` (named `field_name` by the schema) of a row."""

    field_number: int
    field_name: str = ""
    cell: str = ""
    tags: ClassVar[tuple[str, ...]] = ("#table", "#row", "#cell")
    json_keys = {"cell": "cell", "field_name": "fieldName", "field_number": "fieldNumber"}

    @property
    def where(self) -> str:
        return f"Row {self.row_number}, column \u201c{self.field_name}\u201d"


@dataclass(frozen=True, kw_only=True)
class MissingCell(CellFinding):
    type = "missing-cell"
    title = "Missing Cell"
    description = "The row has fewer cells than there are columns."
    heading = "Rows with too few cells"

    @property
    def message(self) -> str:
        return f"{self.where} is missing: the row has fewer cells than the header."


@dataclass(frozen=True, kw_only=True)
class ExtraCell(CellFinding):
    type = "extra-cell"
    title = "Extra Cell"
    description = "The row has more cells than there are columns."
    heading = "Rows with too many cells"

    @property
    def message(self) -> str:
        return (
            f"Row {self.row_number} has an extra cell \u201c{self.cell}\u201d in position "
            f"{self.field_number}, beyond the last column."
        )


@dataclass(frozen=True, kw_only=True)
class CellTypeError(CellFinding):
    """A cell that does not read as its field's `field_type` in its `field_format`."""

    type = "type-error"
    title = "Type Error"
    description = "The cell cannot be read as the field's type and format."
    heading = "Values of the wrong type"
    field_type: str
    field_format: str = "default"
    json_keys = {"field_type": "fieldType", "field_format": "fieldFormat"}

    @property
    def note(self) -> str:
        return f'type is "{self.field_type}/{self.field_format}"'

    @property
    def message(self) -> str:
        return f"{self.where}: \u201c{self.cell}\u201d is not {self.expected}."

    @property
    def expected(self) -> str:
        """What a cell of this type and format looks like, in words."""
        if self.field_format in EXPECTED_TEXT:
            return EXPECTED_TEXT[self.field_format]
        if "%" in self.field_format:
            written = self.field_format
            for directive, words in WRITTEN.items():
                written = written.replace(directive, words)
            return f"a {self.field_type} written as {written}"
        return EXPECTED.get(self.field_type, self.field_type)


@dataclass(frozen=True, kw_only=True)
class ConstraintError(CellFinding):
    """A cell that breaks its field's `constraint`, whose `expected` value is as the schema
    writes it: a bound, a length, a pattern, the list of allowed values, or True."""

    type = "constraint-error"
    title = "Constraint Error"
    description = "The cell breaks one of the field's constraints."
    heading = "Values that break a rule of the schema"
    constraint: str
    expected: Any
    json_keys = {"constraint": "constraint", "expected": "expected"}

    @property
    def note(self) -> str:
        return f'constraint "{self.constraint}" is "{self.expected}"'

    @property
    def message(self) -> str:
        return f"{self.where}: {self.rule_broken}"

    @property
    def rule_broken(self) -> str:
        value, expected = f"\u201c{self.cell}\u201d", self.expected
        match self.constraint:
            case "required":
                return "this cell is empty, but a value is required."
            case "enum":
                allowed = ", ".join(map(str, expected)) if isinstance(expected, list) else expected
                return f"{value} is not one of the allowed values: {allowed}."
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
        return f"{value} breaks the rule {self.constraint} {expected}."


@dataclass(frozen=True, kw_only=True)
class UniqueError(CellFinding):
    """A value in a unique column that row `earlier_row_number` already holds."""

    type = "unique-error"
    title = "Unique Error"
    description = "A value in a unique field appears in an earlier row too."
    heading = "Repeated values in a column that must be unique"
    row_order = 2
    earlier_row_number: int
    json_keys = {"earlier_row_number": "earlierRowNumber"}

    @property
    def note(self) -> str:
        return f"the same as in the row at position {self.earlier_row_number}"

    @property
    def message(self) -> str:
        return (
            f"{self.where}: \u201c{self.cell}\u201d was already used in row "
            f"{self.earlier_row_number}. Each value must be different."
        )


@dataclass(frozen=True, kw_only=True)
class RedactionError(CellFinding):
    """A private individual's name in a column the schema says to redact, writing
    `replacement` instead."""

    type = "redaction-error"
    title = "Redaction Error"
    description = (
        "The cell names a private individual where the schema asks for personal data to be "
        "redacted."
    )
    heading = "Names of private individuals that should be redacted"
    replacement: str
    json_keys = {"replacement": "replacement"}

    @property
    def flagged_cell(self) -> tuple[int, str]:
        """The cell a reviewer confirms or clears: its row number and its field's name."""
        return self.row_number, self.field_name

    @property
    def note(self) -> str:
        return f'a private individual\'s name where the schema asks for "{self.replacement}"'

    @property
    def message(self) -> str:
        return (
            f"{self.where}: \u201c{self.cell}\u201d looks like a private individual\u2019s "
            f"name. Replace it with \u201c{self.replacement}\u201d, or, if it is not a person, "
            "ask an admin who did not upload the file to confirm so."
        )


@dataclass(frozen=True, kw_only=True)
class FormulaCell(CellFinding):
    """A warning, not an error: a text cell that a spreadsheet would run as a formula."""

    type = "formula-cell"
    title = "Formula Cell"
    description = "The cell starts with a character spreadsheets treat as a formula."
    heading = "Cells a spreadsheet could run as a formula"

    @property
    def message(self) -> str:
        return (
            f"{self.where}: \u201c{self.cell}\u201d starts with \u201c{self.cell[:1]}\u201d, "
            "so a spreadsheet could run it as a formula. Files this site makes neutralise it."
        )
