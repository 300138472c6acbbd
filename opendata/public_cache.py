"""Public answers made once and given to every anonymous visitor until the catalogue changes.

Most requests to a catalogue are anonymous reads of pages and APIs that the previous visitor
was just given. Such an answer is kept under the name of the public state it was made from
(`catalog.public_changes.public_state`: the stamp every public change writes, again once a
Whoosh index has it, and the release times passed), the day, the settings pages show, the full
URL and the `Accept` header; the next visitor asking the same at the same state gets it without
the view running. A change writes a new stamp in its own transaction, so its commit and the new
key appear together, on every server. The name is read first, in the request's own
transaction, so a kept answer is never older than its key; one made while a release time
passed is not kept.

Only what is the same for everyone is kept: a GET or HEAD with no session cookie and no API
token (so never a signed-in page, and nobody signed in is ever given one), outside the staff
paths and asking for no `Range`, answered 200, whole (not streamed: large downloads and exports
go through as before; smaller ones are made whole to be kept), not over `MAX_BYTES`, setting no
cookie and not marked private or no-store; or a redirect (a file's address to its latest
released version), which the same stamp keeps true. What differs per request is left out of the
kept answer and added again each time by the hooks that run after this one: rate-limit headers,
the security headers and the page's CSP nonce (kept as a placeholder in the body and replaced
with this request's). Machine-readable answers get their ETag from the body as before, so a
client's `If-None-Match` still gets a 304 (`opendata.http_headers`); pages have none, as each
carries a nonce of its own.

Answers live in Redis when `OPENDATA_REDIS_URL` is set (shared by every server, for `TTL`
seconds), else in each process (`MemoryAnswers`). `OPENDATA_PUBLIC_CACHE=off` turns it off.
`TTL` also bounds how long wording that moves with the clock within a day can be late.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from flask import Flask, Response, current_app, g, request, session
from sqlalchemy.exc import SQLAlchemyError

from catalog.clock import utcnow
from catalog.public_changes import public_state
from catalog.uk_time import utc_to_uk
from opendata.database import get_session
from opendata.security_headers import csp_nonce

if TYPE_CHECKING:
    import redis

TTL = 300
MAX_BYTES = 512 * 1024
MEMORY_BYTES = 64 * 1024 * 1024
# Staff pages, and static files (sent from disk, never kept): no need to read the key.
NOT_KEPT = ("/publish", "/account", "/login", "/logout", "/static/")
TOKEN_HEADERS = ("Authorization", "X-CKAN-API-Key")
NONCE = b"\x00csp-nonce\x00"
PER_SERVER = {"instance", "secret_key", "database_url", "redis_url"}  # shown on no page
LEFT_OUT = {"Content-Length", "Date", "Expires", "Set-Cookie"}  # Expires: max-age says it
# A page, or a redirect to the file's latest released version (itself then streamed).
KEPT_STATUSES = (200, 301, 302, 308)


@dataclass(frozen=True)
class Answer:
    """A kept answer: status, headers and body, the page's nonce replaced by `NONCE`."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def to_bytes(self) -> bytes:
        head = json.dumps({"status": self.status, "headers": self.headers})
        return head.encode() + b"\n" + self.body

    @classmethod
    def from_bytes(cls, data: bytes) -> Answer:
        head, _, body = data.partition(b"\n")
        fields = json.loads(head)
        return cls(fields["status"], [tuple(h) for h in fields["headers"]], body)


class Answers(Protocol):
    def get(self, key: str) -> Answer | None: ...

    def put(self, key: str, answer: Answer) -> None: ...


class MemoryAnswers:
    """The most recently used answers of this process, up to `limit` bytes, each for `TTL`."""

    def __init__(self, limit: int = MEMORY_BYTES) -> None:
        self._limit, self._size = limit, 0
        self._kept: OrderedDict[str, tuple[float, Answer]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._kept)

    def get(self, key: str) -> Answer | None:
        with self._lock:
            found = self._kept.get(key)
            if found is None:
                return None
            if found[0] < time.monotonic():
                self._drop(key)
                return None
            self._kept.move_to_end(key)
            return found[1]

    def put(self, key: str, answer: Answer) -> None:
        with self._lock:
            if key in self._kept:
                self._drop(key)
            self._kept[key] = (time.monotonic() + TTL, answer)
            self._size += len(answer.body)
            while self._size > self._limit:
                self._drop(next(iter(self._kept)))

    def _drop(self, key: str) -> None:
        _, answer = self._kept.pop(key)
        self._size -= len(answer.body)


