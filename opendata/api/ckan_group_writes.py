"""CKAN write actions for organizations (our publishers) and groups (our topics): creating and
changing them, for site administrators only, as CKAN allows by default.

`ckanapi load organizations` and `ckanapi load groups` copy them from another CKAN site this
way: each is looked up by id, then by name, and created (keeping its id) or updated. Only a
name, title and description are kept; an image, extras, `users` and `packages` are ignored
(members are given roles with `opendata user role`, and datasets name their organisation and
topics themselves).
"""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, fields

from catalog.models import Organisation, Topic
from catalog.publishing.groups import (
    organisation_create,
    organisation_update,
    topic_create,
    topic_update,
)
from catalog.publishing.lookups import organisation_by_ref, topic_by_ref
from opendata.api.ckan_dicts import group_dict, organization_dict
from opendata.api.ckan_params import required
from opendata.auth import NO_TOKEN, require_actor
from opendata.database import get_session


class GroupIn(Schema):
    """The fields of an organization or group a caller may send; anything else is ignored."""

    class Meta:
        unknown = EXCLUDE

    id = fields.String(allow_none=True)
    name = fields.String()
    title = fields.String(allow_none=True)
    description = fields.String(allow_none=True)


def organization_create(params: dict[str, Any]) -> dict[str, Any]:
    """Create a publisher from `name`, `title` (the name if none) and `description`; `id`
    keeps the UUID it has on another CKAN site (a Validation Error if another group has it)."""
    given = _created(params)
    made = organisation_create(get_session(), actor=require_actor(NO_TOKEN), **given)
    return organization_dict(made)


def group_create(params: dict[str, Any]) -> dict[str, Any]:
    """Create a topic, with the fields of organization_create."""
    made = topic_create(get_session(), actor=require_actor(NO_TOKEN), **_created(params))
    return group_dict(made)


def organization_update(params: dict[str, Any]) -> dict[str, Any]:
    """Change the publisher found by `id` (its UUID or name): what is sent of `name`, `title`
    and `description` replaces what it has, and the rest stays. A new name is the address of
    its page from then on; sending it as it stands changes nothing."""
    actor, session = require_actor(NO_TOKEN), get_session()
    organisation = organisation_by_ref(session, required(params, "id", "name"))
    changed = organisation_update(
        session, actor=actor, organisation=organisation, **_updated(params, organisation)
    )
    return organization_dict(changed)


def group_update(params: dict[str, Any]) -> dict[str, Any]:
    """Change the topic found by `id`, as organization_update changes a publisher."""
    actor, session = require_actor(NO_TOKEN), get_session()
    topic = topic_by_ref(session, required(params, "id", "name"))
    changed = topic_update(session, actor=actor, topic=topic, **_updated(params, topic))
    return group_dict(changed)


def _created(params: dict[str, Any]) -> dict[str, Any]:
    given = GroupIn().load(params)
    name = str(given.get("name") or "")
    return {
        "name": name,
        "title": given.get("title") or name,
        "description": given.get("description") or "",
        "uuid": given.get("id") or None,
    }


def _updated(params: dict[str, Any], group: Organisation | Topic) -> dict[str, str]:
    """What is sent of the name, title and description, over what the group has now."""
    given = GroupIn().load(params)
    return {
        field: getattr(group, field) if given.get(field) is None else given[field]
        for field in ("name", "title", "description")
    }


ACTIONS = {
    function.__name__: function
    for function in (organization_create, group_create, organization_update, group_update)
}
