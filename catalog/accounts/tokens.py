"""API tokens: shown once, stored as a hash, named, with an expiry, revocable, logged in use."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog import activity
from catalog.clock import utcnow
from catalog.errors import Invalid, NotAllowed, NotFound
from catalog.models import Account, ApiToken
from catalog.permissions import Actor

PREFIX = "odp_"
log = logging.getLogger(__name__)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def token_create(
    session: Session,
    *,
    actor: Actor,
    account: Account,
    name: str,
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token and its secret: the secret is returned this once and never stored."""
    if actor.account_id != account.id and not actor.sysadmin:
        raise NotAllowed("You can only create tokens for your own account.")
    name = name.strip()
    if not name or len(name) > 100:
        raise Invalid("Give the token a name of up to 100 characters.", field="name")
    if expires_at is not None and expires_at <= utcnow():
        raise Invalid("The expiry date must be in the future.", field="expires_at")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        account=account,
        name=name,
        secret_hash=_digest(secret),
        prefix=secret[: len(PREFIX) + 4],
        created_at=utcnow(),
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    activity.record(
        session,
        actor=actor,
        action="token.create",
        object_type="api_token",
        object_id=str(token.id),
        summary=f"Created API token '{name}' for {account.name}",
    )
    session.flush()
    return token, secret


def token_authenticate(session: Session, secret: str) -> Account:
    """The account a token belongs to; revoked, expired or unknown tokens are refused alike."""
    token = session.scalar(select(ApiToken).where(ApiToken.secret_hash == _digest(secret)))
    now = utcnow()
    if token is None or not (
        token.revoked_at is None
        and (token.expires_at is None or token.expires_at > now)
        and token.account.active
    ):
        raise NotAllowed("The API token is not valid: it may be wrong, expired or revoked.")
    token.last_used_at = now
    session.flush()
    log.info("API token %s (%s) used by account %s", token.id, token.name, token.account_id)
    return token.account


def token_revoke(session: Session, *, actor: Actor, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or (token.account_id != actor.account_id and not actor.sysadmin):
        raise NotFound("There is no such token.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        activity.record(
            session,
            actor=actor,
            action="token.revoke",
            object_type="api_token",
            object_id=str(token.id),
            summary=f"Revoked API token '{token.name}'",
        )
        session.flush()
    return token


def tokens_of(session: Session, account: Account) -> list[ApiToken]:
    query = select(ApiToken).where(ApiToken.account_id == account.id).order_by(ApiToken.id.desc())
    return list(session.scalars(query))


def token_status(token: ApiToken, now: datetime | None = None) -> str:
    """'active', 'expired' or 'revoked', by the same rule `token_authenticate` applies."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= (now or utcnow()):
        return "expired"
    return "active"
