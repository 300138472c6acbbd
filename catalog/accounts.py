"""Accounts: creating them, checking passwords with lock-out, and roles per organisation.

Passwords are hashed with Argon2id. After five failed attempts an account is locked for fifteen
minutes, whatever the password, so guessing is slow; the message never says which of the email
or the password was wrong.
"""

from __future__ import annotations

from datetime import timedelta
from types import MappingProxyType

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog import activity
from catalog.clock import utcnow
from catalog.errors import Conflict, Invalid, NotAllowed, NotFound
from catalog.models import Account, Membership, Organisation
from catalog.permissions import ADMIN, ROLES, Actor, require, require_sysadmin

MIN_PASSWORD = 12
MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
WRONG = "The email address or password is wrong."

_hasher = PasswordHasher()
_DUMMY = _hasher.hash("a password nobody has")


def account_create(
    session: Session,
    *,
    actor: Actor,
    email: str,
    name: str,
    password: str,
    sysadmin: bool = False,
) -> Account:
    require_sysadmin(actor, "create accounts")
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise Invalid("Enter an email address, like name@example.gov.uk.", field="email")
    if not name.strip():
        raise Invalid("Enter the person's name.", field="name")
    if len(password) < MIN_PASSWORD:
        raise Invalid(f"Use a password of at least {MIN_PASSWORD} characters.", field="password")
    if session.scalar(select(Account.id).where(Account.email == email)) is not None:
        raise Conflict(f"There is already an account for {email}.", field="email")
    account = Account(
        email=email,
        name=name.strip(),
        password_hash=_hasher.hash(password),
        sysadmin=sysadmin,
        created_at=utcnow(),
    )
    session.add(account)
    session.flush()
    activity.record(
        session,
        actor=actor,
        action="account.create",
        object_type="account",
        object_id=str(account.id),
        summary=f"Created the account of {account.name}" + (" (sysadmin)" if sysadmin else ""),
    )
    session.commit()
    return account


def authenticate(session: Session, *, email: str, password: str) -> Account:
    """The account for these credentials, or NotAllowed; failures count towards a lock-out."""
    account = session.scalar(select(Account).where(Account.email == email.strip().lower()))
    if account is None or not account.active:
        _verify(_DUMMY, password)
        raise NotAllowed(WRONG)
    now = utcnow()
    if account.locked_until and account.locked_until > now:
        raise NotAllowed(
            "Too many failed attempts: this account is locked. Try again after "
            f"{account.locked_until:%H:%M} UTC."
        )
    if not _verify(account.password_hash, password):
        account.failed_logins += 1
        if account.failed_logins >= MAX_FAILURES:
            account.locked_until, account.failed_logins = now + LOCK_FOR, 0
        session.commit()
        raise NotAllowed(WRONG)
    account.failed_logins, account.locked_until, account.last_login_at = 0, None, now
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = _hasher.hash(password)
    session.commit()
    return account


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def membership_set(
    session: Session,
    *,
    actor: Actor,
    account: Account,
    organisation: Organisation,
    role: str | None,
) -> None:
    """Give an account a role in an organisation, change it, or (role None) remove it."""
    require(actor, organisation.id, ADMIN, "manage its members")
    if role is not None and role not in ROLES:
        raise Invalid(f"The role must be one of: {', '.join(ROLES)}.", field="role")
    current = session.get(Membership, (account.id, organisation.id))
    before = current.role if current else None
    if role is None and current is not None:
        session.delete(current)
    elif current is None and role is not None:
        session.add(Membership(account=account, organisation=organisation, role=role))
    elif current is not None:
        current.role = role
    activity.record(
        session,
        actor=actor,
        action="membership.set",
        object_type="account",
        object_id=str(account.id),
        summary=f"{account.name}: {before or 'no role'} to {role or 'no role'} in "
        f"{organisation.title}",
        before={"role": before},
        after={"role": role},
    )
    session.commit()
    session.expire(account, ["memberships"])


def actor_for(account: Account) -> Actor:
    roles = {m.organisation_id: m.role for m in account.memberships}
    return Actor(
        name=account.name,
        account_id=account.id,
        sysadmin=account.sysadmin,
        roles=MappingProxyType(roles),
    )


def get_account(session: Session, account_id: int) -> Account:
    account = session.get(Account, account_id)
    if account is None or not account.active:
        raise NotFound("There is no such account.")
    return account


def find_account(session: Session, email: str) -> Account:
    account = session.scalar(select(Account).where(Account.email == email.strip().lower()))
    if account is None:
        raise NotFound(f"There is no account for {email}.")
    return account


def account_count(session: Session) -> int:
    return session.scalar(select(func.count(Account.id))) or 0
