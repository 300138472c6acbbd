"""Who is asking: staff sign in with a session cookie, programs send an API token.

Pages use the session (Flask-Login) and every form carries a CSRF token (Flask-WTF). Paths
under /api/ are the other way round: they ignore the session cookie entirely and accept only
an API token in a header, which is why they alone may skip the CSRF check: a forged
cross-site request carries the cookie, never the token.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from functools import wraps

from flask import Flask, Response, current_app, g, request
from flask_login import LoginManager, UserMixin, current_user
from flask_wtf.csrf import CSRFError, CSRFProtect

from catalog.accounts.sessions import session_is_live
from catalog.accounts.sign_in import FailureCounts, MemoryCounts, RedisCounts
from catalog.accounts.tokens import token_authenticate
from catalog.accounts.users import actor_for, get_account, password_fingerprint
from catalog.errors import NotAllowed, NotFound
from catalog.models import Account
from catalog.names import row_number
from catalog.permissions import Actor
from opendata.database import get_session
from opendata.errors import error_response

login_manager = LoginManager()
csrf = CSRFProtect()

API_PREFIX = "/api/"
NO_TOKEN = "Send an API token in the Authorization header: 'Authorization: Bearer <token>'."
EXPIRED_FORM = (
    "The form had expired or did not come from this site. Go back, reload the page and try again."
)


class SignedIn(UserMixin):
    """The account behind a session, as Flask-Login expects it. The session keeps the account
    id, a fingerprint of its password hash (a new password signs out every other session of
    the account) and the secret of its server-side session record (signing out deletes it,
    so a copy of the cookie is refused afterwards)."""

    def __init__(self, account: Account, session_secret: str) -> None:
        self.account = account
        self.session_secret = session_secret
        self.id = f"{account.id}:{password_fingerprint(account)}:{session_secret}"


def _sign_in_counts(redis_url: str | None) -> FailureCounts:
    """Failed sign-ins counted in Redis when there is one, else in this process."""
    if not redis_url:
        return MemoryCounts()
    from redis import Redis  # imported only when used: 0.1 to 0.3 s of every command's start

    return RedisCounts(Redis.from_url(redis_url))


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to publish data."
    login_manager.login_message_category = "info"
    login_manager.init_app(app)
    app.extensions["sign_in_counts"] = _sign_in_counts(app.config["SETTINGS"].redis_url)
    # The check is run by `_protect_forms` below, which knows that /api/ paths take tokens.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf.init_app(app)
    app.before_request(_protect_forms)
    app.before_request(_authenticate_token)
    app.register_error_handler(CSRFError, lambda _error: error_response(400, EXPIRED_FORM))


@login_manager.user_loader
def _load_user(user_id: str) -> SignedIn | None:
    account_id, fingerprint, secret = (user_id.split(":") + ["", ""])[:3]
    number = row_number(account_id)
    session = get_session()
    if number is None or not session_is_live(session, account_id=number, secret=secret):
        return None
    try:
        account = get_account(session, number)
    except NotFound:
        return None
    if not hmac.compare_digest(fingerprint, password_fingerprint(account)):
        return None
    return SignedIn(account, secret)


def _is_api() -> bool:
    return request.path.startswith(API_PREFIX)


def _protect_forms() -> None:
    """Every form post must carry its CSRF token, except on /api/ (tokens, no cookies)."""
    if current_app.config["WTF_CSRF_ENABLED"] and request.endpoint and not _is_api():
        csrf.protect()


def _authenticate_token():
    """Resolve a token header on /api/ paths; a token that does not work is a 401, never a
    silent fall back to anonymous."""
    if not _is_api():
        return None
    secret = _token_from_headers()
    if secret is None:
        return None
    try:
        g.api_account = token_authenticate(get_session(), secret)
    except NotAllowed as refused:
        return unauthorised(refused.message)
    return None


def _token_from_headers() -> str | None:
    """`Authorization: Bearer <token>`, or CKAN's bare `Authorization: <token>` and
    `X-CKAN-API-Key: <token>`. Another scheme (a proxy's `Basic` sign-in on a staging site)
    is not ours to judge, so it counts as no token rather than a bad one."""
    header = request.headers.get("Authorization", "").strip()
    scheme, _, rest = header.partition(" ")
    if scheme.lower() == "bearer":
        return rest.strip() or None
    if header and not rest:
        return header
    return request.headers.get("X-CKAN-API-Key", "").strip() or None


def unauthorised(message: str = NO_TOKEN):
    response = error_response(401, message)
    response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def sign_in_counts() -> FailureCounts:
    """Where failed sign-ins are counted: Redis when configured, else this process."""
    return current_app.extensions["sign_in_counts"]


def current_account() -> Account | None:
    """The token's account on /api/ paths, the signed-in account elsewhere, or None."""
    if _is_api():
        return g.get("api_account")
    return current_user.account if current_user.is_authenticated else None


def current_actor() -> Actor | None:
    """The actor every service call is made as, with the account's roles right now."""
    account = current_account()
    return actor_for(account) if account is not None else None


def require_actor(refusal: str = "Sign in first.") -> Actor:
    """The actor of a view that needs someone signed in (or a token, on /api/)."""
    actor = current_actor()
    if actor is None:
        raise NotAllowed(refusal)
    return actor


def require_sign_in():
    """A blueprint's `before_request`: send anyone not signed in to the sign-in page."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def no_store(response: Response) -> Response:
    """A publishing blueprint's `after_request`: drafts and token secrets stay out of every
    cache, shared or in the browser's history."""
    response.headers["Cache-Control"] = "private, no-store"
    return response


def token_required(view: Callable) -> Callable:
    """For /api/ views that need to know who is calling: no token, no answer (401)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_account() is None:
            return unauthorised()
        return view(*args, **kwargs)

    return wrapped
