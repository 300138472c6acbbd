"""How a new version of a table differs from the one it replaces, in rows and columns: what a
reviewer checks before approving it."""

from __future__ import annotations

from dataclasses import dataclass

from catalog.models import ResourceVersion, TableStatus


@dataclass(frozen=True)
class Retyped:
    name: str
    before: str
    after: str


@dataclass(frozen=True)
class TableDifference:
    """Rows before and after (None when not counted: a new file, or a check not finished),
    and the columns added, removed, or holding another type of data."""

    rows_before: int | None
    rows_after: int | None
    added: list[str]
    removed: list[str]
    retyped: list[Retyped]

    @property
    def same_columns(self) -> bool:
        return not (self.added or self.removed or self.retyped)


def table_difference(
    before: ResourceVersion | None, after: ResourceVersion
) -> TableDifference | None:
    """The difference between two versions of a table; None for a file that is not a table."""
    if after.table_schema is None:
        return None
    old, new = _types(before), _types(after)
    return TableDifference(
        rows_before=_rows(before),
        rows_after=_rows(after),
        added=[name for name in new if name not in old],
        removed=[name for name in old if name not in new],
        retyped=[
            Retyped(name, old[name], kind)
            for name, kind in new.items()
            if name in old and old[name] != kind
        ],
    )


def _types(version: ResourceVersion | None) -> dict[str, str]:
    fields = ((version.table_schema or {}) if version else {}).get("fields", [])
    return {field["name"]: field.get("type") or "any" for field in fields}


def _rows(version: ResourceVersion | None) -> int | None:
    table = version.data_table if version else None
    if table is None or table.status != TableStatus.LOADED:
        return None
    return table.row_count