class RedisAnswers:
    """Answers shared by every server in one Redis database. Redis out of reach is a miss,
    never an error: the page is made as if there were no cache."""

    PREFIX = "opendata:answer:"

    def __init__(self, client: redis.Redis) -> None:
        import redis  # only a site with Redis pays for its import (about 20 MB)

        self._client = client
        self._errors = redis.RedisError

    def get(self, key: str) -> Answer | None:
        try:
            data = self._client.get(self.PREFIX + key)
        except self._errors:
            return None
        return Answer.from_bytes(data) if isinstance(data, bytes) else None

    def put(self, key: str, answer: Answer) -> None:
        try:
            self._client.set(self.PREFIX + key, answer.to_bytes(), ex=TTL)
        except self._errors:
            return


def init_app(app: Flask) -> None:
    """Register last: the lookup then runs after every other check (the rate limit counts a
    kept answer too), and keeping runs before the hooks that add per-request headers."""
    settings = app.config["SETTINGS"]
    if not settings.public_cache:
        return
    answers: Answers
    if settings.redis_url:
        from redis import Redis

        answers = RedisAnswers(Redis.from_url(settings.redis_url))
    else:
        answers = MemoryAnswers()
    app.extensions["public_answers"] = answers
    app.before_request(_give_kept_answer)
    app.after_request(_keep_answer)


def _give_kept_answer() -> Response | None:
    if not _anonymous_read():
        return None
    key = _key()
    if key is None:
        return None
    g.public_answer_key = key
    answer = current_app.extensions["public_answers"].get(key[0])
    if answer is None:
        return None
    g.public_answer_given = True
    body = answer.body.replace(NONCE, csp_nonce().encode())
    given = Response(body, status=answer.status, headers=answer.headers)
    given.make_conditional(request)  # as the view did for an answer with an ETag
    return given


def _keep_answer(response: Response) -> Response:
    key = g.pop("public_answer_key", None)
    if key is None or g.get("public_answer_given") or not _shared(response):
        return response
    kept_key, until = key
    if until is not None and utcnow() >= until:
        return response  # a release time passed while it was made: its key may be too old
    body = response.get_data()
    nonce = g.get("csp_nonce")
    headers = [(k, v) for k, v in response.headers.items() if k not in LEFT_OUT]
    if nonce is not None:
        body = body.replace(nonce.encode(), NONCE)
    current_app.extensions["public_answers"].put(
        kept_key, Answer(response.status_code, headers, body)
    )
    return response


def _anonymous_read() -> bool:
    """A read that carries nobody's identity: no session, no token, not a staff path."""
    if request.method not in ("GET", "HEAD") or request.path.startswith(NOT_KEPT):
        return False
    if any(name in request.headers for name in (*TOKEN_HEADERS, "Range")):
        return False  # a token's answer is its own; a part of a file is made each time
    cookies = (current_app.config["SESSION_COOKIE_NAME"], "remember_token")
    return not any(name in request.cookies for name in cookies)


def _key() -> tuple[str, datetime | None] | None:
    """The kept answer's name, and the release time until which that name holds."""
    try:
        state = public_state(get_session())
    except SQLAlchemyError:
        get_session().rollback()  # a database not yet upgraded: the view says so
        return None
    if state is None:
        return None
    day = utc_to_uk(utcnow()).date().isoformat()
    accept = request.headers.get("Accept")
    parts = (state.key, day, _settings(), request.url, accept)
    return hashlib.sha256(repr(parts).encode()).hexdigest(), state.until


def _settings() -> str:
    """The settings a page may show (the site's name, the council's area, the contact), so a
    server started with new ones does not give out answers made with the old."""
    settings = current_app.config["SETTINGS"]
    known = current_app.extensions.get("public_answers_settings")
    if known is None or known[0] is not settings:
        shown = {k: v for k, v in vars(settings).items() if k not in PER_SERVER}
        known = (settings, hashlib.sha256(repr(sorted(shown.items())).encode()).hexdigest())
        current_app.extensions["public_answers_settings"] = known
    return known[1]


def _shared(response: Response) -> bool:
    """An answer that is the same for every anonymous visitor, and small enough to keep."""
    if response.status_code not in KEPT_STATUSES:
        return False
    if response.is_streamed or response.direct_passthrough:
        return False
    if "Set-Cookie" in response.headers or session.modified or g.get("api_account"):
        return False
    control = response.headers.get("Cache-Control", "")
    if "no-store" in control or "private" in control:
        return False
    length = response.calculate_content_length()
    return length is not None and length <= MAX_BYTES
