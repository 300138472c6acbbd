"""CKAN read actions about the site and its packages, and the registry of every read action
(the others live in `ckan_resources`, `ckan_groups`, `ckan_tags`, `ckan_activity`,
`ckan_users` and `ckan_following`).

Anonymous callers see public data only; a token's holder may also read the datasets of their
own organisations in any state (as CKAN shows members their drafts). Listings, counts and
autocompletion are of public data for everyone.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for
from marshmallow import ValidationError

from catalog.errors import NotFound
from catalog.permissions import Actor
from catalog.publishing.lookups import (
    all_licences,
    find_dataset,
    public_dataset_names,
    public_datasets_page,
    public_datasets_starting,
)
from opendata.api import (
    ckan_activity,
    ckan_following,
    ckan_groups,
    ckan_resources,
    ckan_tags,
    ckan_users,
)
from opendata.api.ckan_dicts import license_dict, package_dict
from opendata.api.ckan_params import number, required, text
from opendata.api.ckan_search import count_param, package_search
from opendata.auth import current_actor
from opendata.database import get_session
from opendata.schema_org import SITE_DESCRIPTION

CKAN_VERSION = "2.10.4"
MAX_AUTOCOMPLETE = 100
COLLABORATORS = "Dataset collaborators not enabled"
PUBLIC_OPTIONS = (
    "ckan.site_title",
    "ckan.site_description",
    "ckan.site_url",
    "ckan.locale_default",
)


def caller() -> Actor | None:
    return current_actor()


def site_read(_params: dict[str, Any]) -> bool:
    """Whether the site may be read: always true, as CKAN answers a public site."""
    return True


def status_show(_params: dict[str, Any]) -> dict[str, Any]:
    """The site: its title and address, and the CKAN version this API follows."""
    return {
        "ckan_version": CKAN_VERSION,
        **{key.removeprefix("ckan."): value for key, value in _public_config().items()},
        "extensions": ["activity", "datastore"],
    }


def config_option_list(_params: dict[str, Any]) -> list[str]:
    """The configuration options anyone may read with config_option_show (CKAN lets only a
    sysadmin read its runtime options; these are public anyway, on status_show)."""
    return list(_public_config())


def config_option_show(params: dict[str, Any]) -> str:
    """The value of one option config_option_list names, by `key`."""
    key = required(params, "key")
    options = _public_config()
    if key not in options:
        raise ValidationError({"key": [f"Configuration option '{key}' can not be shown"]})
    return options[key]


def _public_config() -> dict[str, str]:
    values = (
        current_app.config["SETTINGS"].site_name,
        SITE_DESCRIPTION,
        url_for("home.index", _external=True).rstrip("/"),
        "en_GB",
    )
    return dict(zip(PUBLIC_OPTIONS, values, strict=True))


def package_list(params: dict[str, Any]) -> list[str]:
    """The URL names of every public dataset, A to Z; `limit` and `offset` page them."""
    names = public_dataset_names(get_session())
    offset = count_param(params, "offset", 0)
    limit = params.get("limit")
    return names[offset : offset + count_param(params, "limit", 0)] if limit else names[offset:]


def package_show(params: dict[str, Any]) -> dict[str, Any]:
    """One dataset by `id` (its id or URL name; also `name_or_id`): public, or any state for
    a member of its organisation. Withdrawn datasets are not found. `include_tracking` and
    `use_default_schema` are accepted and change nothing (no page-view tracking is kept)."""
    dataset = find_dataset(get_session(), required(params, "id", "name_or_id"), actor=caller())
    return package_dict(dataset)


def current_package_list_with_resources(params: dict[str, Any]) -> list[dict[str, Any]]:
    """Public datasets with their resources, most recently changed first; `limit` (at most
    1000) and `offset` page them, for a full dump."""
    limit = min(count_param(params, "limit", 1000) or 1000, 1000)
    found = public_datasets_page(
        get_session(), limit=limit, offset=count_param(params, "offset", 0)
    )
    return [package_dict(dataset) for dataset in found]


def package_autocomplete(params: dict[str, Any]) -> list[dict[str, str]]:
    """Public datasets whose URL name or title starts with `q`, at most `limit` (10): each
    with the field that matched and the text to show, as CKAN's dataset form offers them."""
    query = text(params, "q")
    if not query:
        raise ValidationError({"q": ["Missing value"]})
    limit = number(params, "limit", 10, most=MAX_AUTOCOMPLETE)
    found = public_datasets_starting(get_session(), query, limit=limit)
    return [_completion(dataset.name, dataset.title, query) for dataset in found]


def _completion(name: str, title: str, query: str) -> dict[str, str]:
    if name.startswith(query.lower()):
        return {"name": name, "title": title, "match_field": "name", "match_displayed": name}
    shown = f"{title} ({name})"
    return {"name": name, "title": title, "match_field": "title", "match_displayed": shown}


def package_relationships_list(params: dict[str, Any]) -> list[dict[str, Any]]:
    """A dataset's relationships to others (`id`, optionally `id2` and `rel`): the catalogue
    records none, so the list is empty, and a named relationship is not found."""
    session, actor = get_session(), caller()
    first = find_dataset(session, required(params, "id"), actor=actor)
    second = find_dataset(session, str(params["id2"]), actor=actor) if params.get("id2") else None
    rel = text(params, "rel")
    if rel and rel != "relationships":
        other = f" {second.name}" if second else ""
        raise NotFound(f'Relationship "{first.name} {rel}{other}" not found.')
    return []


def package_collaborator_list(params: dict[str, Any]) -> list[dict[str, Any]]:
    """A dataset's collaborators: CKAN's dataset collaborators are not enabled here (access
    comes from roles in the publishing organisation), so a Validation Error, as CKAN gives."""
    find_dataset(get_session(), required(params, "id"), actor=caller())
    raise ValidationError({"collaborators": [COLLABORATORS]})


def package_collaborator_list_for_user(_params: dict[str, Any]) -> list[dict[str, Any]]:
    """The datasets an account collaborates on: collaborators are not enabled here."""
    raise ValidationError({"collaborators": [COLLABORATORS]})


def license_list(_params: dict[str, Any]) -> list[dict[str, Any]]:
    """Every licence a dataset may be published under."""
    return [license_dict(licence) for licence in all_licences(get_session())]


def term_translation_show(params: dict[str, Any]) -> list[dict[str, str]]:
    """Translations of `terms`: the catalogue is in English only, so there are none."""
    if "terms" not in params:
        raise ValidationError({"terms": ["Missing value"]})
    return []


ACTIONS = {
    **{
        function.__name__: function
        for function in (
            site_read,
            status_show,
            config_option_list,
            config_option_show,
            package_list,
            package_show,
            package_search,
            current_package_list_with_resources,
            package_autocomplete,
            package_relationships_list,
            package_collaborator_list,
            package_collaborator_list_for_user,
            license_list,
            term_translation_show,
        )
    },
    **ckan_resources.ACTIONS,
    **ckan_groups.ACTIONS,
    **ckan_tags.ACTIONS,
    **ckan_activity.ACTIONS,
    **ckan_users.ACTIONS,
    **ckan_following.ACTIONS,
}
