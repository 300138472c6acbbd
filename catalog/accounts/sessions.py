"""Signed-in sessions, kept on the server so that signing out really ends one.

The browser's cookie holds a random secret; only its SHA-256 is stored. Every request looks
the session up, so a cookie copied before sign-out (from a shared computer, a proxy log or a
stolen backup) is refused afterwards. A new password ends every other session as well, through
the fingerprint the cookie also carries (`users.password_fingerprint`).
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from catalog.clock import utcnow
from catalog.models import Account, AccountSession


def session_start(session: Session, *, account: Account) -> str:
    """A new session for an account that has just proved who it is; returns the cookie's
    secret."""
    secret = secrets.token_urlsafe(32)
    session.add(
        AccountSession(secret_hash=_hashed(secret), account_id=account.id, created_at=utcnow())
    )
    session.flush()
    return secret


def session_is_live(session: Session, *, account_id: int, secret: str) -> bool:
    """Whether the cookie's session of this account has not been ended."""
    found = session.scalar(
        select(AccountSession.account_id).where(AccountSession.secret_hash == _hashed(secret))
    )
    return found == account_id


def session_end(session: Session, *, secret: str) -> None:
    """Sign a session out: its cookie no longer signs anyone in, wherever it was copied to."""
    session.execute(delete(AccountSession).where(AccountSession.secret_hash == _hashed(secret)))
    session.flush()


def _hashed(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
