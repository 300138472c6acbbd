"""Forgotten passwords: ask for a reset link by email, then set a new password through it.

The forgotten-password page answers in the same words whether or not an account has that
email address. Links are always built on `OPENDATA_BASE_URL`, never on the Host header a
request arrived with, so a forged request cannot send someone a link to another site. The
reset page keeps its token out of referrers, caches and logs.
"""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import logout_user

from catalog.accounts.password_resets import (
    LinkRefused,
    TooSoon,
    account_for_reset,
    lifetime_in_words,
    password_reset,
    reset_link_issue,
)
from catalog.errors import Invalid, NotFound
from catalog.permissions import Actor
from opendata.auth import no_store
from opendata.database import get_session
from opendata.mail import mail_configured, send_mail_soon
from opendata.web.account import missing_fields
from opendata.web.forms import FormErrors, status_of, text

bp = Blueprint("password_reset", __name__, url_prefix="/account")
FORGOTTEN_PAGE = Actor.system("forgotten password page")
EMAIL_AT_MOST_EVERY = timedelta(minutes=5)
NEW_PASSWORD_FIELDS = {
    "new_password": "Enter a new password.",
    "confirm_password": "Enter the new password again.",
}


@bp.after_request
def _private(response: Response) -> Response:
    """The token is in the reset page's address: no cache keeps it, no link passes it on."""
    response.headers["Referrer-Policy"] = "no-referrer"
    return no_store(response)


@bp.route("/forgotten-password", methods=["GET", "POST"])
def forgotten():
    settings = current_app.config["SETTINGS"]
    if request.method == "GET" or not mail_configured(settings):
        return _forgotten_page(FormErrors())
    email = text(request.form, "email")
    if "@" not in email:
        return _forgotten_page(FormErrors({"email": "Enter your email address."})), 422
    _email_reset_link(email)
    return render_template(
        "account/link_sent.html", email=email, lifetime=lifetime_in_words(reset_lifetime())
    )


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset(token: str):
    secret, session = current_app.config["SECRET_KEY"], get_session()
    try:
        account_for_reset(session, token=token, secret=secret)
        if request.method == "GET":
            return _reset_page(token, FormErrors())
        errors = missing_fields(request.form, NEW_PASSWORD_FIELDS)
        if errors.messages:
            return _reset_page(token, errors), 422
        password_reset(
            session,
            token=token,
            secret=secret,
            password=request.form["new_password"],
            confirm=request.form["confirm_password"],
        )
    except LinkRefused as refused:
        page = render_template("account/link_refused.html", message=refused.message)
        return page, 410 if refused.gone else 400
    except Invalid as error:
        session.rollback()
        return _reset_page(token, FormErrors.from_error(error)), status_of(error)
    logout_user()
    flash("Your password has been changed. Sign in with your new password.", "success")
    return redirect(url_for("auth.login"))


def reset_url(token: str) -> str:
    """The full address of a reset link, on the site's configured base URL."""
    base_url = current_app.config["SETTINGS"].base_url
    with current_app.test_request_context(base_url=base_url):
        return url_for("password_reset.reset", token=token, _external=True)


def reset_lifetime() -> timedelta:
    return timedelta(hours=current_app.config["SETTINGS"].password_reset_hours)


def _email_reset_link(email: str) -> None:
    """Email a link if there is such an account; say nothing either way, and take as long
    either way (the email goes from a thread of its own). A relay that fails is logged
    (without the link) for the site's administrators."""
    settings = current_app.config["SETTINGS"]
    try:
        account, token = reset_link_issue(
            get_session(),
            actor=FORGOTTEN_PAGE,
            email=email,
            secret=current_app.config["SECRET_KEY"],
            lifetime=reset_lifetime(),
            at_most_every=EMAIL_AT_MOST_EVERY,
        )
    except (NotFound, TooSoon):
        return
    body = render_template(
        "account/reset_email.txt",
        account=account,
        link=reset_url(token),
        lifetime=lifetime_in_words(reset_lifetime()),
    )
    logger = current_app.logger

    def failed(error: OSError) -> None:
        logger.error(
            "Could not send a password reset email through %s: %s", settings.mail_server, error
        )

    send_mail_soon(
        settings, to=account.email, subject="Reset your password", body=body, failed=failed
    )


def _forgotten_page(errors: FormErrors) -> str:
    settings = current_app.config["SETTINGS"]
    return render_template(
        "account/forgotten.html",
        errors=errors,
        values=request.form,
        mail=mail_configured(settings),
        lifetime=lifetime_in_words(reset_lifetime()),
    )


def _reset_page(token: str, errors: FormErrors) -> str:
    return render_template("account/reset.html", token=token, errors=errors)
