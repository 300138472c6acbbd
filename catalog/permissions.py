"""Who may do what: roles per organisation, checked inside the services.

Because the check sits in the one write path, the web pages, the APIs, the command line and the
publisher hooks all obey the same rules. A member may read drafts, an editor may also create,
edit and submit, an admin may also approve, publish, withdraw and manage members; a sysadmin
may do anything anywhere. Trusted processes (the command line, the demo loader, a publisher
hook an admin has scheduled) act as system actors.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from catalog.errors import NotAllowed

MEMBER, EDITOR, ADMIN = "member", "editor", "admin"
ROLES = (MEMBER, EDITOR, ADMIN)
RANK = {MEMBER: 1, EDITOR: 2, ADMIN: 3}


@dataclass(frozen=True)
class Actor:
    """Whoever is making a change: named in the activity log, judged by their roles."""

    name: str
    account_id: int | None = None
    sysadmin: bool = False
    roles: Mapping[int, str] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def system(cls, name: str) -> Actor:
        """A trusted process, such as the command line or the demo loader."""
        return cls(name=name, sysadmin=True)

    def role_in(self, organisation_id: int) -> str | None:
        return ADMIN if self.sysadmin else self.roles.get(organisation_id)

    def has_role(self, organisation_id: int, role: str) -> bool:
        held = self.role_in(organisation_id)
        return held is not None and RANK[held] >= RANK[role]


def is_trusted(actor: Actor) -> bool:
    """A trusted process rather than a person: the command line, the demo loader, a publisher
    source an administrator allowed to publish without review."""
    return actor.sysadmin and actor.account_id is None


def require(actor: Actor, organisation_id: int, role: str, doing: str) -> None:
    """Raise NotAllowed unless the actor holds at least `role` in the organisation."""
    if not actor.has_role(organisation_id, role):
        raise NotAllowed(f"Only an {role} of the publishing organisation can {doing}.")


def require_sysadmin(actor: Actor, doing: str) -> None:
    if not actor.sysadmin:
        raise NotAllowed(f"Only a site administrator can {doing}.")
