"""CKAN read actions about organizations (our publishers) and groups (our topics): listing,
showing, autocompleting and their members, and which of them a token's holder works in.

Organisations and topics are public, with or without public datasets; their datasets and
counts are of public datasets only, for every caller. Who belongs to an organisation is shown
only to its admins and site administrators (`include_users`, `member_list`).
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError

from catalog.accounts.users import actor_for, members_of
from catalog.errors import NotAllowed, NotFound
from catalog.models import Organisation, Topic
from catalog.permissions import ADMIN, EDITOR, MEMBER, RANK, Actor
from catalog.publishing.groups import organisations_with_counts, topics_with_counts
from catalog.publishing.lookups import (
    find_dataset,
    organisation_by_ref,
    public_datasets_in,
    topic_by_ref,
)
from opendata.api.ckan_dicts import group_dict, organization_dict, package_dict
from opendata.api.ckan_params import flag, number, required, text, text_list
from opendata.api.ckan_search import count_param
from opendata.api.ckan_users import account_by_ref, account_id
from opendata.auth import current_account, current_actor
from opendata.database import get_session

MAX_LISTED = 1000
MAX_AUTOCOMPLETE = 100
SORTS = ("name", "title", "package_count")
# The least role that grants each CKAN permission (CKAN's default roles).
PERMISSIONS = {
    "read": MEMBER,
    "create_dataset": EDITOR,
    "update_dataset": EDITOR,
    "delete_dataset": EDITOR,
    "manage_group": ADMIN,
    "admin": ADMIN,
}
ROLES = [{"text": role.title(), "value": role} for role in (ADMIN, EDITOR, MEMBER)]


def organization_list(params: dict[str, Any]) -> list:
    """Publishers' URL names, or with `all_fields=true` their dictionaries (with
    `package_count`, the public datasets, unless `include_dataset_count=false`). `sort`:
    "name", "title" (the default) or "package_count", each "asc" or "desc"; `limit` (at most
    1000) and `offset` page them; `organizations` keeps only those named; `q` only those
    whose name, title or description holds it."""
    counted = organisations_with_counts(get_session())
    return _listed(counted, params, "organizations", organization_dict)


def group_list(params: dict[str, Any]) -> list:
    """Topics (CKAN groups) by URL name, or as dictionaries: the parameters of
    organization_list, with `groups` for the names to keep."""
    counted = topics_with_counts(get_session())
    return _listed(counted, params, "groups", group_dict)


def _listed(counted: list, params: dict[str, Any], names: str, to_dict) -> list:
    kept = text_list(params, names)
    query = text(params, "q").lower()
    chosen = [
        (group, count)
        for group, count in counted
        if (kept is None or group.name in kept) and (not query or query in _words(group))
    ]
    field, descending = _sort(text(params, "sort") or text(params, "order_by") or "title")
    chosen.sort(key=lambda pair: pair[1] if field == "package_count" else getattr(pair[0], field))
    if descending:
        chosen.reverse()
    offset = count_param(params, "offset", 0)
    page = chosen[offset : offset + number(params, "limit", MAX_LISTED, most=MAX_LISTED)]
    if not flag(params, "all_fields"):
        return [group.name for group, _count in page]
    with_count = flag(params, "include_dataset_count", True)
    return [
        {**to_dict(group, count if with_count else None), **_extras(params, defaults=False)}
        for group, count in page
    ]


def _words(group: Organisation | Topic) -> str:
    return f"{group.name} {group.title} {group.description}".lower()


def _sort(raw: str) -> tuple[str, bool]:
    """CKAN's "field direction": a count sorts most first unless told otherwise."""
    field, _, direction = " ".join(raw.split(",")[0].split()).partition(" ")
    field = "package_count" if field == "packages" else field
    if field not in SORTS or direction.lower() not in ("", "asc", "desc"):
        raise ValidationError({"sort": [f"Sort by one of {', '.join(SORTS)}, asc or desc."]})
    if not direction:
        return field, field == "package_count"
    return field, direction.lower() == "desc"


