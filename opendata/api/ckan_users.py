"""CKAN read actions about user accounts, under the council's rule that staff accounts are
never shown to the public.

CKAN shows every account's name and profile unless `ckan.auth.public_user_details` is off. A
council's publishers are its officers: the public learns who publishes a dataset from its
organisation and its contact, never from a person's account (DESIGN.md: a responsible
officer is a role, never a person's name). So these actions answer as CKAN does with public
user details off. The public sees one account, the council's publishing account
(`PUBLISHER_ID`, the `creator_user_id` of every dataset and the `user_id` of every public
activity); a token's holder also sees their own account, with its email; a site
administrator sees every account. Asking for any other account is a 403 whether or not it
exists, so an answer never tells who works here.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid5

from flask import current_app
from marshmallow import ValidationError

from catalog.accounts.users import accounts_by_name
from catalog.errors import NotAllowed, NotFound
from catalog.models import Account
from catalog.publishing.lookups import public_dataset_names, public_datasets_page
from catalog.publishing.staff import submitted_counts
from opendata.api.ckan_dicts import PUBLISHER_ID, package_dict
from opendata.api.ckan_params import flag, number, required, text
from opendata.api.ckan_search import count_param
from opendata.auth import current_account
from opendata.database import get_session
from opendata.schema_org import SITE_DESCRIPTION

PUBLISHER_NAME = "publisher"
PRIVATE = "Staff accounts are shown only to their owner and to site administrators."
MAX_LISTED = 1000
ORDERS = ("name", "fullname", "created")


def account_id(account: Account) -> str:
    """An account's id as CKAN clients see it: a UUID made from its number, so it never
    changes and is the same after a restore."""
    return str(uuid5(UUID(PUBLISHER_ID), f"account:{account.id}"))


def account_by_ref(session, ref: str) -> Account:
    """An account by its CKAN id (which is also its CKAN name), for whoever may see it."""
    for account in _visible(session):
        if account_id(account) == ref:
            return account
    if _caller_is_sysadmin():
        raise NotFound(f"There is no account with the id '{ref}'.")
    raise NotAllowed(PRIVATE)


def user_show(params: dict[str, Any]) -> dict[str, Any]:
    """One account by `id`: the council's publishing account ("publisher") for anyone; your
    own with a token; any account for a site administrator. With `include_datasets=true`,
    the publishing account lists its 50 most recently changed public datasets; a staff
    account lists none (package_search with include_private finds your own)."""
    ref = required(params, "id")
    session = get_session()
    if ref in (PUBLISHER_ID, PUBLISHER_NAME):
        shown = _publisher()
        newest = public_datasets_page(session, limit=50) if flag(params, "include_datasets") else []
    else:
        shown, newest = _staff(account_by_ref(session, ref), submitted_counts(session)), []
    if flag(params, "include_datasets"):
        shown["datasets"] = [package_dict(dataset) for dataset in newest]
    return shown


def user_list(params: dict[str, Any]) -> list:
    """The accounts you may see (see this module's docstring), as dictionaries, or their
    names with `all_fields=false`; `q` keeps those whose name holds it; `order_by` name (the
    default), fullname or created; `limit` (at most 1000) and `offset` page them."""
    session = get_session()
    counts = submitted_counts(session)
    shown = [_publisher(), *(_staff(a, counts) for a in _visible(session))]
    query = text(params, "q").lower()
    if query:
        shown = [u for u in shown if query in f"{u['name']} {u['fullname']}".lower()]
    order = text(params, "order_by") or "name"
    if order not in ORDERS:
        raise ValidationError({"order_by": [f"Order by one of: {', '.join(ORDERS)}."]})
    shown.sort(key=lambda user: str(user[order] or ""))
    offset = count_param(params, "offset", 0)
    page = shown[offset : offset + number(params, "limit", MAX_LISTED, most=MAX_LISTED)]
    return page if flag(params, "all_fields", True) else [user["name"] for user in page]


def user_autocomplete(params: dict[str, Any]) -> list[dict[str, str]]:
    """Accounts you may see whose name holds `q`, at most `limit` (20): id, name, fullname.
    It needs a token, as CKAN's does."""
    if current_account() is None:
        raise NotAllowed("Send an API token to look up accounts.")
    query = text(params, "q")
    if not query:
        raise ValidationError({"q": ["Missing value"]})
    found = user_list({"q": query, "limit": number(params, "limit", 20, most=100)})
    return [{"id": u["id"], "name": u["name"], "fullname": u["fullname"]} for u in found]


def _visible(session) -> list[Account]:
    """The staff accounts the caller may see: all for a site administrator, else their own."""
    mine = current_account()
    if mine is None:
        return []
    return accounts_by_name(session) if mine.sysadmin else [mine]


def _caller_is_sysadmin() -> bool:
    mine = current_account()
    return mine is not None and mine.sysadmin


def _publisher() -> dict[str, Any]:
    """The council's publishing account: what CKAN's site user is, the creator of every
    public dataset."""
    site_name = current_app.config["SETTINGS"].site_name
    return {
        **_user_fields(PUBLISHER_ID, PUBLISHER_NAME, site_name),
        "about": SITE_DESCRIPTION,
        "created": None,
        "number_created_packages": len(public_dataset_names(get_session())),
    }


def _staff(account: Account, counts: dict[int, int]) -> dict[str, Any]:
    """A staff account, for its owner and site administrators only: with its email, and
    the datasets it has sent for review in any state, as CKAN counts for the owner."""
    ckan_id = account_id(account)
    return {
        **_user_fields(ckan_id, ckan_id, account.name),
        "about": "",
        "created": account.created_at.isoformat(),
        "email": account.email,
        "sysadmin": account.sysadmin,
        "state": "active" if account.active else "deleted",
        "last_active": account.last_login_at.isoformat() if account.last_login_at else None,
        "number_created_packages": counts.get(account.id, 0),
    }


def _user_fields(ckan_id: str, name: str, fullname: str) -> dict[str, Any]:
    return {
        "id": ckan_id,
        "name": name,
        "fullname": fullname,
        "display_name": fullname,
        "sysadmin": False,
        "state": "active",
        "image_url": "",
        "image_display_url": "",
        "email_hash": "",
        "activity_streams_email_notifications": False,
    }


ACTIONS = {function.__name__: function for function in (user_list, user_show, user_autocomplete)}
