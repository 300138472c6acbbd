"""Who a publishing run acts as: the release policy an administrator has stored for the source.

A source publishes straight to the public only when a site administrator has allowed it
(`catalog.accounts.source_policies.policy_set`, or `opendata sources policy SOURCE
--auto-approve`). The run then acts as a trusted system actor named after the source and after
the administrator who allowed it, so every release and activity entry of the run says who let it
skip review. Otherwise (no policy, or a policy of review) it must run as a person's account:
its changes are that person's, and the new indicators it creates go for review (four eyes)
before anyone outside sees them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from catalog.accounts.source_policies import get_policy
from catalog.errors import NotAllowed
from catalog.permissions import Actor
from publishers.sources import Source

if TYPE_CHECKING:
    from catalog.models import SourcePolicy

# Actor names are kept in columns of 200 characters; leave room for the workflow's
# " (no review: trusted source)" after it.
NAME_LIMIT = 160


def release_actor(session: Session, source: Source, given: Actor | None) -> Actor:
    """The source's trusted actor if an administrator allowed it to publish without review,
    or else the given account's actor; NotAllowed when there is no account to act as."""
    policy = get_policy(session, source.name)
    if policy is not None and policy.auto_approve:
        return trusted_actor(source, policy)
    if given is None or given.account_id is None:
        raise NotAllowed(
            f"The {source.title} source may not publish without review. A site administrator "
            f"can allow it with `opendata sources policy {source.name} --auto-approve`; "
            "otherwise run it as a person's account, and its new indicators go for review."
        )
    return given


def trusted_actor(source: Source, policy: SourcePolicy) -> Actor:
    """The source acting for itself, named with the administrator who allowed it."""
    return Actor.system(f"{source.title} source, allowed by {policy.set_by}"[:NAME_LIMIT])