def organization_show(params: dict[str, Any]) -> dict[str, Any]:
    """One publisher by `id` (its UUID, URL name or old numeric id): `package_count` of its
    public datasets; with `include_datasets=true` those datasets (the first 1000), and its
    members for its admins (`include_users`); `extras`, `tags` and `groups` are empty."""
    organisation = organisation_by_ref(get_session(), required(params, "id"))
    counts = dict((org.id, n) for org, n in organisations_with_counts(get_session()))
    shown = organization_dict(organisation, _count(params, counts.get(organisation.id, 0)))
    if flag(params, "include_users", True):
        shown["users"] = _members(organisation)
    return {**shown, **_extras(params), **_datasets(params, organisation=organisation)}


def group_show(params: dict[str, Any]) -> dict[str, Any]:
    """One topic by `id` (its UUID, URL name or old numeric id), with the parameters of
    organization_show; a topic has no members."""
    topic = topic_by_ref(get_session(), required(params, "id"))
    counts = dict((t.id, n) for t, n in topics_with_counts(get_session()))
    shown = group_dict(topic, _count(params, counts.get(topic.id, 0)))
    if flag(params, "include_users", True):
        shown["users"] = []
    return {**shown, **_extras(params), **_datasets(params, topic=topic)}


def _count(params: dict[str, Any], count: int) -> int | None:
    return count if flag(params, "include_dataset_count", True) else None


def _extras(params: dict[str, Any], *, defaults: bool = True) -> dict[str, Any]:
    """What CKAN groups may hold and ours do not: extras, tags, sub-groups, followers."""
    shown: dict[str, Any] = {"num_followers": 0}
    for key in ("extras", "tags", "groups"):
        if flag(params, f"include_{key}", defaults):
            shown[key] = []
    return shown


def _datasets(params: dict[str, Any], **group: Any) -> dict[str, Any]:
    if not flag(params, "include_datasets"):
        return {}
    return {"packages": [package_dict(d) for d in public_datasets_in(get_session(), **group)]}


def _members(organisation: Organisation) -> list[dict[str, Any]]:
    """An organisation's members, for its admins and site administrators only."""
    actor = current_actor()
    if actor is None or not actor.has_role(organisation.id, ADMIN):
        return []
    return [
        {
            "id": account_id(m.account),
            "name": m.account.name,
            "display_name": m.account.name,
            "capacity": m.role,
        }
        for m in members_of(get_session(), organisation)
    ]


def group_package_show(params: dict[str, Any]) -> list[dict[str, Any]]:
    """The public datasets of a topic by `id`, most recently changed first: `limit` of them
    (10, at most 1000)."""
    topic = topic_by_ref(get_session(), required(params, "id"))
    limit = number(params, "limit", 10, most=MAX_LISTED)
    return [package_dict(d) for d in public_datasets_in(get_session(), topic=topic, limit=limit)]


def member_list(params: dict[str, Any]) -> list[list[str]]:
    """The members of an organization or group by `id`, as [id, type, capacity]: its public
    datasets ("package"), and for an organisation's admins its people ("user", with their
    role). `object_type` ("package" or "user") and `capacity` keep only those."""
    ref = required(params, "id")
    group: Organisation | Topic
    try:
        group = organisation_by_ref(get_session(), ref)
    except NotFound:
        group = topic_by_ref(get_session(), ref)
    kind = "organization" if isinstance(group, Organisation) else "public"
    found = [[d.id, "package", kind] for d in _public_datasets(group)]
    if isinstance(group, Organisation):
        found += [[user["id"], "user", user["capacity"]] for user in _members(group)]
    wanted_type, wanted_capacity = text(params, "object_type"), text(params, "capacity")
    return [
        member
        for member in found
        if wanted_type in ("", member[1]) and wanted_capacity in ("", member[2])
    ]


