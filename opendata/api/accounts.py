"""Who a token belongs to: the simplest way for a script to check that its token works."""

from __future__ import annotations

from flask import Blueprint
from marshmallow import Schema, fields

from opendata.auth import current_account, token_required

bp = Blueprint("api_accounts", __name__)


class RoleOut(Schema):
    organisation = fields.Function(lambda membership: membership.organisation.name)
    role = fields.String()


class AccountOut(Schema):
    name = fields.String()
    email = fields.String()
    sysadmin = fields.Boolean()
    roles = fields.List(fields.Nested(RoleOut), attribute="memberships")


@bp.get("/api/me")
@token_required
def me():
    return AccountOut().dump(current_account()), 200, {"Cache-Control": "private, no-store"}
