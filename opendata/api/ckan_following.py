"""Following, as CKAN's read actions ask about it. CKAN lets people follow datasets, groups,
organizations and other users; this catalogue has no following (its feeds and activity
streams serve that need), so every count is 0 and every list is empty.

Each action still answers as CKAN would about the thing named: one the caller may not read
is not found (a dataset, group or organization) or not theirs to see (a staff account, see
`ckan_users`). As in CKAN, `am_following_*` needs a token and the follower lists are for
site administrators.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from catalog.errors import NotAllowed
from catalog.publishing.lookups import find_dataset, organisation_by_ref, topic_by_ref
from opendata.api.ckan_params import required
from opendata.api.ckan_users import user_show
from opendata.auth import current_actor
from opendata.database import get_session

Action = Callable[[dict[str, Any]], Any]


def _dataset(ref: str) -> None:
    find_dataset(get_session(), ref, actor=current_actor())


def _group(ref: str) -> None:
    topic_by_ref(get_session(), ref)


def _organization(ref: str) -> None:
    organisation_by_ref(get_session(), ref)


def _user(ref: str) -> None:
    user_show({"id": ref})


FOLLOWED = {"dataset": _dataset, "group": _group, "organization": _organization, "user": _user}


def _answer(name: str, doc: str, check: Callable[[str], None], empty: Any, *, who=None) -> Action:
    """An action called `name` that checks the thing its `id` names, then gives `empty`;
    `who` first checks the caller."""

    def action(params: dict[str, Any]) -> Any:
        if who is not None:
            who()
        check(required(params, "id"))
        return empty() if callable(empty) else empty

    action.__name__, action.__doc__ = name, doc
    return action


def _signed_in() -> None:
    if current_actor() is None:
        raise NotAllowed("Send an API token to ask what you follow.")


def _sysadmin() -> None:
    actor = current_actor()
    if actor is None or not actor.sysadmin:
        raise NotAllowed("Only a site administrator can list followers.")


def _actions() -> list[Action]:
    made = []
    for kind, check in FOLLOWED.items():
        made += [
            _answer(
                f"{kind}_follower_count",
                f"How many follow a {kind} by `id`: nobody can follow here, so 0.",
                check,
                0,
            ),
            _answer(
                f"{kind}_follower_list",
                f"Who follows a {kind} by `id` (site administrators only): nobody.",
                check,
                list,
                who=_sysadmin,
            ),
            _answer(
                f"{kind}_followee_count",
                f"How many {kind}s the account `id` follows: none.",
                _user,
                0,
            ),
            _answer(
                f"{kind}_followee_list",
                f"The {kind}s the account `id` follows: none.",
                _user,
                list,
            ),
        ]
        if kind != "organization":
            made.append(
                _answer(
                    f"am_following_{kind}",
                    f"Whether you (a token's holder) follow a {kind} by `id`: never.",
                    check,
                    False,
                    who=_signed_in,
                )
            )
    made.append(_answer("followee_count", "How much the account `id` follows: nothing.", _user, 0))
    made.append(_answer("followee_list", "What the account `id` follows: nothing.", _user, list))
    return made


ACTIONS = {action.__name__: action for action in _actions()}
