"""Findings about the column headings in a file's first row, against the schema's fields."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from catalog.tables.findings.finding import Descriptor, Finding


@dataclass(frozen=True, kw_only=True)
class LabelFinding(Finding):
    """The heading `label` of column `field_number`, which the schema calls `field_name`."""

    field_number: int
    field_name: str = ""
    label: str = ""
    tags: ClassVar[tuple[str, ...]] = ("#table", "#header", "#label")
    json_keys = {"label": "label", "field_name": "fieldName", "field_number": "fieldNumber"}

    def to_descriptor(self) -> Descriptor:
        return {**super().to_descriptor(), "rowNumbers": [1]}


@dataclass(frozen=True, kw_only=True)
class BlankLabel(LabelFinding):
    type = "blank-label"
    title = "Blank Label"
    description = "A column has no heading."
    heading = "Blank column headings"

    @property
    def message(self) -> str:
        return (
            f"Column {self.field_number} has no heading; "
            f"the schema calls it \u201c{self.field_name}\u201d."
        )


@dataclass(frozen=True, kw_only=True)
class DuplicateLabel(LabelFinding):
    """A heading that column `earlier_field_number` already has."""

    type = "duplicate-label"
    title = "Duplicate Label"
    description = "Two columns have the same heading."
    heading = "Repeated column headings"
    earlier_field_number: int
    json_keys = {"earlier_field_number": "earlierFieldNumber"}

    @property
    def note(self) -> str:
        return f'at position "{self.earlier_field_number}"'

    @property
    def message(self) -> str:
        return (
            f"Column {self.field_number} repeats the heading \u201c{self.label}\u201d "
            f"of column {self.earlier_field_number}."
        )


@dataclass(frozen=True, kw_only=True)
class IncorrectLabel(LabelFinding):
    type = "incorrect-label"
    title = "Incorrect Label"
    description = "A column heading differs from the schema's field name."
    heading = "Column headings that differ from the schema"

    @property
    def message(self) -> str:
        return (
            f"Column {self.field_number} is headed \u201c{self.label}\u201d but the schema "
            f"calls it \u201c{self.field_name}\u201d."
        )


@dataclass(frozen=True, kw_only=True)
class ExtraLabel(LabelFinding):
    type = "extra-label"
    title = "Extra Label"
    description = "The file has a column that the schema does not describe."
    heading = "Columns the schema does not have"

    @property
    def message(self) -> str:
        return f"Column {self.field_number} (\u201c{self.label}\u201d) is not in the schema."


@dataclass(frozen=True, kw_only=True)
class MissingLabel(LabelFinding):
    type = "missing-label"
    title = "Missing Label"
    description = "The schema describes a column that the file does not have."
    heading = "Columns missing from the file"

    @property
    def message(self) -> str:
        return (
            f"The file has no column {self.field_number}, \u201c{self.field_name}\u201d, "
            "which the schema expects."
        )
