"""The shape of a datastore table: `_row` (the row's number in the file) and one typed column
per schema field, named c0, c1, ... so that no name from a file ever reaches SQL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Boolean, Column, Float, Integer, MetaData, Table, Text

INDEXED_COLUMNS = 32
ROW = "_row"
# On SQLite only a column declared exactly INTEGER PRIMARY KEY is the rowid (64-bit there):
# the table is then stored in `_row` order and every index entry ends with it.
ROW_TYPE = BigInteger().with_variant(Integer(), "sqlite")
SQL_TYPES = {"integer": BigInteger, "year": BigInteger, "number": Float, "boolean": Boolean}
# The same types in PostgreSQL's words, which CKAN's datastore_info reports on either database.
NATIVE_TYPES = {
    "integer": "bigint",
    "year": "bigint",
    "number": "double precision",
    "boolean": "boolean",
}


@dataclass(frozen=True)
class DataColumn:
    """A schema field as stored: `key` is its column in the table; `indexed` whether it has
    its index now, and `indexing` whether that index is still being built (a large table is
    served before it has them all: it may still be sorted by the column, without the index,
    until then); `paired_with` the keys of the columns indexed after it in a (this, that)
    index, for filtering by this column and sorting by that one (see
    `catalog.tables.datastore.indexes`)."""

    name: str
    type: str
    key: str
    indexed: bool
    paired_with: tuple[str, ...] = ()
    indexing: bool = False

    def to_dict(self) -> dict[str, Any]:
        data = {"name": self.name, "type": self.type, "key": self.key, "indexed": self.indexed}
        if self.paired_with:
            data["paired_with"] = list(self.paired_with)
        return data | ({"indexing": True} if self.indexing else {})

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DataColumn:
        return cls(
            name=data["name"],
            type=data["type"],
            key=data["key"],
            indexed=data["indexed"],
            paired_with=tuple(data.get("paired_with", ())),
            indexing=data.get("indexing", False),
        )


def native_type(column: DataColumn) -> str:
    return NATIVE_TYPES.get(column.type, "text")


def columns_for(fields: list[dict[str, Any]]) -> list[DataColumn]:
    return [
        DataColumn(
            name=field["name"],
            type=field.get("type", "any"),
            key=f"c{number}",
            indexed=number < INDEXED_COLUMNS,
        )
        for number, field in enumerate(fields)
    ]


def sql_table(metadata: MetaData, name: str, columns: list[DataColumn]) -> Table:
    return Table(
        name,
        metadata,
        Column(ROW, ROW_TYPE, primary_key=True, autoincrement=False),
        *(Column(column.key, SQL_TYPES.get(column.type, Text)) for column in columns),
    )
