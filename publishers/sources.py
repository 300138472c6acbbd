"""Sources: where a publishing run's data comes from, found through `opendata_sources`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pluggy

from catalog.errors import NotFound
from publishers.batches import Batch


@dataclass(frozen=True)
class SourceConfig:
    """What a source may need to find its data: the instance folder and the OPENDATA_* settings."""

    instance: Path
    environ: Mapping[str, str] = field(default_factory=dict)


class Source(ABC):
    """A place indicator figures come from. `name` is what `opendata publish NAME` takes; `title`
    is how people and the release log name it. `read` returns only what may leave the source."""

    name: str = ""
    title: str = ""
    description: str = ""

    @abstractmethod
    def read(self) -> Batch:
        """The figures that may be published, read fresh on every run."""


class SourceUnavailable(Exception):
    """The source cannot be read (its database is missing or unreachable)."""


def all_sources(pm: pluggy.PluginManager, config: SourceConfig) -> dict[str, Source]:
    """Every source every plugin offers, by name; two sources may not share a name."""
    found: dict[str, Source] = {}
    for offered in pm.hook.opendata_sources(config=config):
        for source in offered or []:
            if source.name in found:
                raise ValueError(f"Two plugins offer a source called '{source.name}'.")
            found[source.name] = source
    return dict(sorted(found.items()))


def find_source(pm: pluggy.PluginManager, config: SourceConfig, name: str) -> Source:
    sources = all_sources(pm, config)
    if name not in sources:
        known = ", ".join(sources) or "none"
        raise NotFound(f"There is no source called '{name}'. Sources: {known}.", field="source")
    return sources[name]
