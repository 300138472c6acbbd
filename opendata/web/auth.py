"""Signing in and out of the publishing side of the site.

A browser that signs in to an account is given a device secret for it (a signed cookie), so
that other people's failed guesses at that account never slow its owner there
(`catalog.accounts.sign_in`). Signing out ends the session on the server as well.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from itsdangerous import BadSignature, URLSafeSerializer

from catalog.accounts.sessions import session_end, session_start
from catalog.accounts.sign_in import Attempt, Throttled, device_key, sign_in
from catalog.errors import NotAllowed
from opendata.auth import SignedIn, no_store, sign_in_counts
from opendata.database import get_session, keep_changes
from opendata.web.forms import FormErrors, text

bp = Blueprint("auth", __name__)
bp.after_request(no_store)

DEVICE_COOKIE = "opendata_device"
DEVICE_DAYS = 365


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET" and current_user.is_authenticated:
        return redirect(_next_page())
    if request.method == "GET":
        return render_template("publish/login.html", errors=FormErrors(), values={})
    email, password = text(request.form, "email"), request.form.get("password", "")
    errors, status, headers = _missing(email, password), 422, {}
    if not errors.messages:
        db = get_session()
        attempt = Attempt(email, password, request.remote_addr or "", _device(email))
        try:
            account = sign_in(db, attempt=attempt, counts=sign_in_counts())
        except Throttled as slowed:
            errors, status = FormErrors({"email": slowed.message}), 429
            headers = {"Retry-After": str(slowed.retry_after)}
        except NotAllowed as refused:
            keep_changes()  # a wrong password counts towards the lock-out
            errors, status = FormErrors({"email": refused.message}), 403
        else:
            secret = session_start(db, account=account)
            db.commit()
            session.clear()  # a fresh session on sign-in, so nothing carries over
            login_user(SignedIn(account, secret))
            response = redirect(_next_page())
            if attempt.device is None:
                _trust_device(response, email)
            return response
    page = render_template("publish/login.html", errors=errors, values=request.form)
    return page, status, headers


@bp.post("/logout")
def logout():
    secret = current_user.session_secret if current_user.is_authenticated else None
    logout_user()
    session.clear()
    if secret:
        session_end(get_session(), secret=secret)
        get_session().commit()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


def _devices() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="sign-in device")


def _device(email: str) -> str | None:
    """This browser's device secret for the account typed, if it signed in to it before."""
    try:
        held = _devices().loads(request.cookies.get(DEVICE_COOKIE, ""))
    except BadSignature:
        return None
    if isinstance(held, dict) and held.get("for") == device_key(email):
        return str(held.get("secret"))
    return None


def _trust_device(response: Response, email: str) -> None:
    value = _devices().dumps({"for": device_key(email), "secret": secrets.token_urlsafe(16)})
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=DEVICE_DAYS * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )


def _missing(email: str, password: str) -> FormErrors:
    messages = {}
    if not email:
        messages["email"] = "Enter your email address."
    if not password:
        messages["password"] = "Enter your password."
    return FormErrors(messages)


def _next_page() -> str:
    """Where to go after signing in: the page asked for, if it is on this site."""
    target = request.args.get("next", "")
    parts = urlsplit(target)
    local = target.startswith("/") and not target.startswith(("//", "/\\"))
    if local and not parts.netloc and not parts.scheme:
        return target
    return url_for("publish.my_work")
