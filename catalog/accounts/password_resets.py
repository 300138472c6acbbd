"""Password reset links: a signed token naming the account, a fingerprint of its password hash
and when it expires.

Nothing is stored: the signature (with the site's secret key) stops a token being altered, the
expiry is inside it and read against the catalogue clock, and the fingerprint stops it working
once the password has changed, which using it does. So a link works once, for its lifetime.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog import activity
from catalog.accounts.users import (
    actor_for,
    find_account,
    get_account,
    password_fingerprint,
    password_replace,
)
from catalog.clock import utcnow
from catalog.errors import NotAllowed, NotFound
from catalog.models import Account, Activity
from catalog.permissions import Actor

SALT = "opendata.password-reset"
BROKEN = (
    "This link to reset a password is not valid. Check that you copied the whole link, "
    "or ask for a new one."
)
EXPIRED = "This link to reset a password has expired. Ask for a new one."
SPENT = (
    "This link to reset a password has already been used, or the password has changed since "
    "it was made. Ask for a new one if you still need it."
)


class TooSoon(NotAllowed):
    """A link for this account was made a moment ago: another is not sent, so a stranger
    cannot fill someone's inbox from the forgotten-password page."""


class LinkRefused(NotAllowed):
    """A reset link that cannot be used; `gone` when it was good once (expired or spent)
    rather than never valid."""

    def __init__(self, message: str, *, gone: bool) -> None:
        super().__init__(message)
        self.gone = gone


def reset_link_issue(
    session: Session,
    *,
    actor: Actor,
    email: str,
    secret: str,
    lifetime: timedelta,
    at_most_every: timedelta | None = None,
) -> tuple[Account, str]:
    """A reset token for the account with this email (NotFound if there is none; TooSoon if
    one was made less than `at_most_every` ago). The activity log records that a link was
    made, by whom, never the token."""
    account = find_account(session, email)
    if not account.active:
        raise NotFound(f"There is no account for {email}.")
    if at_most_every and _last_link_made(session, account) > utcnow() - at_most_every:
        raise TooSoon(f"A link to reset this password was made less than {at_most_every} ago.")
    expires = utcnow() + lifetime
    payload = [
        account.id,
        password_fingerprint(account),
        int(expires.replace(tzinfo=UTC).timestamp()),
    ]
    token = URLSafeSerializer(secret, salt=SALT).dumps(payload)
    activity.record(
        session,
        actor=actor,
        action="account.reset_link",
        object_type="account",
        object_id=str(account.id),
        summary=f"A link to reset the password of {account.name} was made, "
        f"working until {expires:%Y-%m-%d %H:%M} UTC",
    )
    session.flush()
    return account, token


def _last_link_made(session: Session, account: Account) -> datetime:
    made = session.scalar(
        select(Activity.occurred_at)
        .where(Activity.action == "account.reset_link", Activity.object_id == str(account.id))
        .order_by(Activity.occurred_at.desc())
        .limit(1)
    )
    return made or datetime.min


def account_for_reset(session: Session, *, token: str, secret: str) -> Account:
    """The account a reset token is for, or LinkRefused saying why it cannot be used."""
    try:
        account_id, fingerprint, expires = URLSafeSerializer(secret, salt=SALT).loads(token)
        expires_at = datetime.fromtimestamp(int(expires), UTC).replace(tzinfo=None)
        account = get_account(session, int(account_id))
    except (BadData, NotFound, TypeError, ValueError):
        raise LinkRefused(BROKEN, gone=False) from None
    if expires_at <= utcnow():
        raise LinkRefused(EXPIRED, gone=True)
    if fingerprint != password_fingerprint(account):
        raise LinkRefused(SPENT, gone=True)
    return account


def password_reset(
    session: Session, *, token: str, secret: str, password: str, confirm: str
) -> Account:
    """Set a new password through a reset link, acting as the account's owner (the link is
    their proof); the link, and every session of the account, stop working."""
    account = account_for_reset(session, token=token, secret=secret)
    password_replace(
        session,
        actor=actor_for(account),
        account=account,
        password=password,
        confirm=confirm,
        action="account.password_reset",
        summary=f"{account.name} set a new password with a reset link",
    )
    return account


def lifetime_in_words(lifetime: timedelta) -> str:
    """'1 hour', '2 hours', '30 minutes': how long a link works, for the page and the email."""
    minutes = round(lifetime.total_seconds() / 60)
    if minutes % 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = minutes // 60
    return f"{hours} hour{'s' if hours != 1 else ''}"
