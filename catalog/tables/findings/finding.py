"""What every finding has, and the findings about a file as a whole.

Each kind of finding has a stable `type` code, a title and a description (as a frictionless
error has), and a heading for its group on the report page. Each finding holds the values that
say where it is and what was wrong; its `note` (frictionless's words, so the reports agree),
its `message` (plain English) and its descriptor (JSON) are rendered from them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

Descriptor = dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class Finding(ABC):
    """A problem (or, for formula cells, a warning) found in a table."""

    type: ClassVar[str]
    title: ClassVar[str]
    description: ClassVar[str]
    heading: ClassVar[str]
    tags: ClassVar[tuple[str, ...]] = ()
    row_order: ClassVar[int] = 1  # where frictionless lists it among a row's findings
    # The values a kind adds to its parents', each with its key in the descriptor (JSON).
    json_keys: ClassVar[dict[str, str]] = {}

    @property
    def note(self) -> str:
        """What frictionless says in its `note`, word for word."""
        return ""

    @property
    @abstractmethod
    def message(self) -> str:
        """One sentence a publisher can act on: where it is, what was found, what to do."""

    def to_descriptor(self) -> Descriptor:
        """The finding as an error of a Frictionless report, with its values added."""
        return {
            "type": self.type,
            "title": self.title,
            "description": self.description,
            "message": self.message,
            "tags": list(self.tags),
            "note": self.note,
            **{key: getattr(self, name) for name, key in self._keys().items()},
        }

    @classmethod
    def from_descriptor(cls, descriptor: Descriptor) -> Finding:
        """The finding `to_descriptor` described; KeyError where a value is not there."""
        return cls(**cls.values_in(descriptor))

    @classmethod
    def values_in(cls, descriptor: Descriptor) -> dict[str, Any]:
        """The finding's values, by attribute, from its descriptor."""
        return {name: descriptor[key] for name, key in cls._keys().items()}

    @classmethod
    def _keys(cls) -> dict[str, str]:
        keys: dict[str, str] = {}
        for kind in reversed(cls.__mro__):
            keys.update(vars(kind).get("json_keys", {}))
        return keys


@dataclass(frozen=True, kw_only=True)
class TableFinding(Finding):
    """The file as a whole could not be checked; `reason` says why, in a sentence."""

    reason: str

    @property
    def note(self) -> str:
        return self.reason

    @property
    def message(self) -> str:
        return self.reason

    @classmethod
    def values_in(cls, descriptor: Descriptor) -> dict[str, Any]:
        return {"reason": descriptor["note"]}


@dataclass(frozen=True, kw_only=True)
class SourceError(TableFinding):
    type = "source-error"
    title = "Source Error"
    description = "The file could not be read as a table."
    heading = "The file could not be read"


@dataclass(frozen=True, kw_only=True)
class SchemaError(TableFinding):
    type = "schema-error"
    title = "Schema Error"
    description = "The Table Schema cannot be used to check the file."
    heading = "The description of the columns cannot be used"