def _public_datasets(group: Organisation | Topic) -> list:
    if isinstance(group, Organisation):
        return public_datasets_in(get_session(), organisation=group)
    return public_datasets_in(get_session(), topic=group)


def organization_list_for_user(params: dict[str, Any]) -> list[dict[str, Any]]:
    """The organisations where the token's holder (or, for a site administrator, the account
    named by `id`) has `permission` ("read", "create_dataset", "update_dataset",
    "delete_dataset", or "manage_group", the default), each with the `capacity` (role) held;
    a site administrator has every one. Anonymous callers get an empty list."""
    actor = _actor_named(params)
    if actor is None:
        return []
    least = PERMISSIONS.get(text(params, "permission") or "manage_group")
    if least is None:
        return []
    with_count = flag(params, "include_dataset_count")
    return [
        {**organization_dict(org, count if with_count else None), "capacity": role}
        for org, count in organisations_with_counts(get_session())
        if (role := actor.role_in(org.id)) is not None and RANK[role] >= RANK[least]
    ]


def _actor_named(params: dict[str, Any]) -> Actor | None:
    actor = current_actor()
    if actor is None or not params.get("id"):
        return actor
    account = account_by_ref(get_session(), str(params["id"]))
    mine = current_account()
    if not actor.sysadmin and (mine is None or account.id != mine.id):
        raise NotAllowed("Only a site administrator can list another account's organisations.")
    return actor_for(account)


def group_list_authz(params: dict[str, Any]) -> list[dict[str, Any]]:
    """The topics the token's holder may file datasets under: every one for an editor of any
    organisation or a site administrator, none for anyone else. Topics have no members, so
    `am_member=true` gives none; with `available_only=true` and a package `id`, the topics it
    is not already in."""
    actor = current_actor()
    editor = actor is not None and (
        actor.sysadmin or any(RANK[role] >= RANK[EDITOR] for role in actor.roles.values())
    )
    if not editor or flag(params, "am_member"):
        return []
    taken: set[str] = set()
    if flag(params, "available_only") and params.get("id"):
        dataset = find_dataset(get_session(), str(params["id"]), actor=actor)
        taken = {topic.name for topic in dataset.topics}
    return [
        group_dict(topic, count)
        for topic, count in topics_with_counts(get_session())
        if topic.name not in taken
    ]


def organization_autocomplete(params: dict[str, Any]) -> list[dict[str, str]]:
    """Publishers whose URL name or title holds `q`, at most `limit` (20): id, name, title."""
    return _completions(organisations_with_counts(get_session()), params)


def group_autocomplete(params: dict[str, Any]) -> list[dict[str, str]]:
    """Topics whose URL name or title holds `q`, at most `limit` (20): id, name, title."""
    return _completions(topics_with_counts(get_session()), params)


def _completions(counted: list, params: dict[str, Any]) -> list[dict[str, str]]:
    query = text(params, "q").lower()
    if not query:
        raise ValidationError({"q": ["Missing value"]})
    limit = number(params, "limit", 20, most=MAX_AUTOCOMPLETE)
    matched = [
        {"id": group.uuid, "name": group.name, "title": group.title}
        for group, _count in counted
        if query in group.name.lower() or query in group.title.lower()
    ]
    return matched[:limit]


def member_roles_list(params: dict[str, Any]) -> list[dict[str, str]]:
    """The roles a member may hold: in an organization (the default `group_type`) admin,
    editor and member; a group has no editors."""
    group_type = text(params, "group_type") or "organization"
    if group_type not in ("organization", "group"):
        raise ValidationError({"group_type": ["Must be organization or group"]})
    return [r for r in ROLES if group_type == "organization" or r["value"] != EDITOR]


ACTIONS = {
    function.__name__: function
    for function in (
        organization_list,
        group_list,
        organization_show,
        group_show,
        group_package_show,
        member_list,
        organization_list_for_user,
        group_list_authz,
        organization_autocomplete,
        group_autocomplete,
        member_roles_list,
    )
}
