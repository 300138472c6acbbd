"""CKAN's activity streams, of public events only: a dataset published, a file or a link
added to it, a new version or a correction (with its note) released, each at the second it
became public. They are the events of the release feeds (`catalog.distribution.feeds`), so an
embargoed version or an unreviewed change appears nowhere until it is released. Every event
names the council's publishing account as its `user_id`, never a person.

The staff audit trail (drafts, reviews, who did what) is for a dataset's own organisation:
its members get it from package_activity_list with their token.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid5

from catalog.distribution.feeds import ReleaseEntry, latest_releases
from catalog.models import Activity
from catalog.permissions import MEMBER
from catalog.publishing.history import PUBLISHED
from catalog.publishing.lookups import find_dataset, organisation_by_ref, topic_by_ref
from catalog.publishing.staff import staff_activity
from opendata.api.ckan_dicts import PUBLISHER_ID
from opendata.api.ckan_params import number, required
from opendata.api.ckan_search import count_param
from opendata.api.ckan_users import user_show
from opendata.auth import current_actor
from opendata.database import get_session

MAX_ACTIVITIES = 100


def package_activity_list(params: dict[str, Any]) -> list[dict[str, Any]]:
    """A dataset's public events by `id`, newest first; a member of its organisation gets
    the whole staff trail instead. `limit` (31, at most 100) and `offset` page them."""
    session, actor = get_session(), current_actor()
    dataset = find_dataset(session, required(params, "id"), actor=actor)
    offset, limit = _page(params)
    if actor is not None and actor.has_role(dataset.organisation_id, MEMBER):
        trail = staff_activity(session, actor=actor, dataset=dataset)
        return [_staff_activity(entry) for entry in trail[offset : offset + limit]]
    return _public(offset, limit, dataset=dataset)


def organization_activity_list(params: dict[str, Any]) -> list[dict[str, Any]]:
    """The public events of a publisher's datasets by `id`, newest first; `limit` (31, at
    most 100) and `offset`."""
    organisation = organisation_by_ref(get_session(), required(params, "id"))
    return _public(*_page(params), organisation=organisation)


def group_activity_list(params: dict[str, Any]) -> list[dict[str, Any]]:
    """The public events of a topic's datasets by `id`, newest first; `limit` (31, at most
    100) and `offset`."""
    topic = topic_by_ref(get_session(), required(params, "id"))
    return _public(*_page(params), topic=topic)


def recently_changed_packages_activity_list(params: dict[str, Any]) -> list[dict[str, Any]]:
    """The newest public events of every dataset; `limit` (31, at most 100) and `offset`."""
    return _public(*_page(params))


def user_activity_list(params: dict[str, Any]) -> list[dict[str, Any]]:
    """The public events of an account by `id`: every public event is the council
    publishing account's ("publisher"), so a staff account (shown only to its owner and site
    administrators) has none. `limit` (31, at most 100) and `offset`."""
    shown = user_show({"id": required(params, "id")})
    return _public(*_page(params)) if shown["id"] == PUBLISHER_ID else []


def _page(params: dict[str, Any]) -> tuple[int, int]:
    offset = count_param(params, "offset", 0)
    return offset, number(params, "limit", 31, most=MAX_ACTIVITIES)


def _public(offset: int, limit: int, **within: Any) -> list[dict[str, Any]]:
    entries = latest_releases(get_session(), limit=offset + limit, **within)
    return [activity_dict(entry) for entry in entries[offset:]]


def activity_dict(entry: ReleaseEntry) -> dict[str, Any]:
    """A public event as a CKAN activity; its id is made from what happened, so it is the
    same every time it is listed."""
    dataset, resource, version = entry.dataset, entry.resource, entry.version
    what = f"{dataset.id}:{entry.kind}:{resource.id if resource else ''}:"
    what += str(version.number if version else "")
    return {
        "id": str(uuid5(UUID(PUBLISHER_ID), what)),
        "timestamp": entry.at.isoformat(),
        "user_id": PUBLISHER_ID,
        "object_id": dataset.id,
        "activity_type": "new package" if entry.kind == PUBLISHED else "changed package",
        "data": {
            "kind": entry.kind,
            "resource": resource.title if resource else None,
            "version": version.number if version else None,
            "note": (version.note or None) if version else None,
            "package": {
                "id": dataset.id,
                "name": dataset.name,
                "title": dataset.title,
                "type": "dataset",
                "owner_org": dataset.organisation.uuid,
            },
        },
    }


def _staff_activity(entry: Activity) -> dict[str, Any]:
    return {
        "id": str(entry.id),
        "object_id": entry.object_id,
        "timestamp": entry.occurred_at.isoformat(),
        "activity_type": entry.action,
        "user_id": entry.actor,
        "data": {"summary": entry.summary},
    }


ACTIONS = {
    function.__name__: function
    for function in (
        package_activity_list,
        organization_activity_list,
        group_activity_list,
        recently_changed_packages_activity_list,
        user_activity_list,
    )
}
