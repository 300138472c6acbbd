"""Findings about a whole row of data: blank, repeated, or without its own identifier."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from catalog.tables.findings.finding import Descriptor, Finding


@dataclass(frozen=True, kw_only=True)
class RowFinding(Finding):
    """Row `row_number` of the file (the header is row 1), with its `cells` as read."""

    row_number: int
    cells: Sequence[str | None] = field(default_factory=list)
    tags: ClassVar[tuple[str, ...]] = ("#table", "#row")
    json_keys = {"row_number": "rowNumber"}

    def to_descriptor(self) -> Descriptor:
        cells = ["" if cell is None else cell for cell in self.cells]
        return {**super().to_descriptor(), "cells": cells}

    @classmethod
    def values_in(cls, descriptor: Descriptor) -> dict[str, Any]:
        return {**super().values_in(descriptor), "cells": list(descriptor["cells"])}


@dataclass(frozen=True, kw_only=True)
class BlankRow(RowFinding):
    type = "blank-row"
    title = "Blank Row"
    description = "Every cell in the row is empty."
    heading = "Empty rows"
    row_order = 0

    @property
    def message(self) -> str:
        return f"Row {self.row_number} is empty. Delete it or fill it in."


@dataclass(frozen=True, kw_only=True)
class DuplicateRow(RowFinding):
    """A row identical to row `earlier_row_number`."""

    type = "duplicate-row"
    title = "Duplicate Row"
    description = "The row is identical to an earlier row."
    heading = "Repeated rows"
    row_order = 3
    earlier_row_number: int
    json_keys = {"earlier_row_number": "earlierRowNumber"}

    @property
    def note(self) -> str:
        return f'the same as row at position "{self.earlier_row_number}"'

    @property
    def message(self) -> str:
        return (
            f"Row {self.row_number} repeats row {self.earlier_row_number} exactly. "
            "Delete one of them."
        )


@dataclass(frozen=True, kw_only=True)
class PrimaryKeyError(RowFinding):
    """A row whose identifier is empty (`earlier_row_number` None) or is row
    `earlier_row_number`'s."""

    type = "primary-key"
    title = "PrimaryKey Error"
    description = "The row's primary key is empty or used by an earlier row."
    heading = "Repeated or empty row identifiers"
    row_order = 2
    earlier_row_number: int | None
    json_keys = {"earlier_row_number": "earlierRowNumber"}

    @property
    def note(self) -> str:
        if self.earlier_row_number is None:
            return 'cells composing the primary keys are all "None"'
        return f"the same as in the row at position {self.earlier_row_number}"

    @property
    def message(self) -> str:
        if self.earlier_row_number is None:
            return f"Row {self.row_number} has no value in its identifying column."
        return (
            f"Row {self.row_number} has the same identifier as row "
            f"{self.earlier_row_number}. Each row needs its own."
        )
