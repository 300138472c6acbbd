"""The signed-in person's own account: who they are, their roles, and changing their password."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user

from catalog.accounts.users import password_change
from catalog.errors import Invalid, NotAllowed
from opendata.auth import SignedIn, current_account, no_store, require_actor, require_sign_in
from opendata.database import get_session, keep_changes
from opendata.web.forms import FormErrors, status_of

bp = Blueprint("account", __name__, url_prefix="/account")
bp.before_request(require_sign_in)
bp.after_request(no_store)

PASSWORD_FIELDS = {
    "current_password": "Enter your current password.",
    "new_password": "Enter a new password.",
    "confirm_password": "Enter the new password again.",
}


@bp.get("")
def show():
    account = current_account()
    memberships = sorted(account.memberships, key=lambda m: m.organisation.title)
    return render_template("account/show.html", account=account, memberships=memberships)


@bp.route("/password", methods=["GET", "POST"])
def password():
    if request.method == "GET":
        return render_template("account/password.html", errors=FormErrors())
    errors = missing_fields(request.form, PASSWORD_FIELDS)
    if errors.messages:
        return render_template("account/password.html", errors=errors), 422
    session, account = get_session(), current_account()
    try:
        password_change(
            session,
            actor=require_actor(),
            account=account,
            current_password=request.form["current_password"],
            new_password=request.form["new_password"],
            confirm=request.form["confirm_password"],
        )
    except NotAllowed as error:
        keep_changes()  # a wrong current password counts towards the lock-out
        return _password_refused(error)
    except Invalid as error:
        session.rollback()
        return _password_refused(error)
    # This session carries the new fingerprint; every other one ends.
    login_user(SignedIn(account, current_user.session_secret))
    flash("Your password has been changed. You have been signed out everywhere else.", "success")
    return redirect(url_for("account.show"))


def _password_refused(error: Invalid | NotAllowed):
    page = render_template("account/password.html", errors=FormErrors.from_error(error))
    return page, status_of(error)


def missing_fields(form, fields: dict[str, str]) -> FormErrors:
    """A message for each required field left blank (passwords are never stripped)."""
    return FormErrors({name: message for name, message in fields.items() if not form.get(name)})
