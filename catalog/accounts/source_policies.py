"""Release policies of publisher sources: whether a source's runs publish without review.

Only a site administrator decides, and the decision is kept with who made it, when and why,
and in the activity log, so a release that nobody reviewed can always be traced to the person
who allowed it. A source without a policy needs review: its runs act as a person, and the new
indicators they create wait for a second pair of eyes.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog import activity
from catalog.clock import utcnow
from catalog.errors import Invalid
from catalog.models import SourcePolicy
from catalog.permissions import Actor, require_sysadmin

OBJECT_TYPE = "source_policy"
NAME_LIMIT = 64


def policy_set(
    session: Session, *, actor: Actor, source: str, auto_approve: bool, reason: str
) -> SourcePolicy:
    """Allow a source to publish without review, or require review again, saying why. Takes
    effect from the source's next run."""
    require_sysadmin(actor, "decide whether a source publishes without review")
    name = source.strip()
    if not name or len(name) > NAME_LIMIT:
        raise Invalid(f"Name the source (at most {NAME_LIMIT} characters).", field="source")
    if not reason.strip():
        raise Invalid("Say why: the reason is kept with the policy.", field="reason")
    policy = session.get(SourcePolicy, name)
    before = _state(policy)
    if policy is None:
        policy = SourcePolicy(source=name)
        session.add(policy)
    policy.auto_approve = auto_approve
    policy.set_by, policy.set_by_account_id = actor.name, actor.account_id
    policy.set_at, policy.reason = utcnow(), reason.strip()
    activity.record(
        session,
        actor=actor,
        action="source_policy.set",
        object_type=OBJECT_TYPE,
        object_id=name,
        summary=f"{name}: {describe(policy)}. {policy.reason}",
        before=before,
        after=_state(policy),
    )
    session.flush()
    return policy


def get_policy(session: Session, source: str) -> SourcePolicy | None:
    """The stored policy of a source, or None when no administrator has set one."""
    return session.get(SourcePolicy, source)


def auto_approves(session: Session, source: str) -> bool:
    """Whether the source may publish without review; no policy means it may not."""
    policy = get_policy(session, source)
    return policy is not None and policy.auto_approve


def all_policies(session: Session) -> dict[str, SourcePolicy]:
    return {p.source: p for p in session.scalars(select(SourcePolicy))}


def describe(policy: SourcePolicy | None) -> str:
    """The policy in a few words, for the command line and the activity log."""
    if policy is None:
        return "needs review (no policy set)"
    rule = "publishes without review" if policy.auto_approve else "needs review"
    return f"{rule} ({who_and_when(policy)})"


def who_and_when(policy: SourcePolicy) -> str:
    return f"set by {policy.set_by} on {policy.set_at:%Y-%m-%d %H:%M} UTC"


def _state(policy: SourcePolicy | None) -> dict | None:
    if policy is None:
        return None
    return {"auto_approve": policy.auto_approve, "reason": policy.reason}
