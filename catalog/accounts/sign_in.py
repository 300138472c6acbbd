"""Signing in, slowed for whoever keeps getting it wrong and never locked for the owner.

As OWASP's authentication guidance describes, failures are counted per client address (one
address guessing at many accounts) and per account (many addresses guessing at one), and each
failure past a free allowance doubles the wait before the next attempt is judged, up to
MAX_WAIT. Nothing is locked: an attempt inside the wait is refused without looking at the
password, and once the wait is over the right password works again.

An attacker who knows a colleague's email address could still keep that account waiting, so
the per-account count is skipped for a browser that has signed in to the account before (a
"device" secret it was given then, as OWASP's device cookies): the owner on their own
computer is never slowed by someone else's guesses, only by their own.

Every answer costs one Argon2 check and says the same thing whether or not the account exists
or is being slowed (counts are kept by the address typed, account or not), so neither words
nor timing tell an attacker which addresses have accounts.

Counts live in Redis when it is configured, shared by every app server; otherwise in this
process's memory, which is exact for the embedded default's single process and is counted
per process under several (see docs/security.md).
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import UTC
from typing import TYPE_CHECKING, Protocol

from sqlalchemy.orm import Session

from catalog.accounts.users import authenticate, verify_nothing
from catalog.clock import utcnow
from catalog.errors import NotAllowed
from catalog.models import Account

if TYPE_CHECKING:
    from redis import Redis

ADDRESS_ALLOWANCE = 20  # failures from one address before it is slowed (offices share one)
ACCOUNT_ALLOWANCE = 5  # failures at one account before it is slowed
MAX_WAIT = 15 * 60  # seconds
FORGET_AFTER = 24 * 60 * 60  # seconds without a failure before a count starts again
MEMORY_KEYS = 100_000


class Throttled(NotAllowed):
    """Too many failures lately: wait `retry_after` seconds before trying again."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "Too many failed attempts to sign in. Wait "
            f"{_duration(retry_after)} and try again; nothing has been locked.",
            field="email",
        )
        self.retry_after = retry_after


class FailureCounts(Protocol):
    """Failures per key: how many lately, and when the last was (seconds since the epoch)."""

    def read(self, key: str) -> tuple[int, float]: ...

    def add(self, key: str, at: float) -> None: ...

    def clear(self, key: str) -> None: ...


@dataclass(frozen=True)
class Attempt:
    """One try at signing in: what was typed, from where, and the browser's device secret
    for this address if it has one (see `device_key`)."""

    email: str
    password: str
    address: str
    device: str | None = None


def sign_in(session: Session, *, attempt: Attempt, counts: FailureCounts) -> Account:
    """The account for these credentials, or NotAllowed (Throttled while a wait runs)."""
    keys = _keys(attempt)
    now = _now()
    wait = max(_wait(*counts.read(key), allowance=allowance, now=now) for key, allowance in keys)
    if wait > 0:
        verify_nothing(attempt.password)  # the same work as any other answer
        raise Throttled(wait)
    try:
        account = authenticate(session, email=attempt.email, password=attempt.password)
    except NotAllowed:
        for key, _allowance in keys:
            counts.add(key, now)
        raise
    counts.clear(keys[1][0])
    return account


def device_key(email: str) -> str:
    """What a device secret is bound to: the address typed, so a browser trusted for one
    account is a stranger to every other."""
    return _digest(email.strip().lower())


def _keys(attempt: Attempt) -> list[tuple[str, int]]:
    """(key, allowance) for the address, and for the account as this browser sees it."""
    account = _digest(attempt.email.strip().lower())
    if attempt.device:
        account = _digest(f"{account} {attempt.device}")
    return [
        (f"address {attempt.address}", ADDRESS_ALLOWANCE),
        (f"account {account}", ACCOUNT_ALLOWANCE),
    ]


def _wait(failures: int, last: float, *, allowance: int, now: float) -> int:
    """Seconds still to wait: none within the allowance, then 1, 2, 4... up to MAX_WAIT."""
    if failures < allowance:
        return 0
    delay = min(2 ** (failures - allowance), MAX_WAIT)
    return max(0, int(last + delay - now + 0.999))


def _duration(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _now() -> float:
    """Seconds since the epoch by the catalogue's clock, which tests can move."""
    return utcnow().replace(tzinfo=UTC).timestamp()


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class MemoryCounts:
    """Counts in this process, for the embedded default (one process)."""

    def __init__(self) -> None:
        self._counts: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def read(self, key: str) -> tuple[int, float]:
        with self._lock:
            return self._current(key, _now())

    def add(self, key: str, at: float) -> None:
        with self._lock:
            if len(self._counts) > MEMORY_KEYS:  # made-up addresses cannot fill the memory
                self._counts = {k: v for k, v in self._counts.items() if at - v[1] < FORGET_AFTER}
            failures, _last = self._current(key, at)
            self._counts[key] = (failures + 1, at)

    def clear(self, key: str) -> None:
        with self._lock:
            self._counts.pop(key, None)

    def _current(self, key: str, now: float) -> tuple[int, float]:
        failures, last = self._counts.get(key, (0, 0.0))
        return (failures, last) if now - last < FORGET_AFTER else (0, 0.0)


class RedisCounts:
    """Counts in Redis, shared by every app server; each key expires FORGET_AFTER after its
    last failure."""

    def __init__(self, client: Redis, prefix: str = "opendata:sign-in:") -> None:
        self.client = client
        self.prefix = prefix

    def read(self, key: str) -> tuple[int, float]:
        failures, last = self.client.hmget(self.prefix + key, "failures", "last")
        return int(failures or 0), float(last or 0)

    def add(self, key: str, at: float) -> None:
        name = self.prefix + key
        with self.client.pipeline() as pipe:
            pipe.hincrby(name, "failures", 1)
            pipe.hset(name, "last", at)
            pipe.expire(name, FORGET_AFTER)
            pipe.execute()

    def clear(self, key: str) -> None:
        self.client.delete(self.prefix + key)
