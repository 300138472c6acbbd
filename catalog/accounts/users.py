"""Accounts: creating them, checking and changing passwords with lock-out, and roles per
organisation.

Passwords are hashed with Argon2id; the message never says which of the email or the password
was wrong. Signing in is slowed after repeated failures by `sign_in`, never locked; a wrong
current password when changing it still counts towards a lock-out of password changes.
Sessions and reset links carry a fingerprint of the password hash, so a new password ends them
all.
"""

from __future__ import annotations

import hashlib
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
WRONG_CURRENT = "Your current password is wrong."
# Long enough to pass the length rule, and among the first any guesser tries.
COMMON_PASSWORDS = frozenset(
    {
        "123456789012",
        "1234567890123",
        "12345678901234",
        "1q2w3e4r5t6y",
        "abcdefghijkl",
        "administrator",
        "iloveyou1234",
        "letmein12345",
        "password1234",
        "password12345",
        "password123456",
        "passwordpassword",
        "qwerty123456",
        "qwertyuiop123",
        "qwertyuiopasdf",
        "welcome12345",
        "cityofyork123",
        "yorkcouncil123",
    }
)

_hasher = PasswordHasher()
# A hash of a password nobody has, checked when no account matches so that an unknown email
# costs the time a wrong password does. Written out, as hashing it at start-up took 0.1 to 0.3 s
# of every command; made afresh only if the hasher's settings have changed since.
_DUMMY = (
    "$argon2id$v=19$m=65536,t=3,p=4$0aEFY7i9cy83D8IQbVzAHg"
    "$oAJSrxkulSIAQEPhYZlyNN+7O8dr9VC5indbk07rdSE"
)
if _hasher.check_needs_rehash(_DUMMY):
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
    check_new_password(password, email=email)
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
    session.flush()
    return account


def authenticate(session: Session, *, email: str, password: str) -> Account:
    """The account for these credentials, or NotAllowed in the same words after the same work
    (one Argon2 check, one query) whether the account is unknown, inactive or the password is
    wrong. Slowing repeated failures is `sign_in`'s part; nothing here locks an account."""
    found = session.execute(
        select(Account.id, Account.password_hash).where(
            Account.email == email.strip().lower(), Account.active.is_(True)
        )
    ).first()
    if not _verify(found.password_hash if found else _DUMMY, password) or found is None:
        raise NotAllowed(WRONG)
    account = session.get_one(Account, found.id)
    account.last_login_at = utcnow()
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = _hasher.hash(password)
    session.flush()
    return account


def verify_nothing(password: str) -> None:
    """Spend the time of checking a password, for an answer that must not be quicker."""
    _verify(_DUMMY, password)


def _check_password(
    session: Session, account: Account, password: str, *, wrong: str, field: str | None = None
) -> None:
    """NotAllowed unless the password is right and the account is not locked; a wrong one is
    counted towards the lock-out, a right one clears the count. The count is flushed before
    the refusal is raised: the edge must commit it although it refuses (the change-password
    page does), or the lock-out would never come."""
    now = utcnow()
    if account.locked_until and account.locked_until > now:
        raise NotAllowed(
            "Too many failed attempts: this account is locked. Try again after "
            f"{account.locked_until:%H:%M} UTC.",
            field=field,
        )
    if not _verify(account.password_hash, password):
        account.failed_logins += 1
        if account.failed_logins >= MAX_FAILURES:
            account.locked_until, account.failed_logins = now + LOCK_FOR, 0
        session.flush()
        raise NotAllowed(wrong, field=field)
    account.failed_logins, account.locked_until = 0, None


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def check_new_password(password: str, *, email: str, field: str = "password") -> None:
    """The rules every new password meets, whether an account is made, or its password changed
    or reset: long enough, not the email address, not one every guesser tries first."""
    if len(password) < MIN_PASSWORD:
        raise Invalid(f"Use a password of at least {MIN_PASSWORD} characters.", field=field)
    if password.strip().lower() == email.strip().lower():
        raise Invalid("Your password must not be your email address.", field=field)
    if password.lower() in COMMON_PASSWORDS:
        raise Invalid(
            "That password is too easy to guess: choose a longer phrase of unrelated words.",
            field=field,
        )


def password_fingerprint(account: Account) -> str:
    """A short digest of the password hash. Sessions and reset links carry it and are checked
    against it, so each stops working once the password changes; Argon2 salts every hash,
    so even setting the same password again changes it."""
    return hashlib.sha256(account.password_hash.encode()).hexdigest()[:24]


def password_change(
    session: Session,
    *,
    actor: Actor,
    account: Account,
    current_password: str,
    new_password: str,
    confirm: str,
) -> None:
    """A signed-in person changes their own password; a wrong current password counts towards
    the lock-out like a failed sign-in."""
    _require_self(actor, account)
    _check_password(
        session, account, current_password, wrong=WRONG_CURRENT, field="current_password"
    )
    password_replace(
        session,
        actor=actor,
        account=account,
        password=new_password,
        confirm=confirm,
        action="account.password_change",
        summary=f"{account.name} changed their password",
    )


def password_replace(
    session: Session,
    *,
    actor: Actor,
    account: Account,
    password: str,
    confirm: str,
    action: str,
    summary: str,
) -> None:
    """Store a new password for its owner once it meets the rules and was typed twice alike.
    Also lifts a lock-out; the activity entry says that it changed, never what to."""
    _require_self(actor, account)
    check_new_password(password, email=account.email, field="new_password")
    if confirm != password:
        raise Invalid(
            "The passwords do not match: type the same new password twice.",
            field="confirm_password",
        )
    account.password_hash = _hasher.hash(password)
    account.failed_logins, account.locked_until = 0, None
    activity.record(
        session,
        actor=actor,
        action=action,
        object_type="account",
        object_id=str(account.id),
        summary=summary,
    )
    session.flush()


def _require_self(actor: Actor, account: Account) -> None:
    if actor.account_id != account.id:
        raise NotAllowed("Only the account's owner can set its password.")


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
    if current is None:
        if role is not None:
            session.add(Membership(account=account, organisation=organisation, role=role))
    elif role is None:
        session.delete(current)
    else:
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
    session.flush()
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


def accounts_by_name(session: Session) -> list[Account]:
    """Every account, for a site administrator's list."""
    return list(session.scalars(select(Account).order_by(Account.name, Account.id)))


def members_of(session: Session, organisation: Organisation) -> list[Membership]:
    """Who holds a role in an organisation, for its administrators."""
    query = select(Membership).where(Membership.organisation_id == organisation.id)
    return list(session.scalars(query.order_by(Membership.account_id)))
