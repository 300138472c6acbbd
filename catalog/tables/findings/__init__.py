"""What a check of a table can find: one class per kind of finding, each holding its values.

As frictionless-py has one class per error, each kind here has a stable `type` code, a title,
a description and a heading for the report page; each finding holds the values that say where
it is and what was wrong (the row, the field, the cell, the broken constraint and what it
expects, the earlier row it repeats). Its Frictionless note, its plain-English `message` and
its JSON descriptor are rendered from those values, and `finding_from_descriptor` reads a
stored descriptor back into the same value: nothing is ever parsed out of a sentence.

`finding` holds what every finding has and the findings about a whole file; `labels`, `rows`
and `cells` the findings about headings, rows and cells.
"""

from __future__ import annotations

from catalog.tables.findings.cells import (
    CellFinding,
    CellTypeError,
    ConstraintError,
    ExtraCell,
    FormulaCell,
    MissingCell,
    RedactionError,
    UniqueError,
)
from catalog.tables.findings.finding import (
    Descriptor,
    Finding,
    SchemaError,
    SourceError,
    TableFinding,
)
from catalog.tables.findings.labels import (
    BlankLabel,
    DuplicateLabel,
    ExtraLabel,
    IncorrectLabel,
    LabelFinding,
    MissingLabel,
)
from catalog.tables.findings.rows import BlankRow, DuplicateRow, PrimaryKeyError, RowFinding

KINDS: dict[str, type[Finding]] = {
    kind.type: kind
    for kind in (
        SourceError, SchemaError, BlankLabel, DuplicateLabel, IncorrectLabel, ExtraLabel,
        MissingLabel, BlankRow, DuplicateRow, PrimaryKeyError, MissingCell, ExtraCell,
        CellTypeError, ConstraintError, UniqueError, RedactionError, FormulaCell,
    )
}  # fmt: skip


def finding_from_descriptor(descriptor: Descriptor) -> Finding | None:
    """The finding a stored report's error describes, or None for one written before findings
    kept all their values in the report (its stored message is then all there is)."""
    kind = KINDS.get(descriptor.get("type", ""))
    if kind is None:
        return None
    try:
        return kind.from_descriptor(descriptor)
    except KeyError:
        return None


__all__ = [
    "KINDS",
    "BlankLabel",
    "BlankRow",
    "CellFinding",
    "CellTypeError",
    "ConstraintError",
    "Descriptor",
    "DuplicateLabel",
    "DuplicateRow",
    "ExtraCell",
    "ExtraLabel",
    "Finding",
    "FormulaCell",
    "IncorrectLabel",
    "LabelFinding",
    "MissingCell",
    "MissingLabel",
    "PrimaryKeyError",
    "RedactionError",
    "RowFinding",
    "SchemaError",
    "SourceError",
    "TableFinding",
    "UniqueError",
    "finding_from_descriptor",
]
