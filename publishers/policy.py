"""Who a publishing run acts as: the release policy an administrator sets.

A source publishes straight to the public only when an administrator has allowed it, by
naming it in OPENDATA_AUTO_APPROVE_SOURCES (comma-separated source names). The run then acts
as a trusted system actor named after the source, and the release log says no one reviewed
it. Otherwise it must run as a person's account: its changes are that person's, and the new
indicators it creates go for review (four eyes) before anyone outside sees them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from catalog.errors import NotAllowed
from catalog.permissions import Actor
from publishers.sources import Source

AUTO_APPROVE_SETTING = "OPENDATA_AUTO_APPROVE_SOURCES"


@dataclass(frozen=True)
class ReleasePolicy:
    auto_approve: frozenset[str] = frozenset()

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> ReleasePolicy:
        env = os.environ if environ is None else environ
        names = env.get(AUTO_APPROVE_SETTING, "").replace(" ", "").split(",")
        return cls(frozenset(name for name in names if name))

    def allows(self, source: Source) -> bool:
        """Whether the source may publish without review."""
        return source.name in self.auto_approve

    def actor_for(self, source: Source, given: Actor | None) -> Actor:
        """The system actor of an allowed source, or else the given account's actor."""
        if self.allows(source):
            return Actor.system(f"{source.title} source")
        if given is None or given.account_id is None:
            raise NotAllowed(
                f"The {source.title} source may not publish without review. An administrator "
                f"can allow it with {AUTO_APPROVE_SETTING}={source.name}; otherwise run it as "
                "a person's account, and its new indicators go for review."
            )
        return given
