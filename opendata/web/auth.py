"""Signing in and out of the publishing side of the site."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from catalog.accounts.users import authenticate
from catalog.errors import NotAllowed
from opendata.auth import SignedIn, no_store
from opendata.database import get_session, keep_changes
from opendata.web.forms import FormErrors, text

bp = Blueprint("auth", __name__)
bp.after_request(no_store)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET" and current_user.is_authenticated:
        return redirect(_next_page())
    if request.method == "GET":
        return render_template("publish/login.html", errors=FormErrors(), values={})
    email, password = text(request.form, "email"), request.form.get("password", "")
    errors, status = _missing(email, password), 422
    if not errors.messages:
        try:
            account = authenticate(get_session(), email=email, password=password)
        except NotAllowed as refused:
            keep_changes()  # a wrong password counts towards the lock-out
            errors, status = FormErrors({"email": refused.message}), 403
        else:
            session.clear()  # a fresh session on sign-in, so nothing carries over
            login_user(SignedIn(account))
            return redirect(_next_page())
    return render_template("publish/login.html", errors=errors, values=request.form), status


@bp.post("/logout")
def logout():
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


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
