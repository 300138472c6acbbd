"""CKAN read actions. Anonymous callers see public data only; a token's holder may also read
the datasets of their own organisations in any state (as CKAN shows members their drafts)."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError

from catalog.permissions import MEMBER, Actor
from catalog.publishing.groups import organisations_with_counts, topics_with_counts
from catalog.publishing.history import public_history
from catalog.publishing.lookups import (
    all_licences,
    find_dataset,
    find_resource,
    organisation_by_ref,
    public_dataset_names,
    public_datasets_page,
    public_tag_names,
    topic_by_ref,
)
from catalog.publishing.staff import staff_activity
from opendata.api.ckan_dicts import (
    activity_dict,
    group_dict,
    license_dict,
    organization_dict,
    package_dict,
    resource_dict,
)
from opendata.api.ckan_search import count_param, package_search, truthy
from opendata.auth import current_actor
from opendata.database import get_session

CKAN_VERSION = "2.10.4"


def caller() -> Actor | None:
    return current_actor()


def _required(params: dict[str, Any], name: str) -> str:
    value = params.get(name)
    if value in (None, ""):
        raise ValidationError({name: ["Missing value"]})
    return str(value)


def status_show(_params: dict[str, Any]) -> dict[str, Any]:
    """The site and the CKAN version this API follows."""
    return {
        "ckan_version": CKAN_VERSION,
        "site_title": "Open data",
        "site_description": "Open data published by the council under the Open Government Licence.",
        "site_url": "",
        "locale_default": "en_GB",
        "extensions": [],
    }


def package_list(params: dict[str, Any]) -> list[str]:
    """The URL names of every public dataset, A to Z; `limit` and `offset` page them."""
    names = public_dataset_names(get_session())
    offset = count_param(params, "offset", 0)
    limit = params.get("limit")
    return names[offset : offset + count_param(params, "limit", 0)] if limit else names[offset:]


def package_show(params: dict[str, Any]) -> dict[str, Any]:
    """One dataset by `id` (its id or URL name): public, or any state for a member of its
    organisation. Withdrawn datasets are not found."""
    dataset = find_dataset(get_session(), _required(params, "id"), actor=caller())
    return package_dict(dataset)


def current_package_list_with_resources(params: dict[str, Any]) -> list[dict[str, Any]]:
    """Public datasets with their resources, most recently changed first; `limit` (at most
    1000) and `offset` page them, for a full dump."""
    limit = min(count_param(params, "limit", 1000) or 1000, 1000)
    found = public_datasets_page(
        get_session(), limit=limit, offset=count_param(params, "offset", 0)
    )
    return [package_dict(dataset) for dataset in found]


def organization_list(params: dict[str, Any]) -> list:
    """Publishers' URL names, or with `all_fields=true` their dictionaries with public counts."""
    counted = organisations_with_counts(get_session())
    if truthy(params, "all_fields"):
        return [organization_dict(org, count) for org, count in _by_name(counted)]
    return [org.name for org, _count in _by_name(counted)]


def organization_show(params: dict[str, Any]) -> dict[str, Any]:
    """One publisher by `id` (its id or URL name), with its count of public datasets."""
    organisation = organisation_by_ref(get_session(), _required(params, "id"))
    counts = dict((org.id, n) for org, n in organisations_with_counts(get_session()))
    return organization_dict(organisation, counts.get(organisation.id, 0))


def group_list(params: dict[str, Any]) -> list:
    """Topics (CKAN groups) by URL name, or with `all_fields=true` as dictionaries."""
    counted = topics_with_counts(get_session())
    if truthy(params, "all_fields"):
        return [group_dict(topic, count) for topic, count in _by_name(counted)]
    return [topic.name for topic, _count in _by_name(counted)]


def group_show(params: dict[str, Any]) -> dict[str, Any]:
    """One topic by `id` (its id or URL name), with its count of public datasets."""
    topic = topic_by_ref(get_session(), _required(params, "id"))
    counts = dict((t.id, n) for t, n in topics_with_counts(get_session()))
    return group_dict(topic, counts.get(topic.id, 0))


def _by_name(counted: list) -> list:
    return sorted(counted, key=lambda pair: pair[0].name)


def tag_list(_params: dict[str, Any]) -> list[str]:
    """The tags of public datasets, A to Z."""
    return public_tag_names(get_session())


def license_list(_params: dict[str, Any]) -> list[dict[str, Any]]:
    """Every licence a dataset may be published under."""
    return [license_dict(licence) for licence in all_licences(get_session())]


def resource_show(params: dict[str, Any]) -> dict[str, Any]:
    """One released file of a public dataset by `id` (members also see unpublished ones)."""
    return resource_dict(find_resource(get_session(), _required(params, "id"), actor=caller()))


def package_activity_list(params: dict[str, Any]) -> list[dict[str, Any]]:
    """The public history for everyone; a member of the organisation gets the whole trail."""
    session, actor = get_session(), caller()
    dataset = find_dataset(session, _required(params, "id"), actor=actor)
    limit = min(count_param(params, "limit", 31), 100)
    if actor is not None and actor.has_role(dataset.organisation_id, MEMBER):
        return [_staff_activity(a) for a in staff_activity(session, actor=actor, dataset=dataset)][
            :limit
        ]
    entries = public_history(dataset, limit=limit)
    return [activity_dict(dataset, n, entry) for n, entry in enumerate(entries)]


def _staff_activity(entry) -> dict[str, Any]:
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
        status_show,
        package_list,
        package_show,
        package_search,
        current_package_list_with_resources,
        organization_list,
        organization_show,
        group_list,
        group_show,
        tag_list,
        license_list,
        resource_show,
        package_activity_list,
    )
}
