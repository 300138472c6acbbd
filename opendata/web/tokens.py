"""API tokens for the signed-in person: list, create (the secret shown once), revoke."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from catalog.accounts.tokens import token_create, token_revoke, token_status, tokens_of
from catalog.clock import utcnow
from catalog.errors import Invalid
from catalog.uk_time import end_of_uk_day
from opendata.auth import current_account, no_store, require_actor, require_sign_in
from opendata.database import get_session
from opendata.web.forms import FormErrors, date_field, text

bp = Blueprint("tokens", __name__, url_prefix="/account/tokens")
bp.before_request(require_sign_in)
bp.after_request(no_store)


@bp.get("")
def index():
    return _page()


@bp.post("")
def create():
    actor, session, account = require_actor(), get_session(), current_account()
    try:
        expires = date_field(request.form, "expires_at", "The expiry date")
        token, secret = token_create(
            session,
            actor=actor,
            account=account,
            name=text(request.form, "name"),
            expires_at=end_of_uk_day(expires) if expires else None,
        )
    except Invalid as error:
        session.rollback()
        return _page(FormErrors.from_error(error), request.form, 422)
    return _page(created=token, secret=secret)


@bp.post("/<int:token_id>/revoke")
def revoke(token_id: int):
    token = token_revoke(get_session(), actor=require_actor(), token_id=token_id)
    flash(f"The token '{token.name}' has been revoked: it no longer works.", "success")
    return redirect(url_for("tokens.index"))


def _page(errors=None, values=None, status=200, created=None, secret=None):
    """The tokens page; the secret of a token just created is in this response and no other
    (like every publishing page, it is sent with `no-store`)."""
    now = utcnow()
    tokens = [
        (token, token_status(token, now)) for token in tokens_of(get_session(), current_account())
    ]
    page = render_template(
        "publish/tokens.html",
        tokens=tokens,
        errors=errors or FormErrors(),
        values=values or {},
        created=created,
        secret=secret,
    )
    return page, status
