"""CKAN write actions, for a caller with an API token, through the catalogue's one write path.

The services check permissions and state rules, so these obey exactly what the publishing pages
obey: a new package is a draft until it has been reviewed and published on the site; a
published package cannot be edited in review; every change is in the activity log.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from marshmallow import ValidationError
from werkzeug.datastructures import FileStorage

from catalog.errors import NotFound
from catalog.permissions import Actor
from catalog.publishing.datasets import DatasetInput, dataset_create, dataset_update, opened_stamp
from catalog.publishing.lookups import (
    find_dataset_to_change,
    find_resource,
    organisation_by_ref,
    topic_by_ref,
)
from catalog.publishing.requirements import requirement_set
from catalog.publishing.resources import (
    Upload,
    resource_awaiting_create,
    resource_link_create,
    resource_link_update,
    version_add,
)
from catalog.publishing.resources import resource_create as add_resource
from catalog.publishing.workflow import dataset_withdraw
from opendata.api.ckan_dicts import (
    chosen_id,
    dataset_input,
    package_dict,
    requirement_extra,
    resource_dict,
    resources_in,
)
from opendata.auth import NO_TOKEN, require_actor
from opendata.database import get_session, get_store

DELETE_REASON = "Withdrawn by its publisher through the CKAN API."
REPLACE_NOTE = "New file uploaded through the CKAN API."
UNLISTABLE = (
    "Give each resource a url (a link to a file elsewhere), or url_type 'upload' and then "
    "upload its file with resource_patch."
)


def _organisation_name(ref: str) -> str:
    """An unknown `owner_org` is a field error, as in CKAN, not a missing page."""
    try:
        return organisation_by_ref(get_session(), ref).name
    except NotFound as error:
        raise ValidationError({"owner_org": [error.message]}) from error


def _ref(params: dict[str, Any], *names: str) -> str:
    for name in names:
        if params.get(name):
            return str(params[name])
    raise ValidationError({names[0]: ["Missing value"]})


def _topic_name(group: dict[str, str]) -> str:
    """A group sent by `id` or `name` (the id first, as CKAN looks it up) as our topic's name."""
    ref = group.get("id") or group.get("name")
    if not ref:
        raise ValidationError({"groups": ["Give each group's id or name."]})
    try:
        return topic_by_ref(get_session(), ref).name
    except NotFound as error:
        raise ValidationError({"groups": [error.message]}) from error


def package_create(params: dict[str, Any]) -> dict[str, Any]:
    """Create a draft package; it stays private until reviewed and published on the site.

    Its `resources` are created with it, in order: a link for each `url`, and for each
    `url_type` "upload" a file whose content is then sent with resource_patch, as
    `ckanapi load` copies another CKAN site. A site administrator may keep the package's
    `id`, as in CKAN (a UUID; a Validation Error if taken, or sent by anyone else); the
    resources' ids may be kept by anyone. `groups` are found by `id` or `name`. What
    package_show adds (`metadata_created`, `organization`, `state`, `num_resources`, ...)
    is ignored."""
    actor, session = require_actor(NO_TOKEN), get_session()
    data = dataset_input(params, organisation_for=_organisation_name, topic_for=_topic_name)
    requirement = requirement_extra(params, keep=None)
    dataset = dataset_create(session, actor=actor, data=data, dataset_id=chosen_id(params))
    requirement_set(session, actor=actor, dataset=dataset, key=requirement)
    for listed in resources_in(params):
        _listed_resource_create(actor, dataset, listed)
    return package_dict(dataset)


def _listed_resource_create(actor: Actor, dataset, listed: dict[str, Any]) -> None:
    url = listed.get("url") or ""
    name = listed.get("name") or url.rsplit("/", 1)[-1]
    description, resource_id = listed.get("description") or "", listed.get("id") or None
    if listed.get("url_type") == "upload":
        resource_awaiting_create(
            get_session(),
            actor=actor,
            dataset=dataset,
            title=name,
            format=listed.get("format") or PurePosixPath(urlsplit(url).path).suffix.lstrip("."),
            description=description,
            resource_id=resource_id,
        )
    elif url:
        resource_link_create(
            get_session(),
            actor=actor,
            dataset=dataset,
            title=name or url,
            url=url,
            description=description,
            format=listed.get("format") or None,
            rules=current_app.config["SETTINGS"].link_rules,
            resource_id=resource_id,
        )
    else:
        raise ValidationError({"resources": [UNLISTABLE]})


def package_update(params: dict[str, Any]) -> dict[str, Any]:
    """Replace a package's fields, as CKAN does: what is not sent is cleared (notes, tags,
    groups, extras, maintainer; the licence goes back to the default OGL); name, title and
    owner organisation stay unless sent. Use package_patch to change only some fields.
    A `resources` list is not applied (change files with the resource actions). Sending the
    package as it stands changes nothing, whatever `metadata_modified` says, so `ckanapi load`
    may run again over a copy it made."""
    actor, session = require_actor(NO_TOKEN), get_session()
    dataset = find_dataset_to_change(session, _ref(params, "id", "name"), actor=actor)
    kept = DatasetInput(
        name=dataset.name, title=dataset.title, organisation=dataset.organisation.name
    )
    data = dataset_input(
        params, organisation_for=_organisation_name, topic_for=_topic_name, current=kept
    )
    return _update(session, actor, dataset, data, params, requirement_extra(params, keep=None))


def package_patch(params: dict[str, Any]) -> dict[str, Any]:
    """Change only the fields sent; everything else stays as it is. Both update actions take
    an optional `metadata_modified`, as package_show gave it, to refuse a stale edit."""
    actor, session = require_actor(NO_TOKEN), get_session()
    dataset = find_dataset_to_change(session, _ref(params, "id", "name"), actor=actor)
    current = DatasetInput.from_dataset(dataset)
    data = dataset_input(
        params, organisation_for=_organisation_name, topic_for=_topic_name, current=current
    )
    requirement = requirement_extra(params, keep=dataset.transparency_requirement)
    return _update(session, actor, dataset, data, params, requirement)


def _update(
    session, actor: Actor, dataset, data: DatasetInput, params: dict[str, Any], requirement
):
    """Save the change; a `metadata_modified` sent back from package_show must still be the
    package's, or someone else has changed it since (409) and nothing is overwritten."""
    opened_at = opened_stamp(str(params.get("metadata_modified") or "") or None)
    updated = dataset_update(session, actor=actor, dataset=dataset, data=data, opened_at=opened_at)
    requirement_set(session, actor=actor, dataset=updated, key=requirement)
    return package_dict(updated)


def package_delete(params: dict[str, Any]) -> None:
    """CKAN's delete is our withdrawal: a published package is withdrawn (an admin's step),
    with `reason` (or a standard one) shown on its tombstone page, and disappears from the API.
    Nothing published is ever erased, so a draft or a package in review cannot be deleted this
    way (Validation Error); withdrawn packages are not found."""
    actor, session = require_actor(NO_TOKEN), get_session()
    dataset = find_dataset_to_change(session, _ref(params, "id", "name"), actor=actor)
    reason = str(params.get("reason") or DELETE_REASON)
    dataset_withdraw(session, actor=actor, dataset=dataset, reason=reason)
    return None


def resource_create(params: dict[str, Any]) -> dict[str, Any]:
    """Upload a file (multipart field `upload`) to a package as a new resource, or, with a
    `url` and no upload, add a link to a file hosted elsewhere: the address must be a public
    http or https one (no loopback, private or link-local address, no password in it)."""
    actor, session = require_actor(NO_TOKEN), get_session()
    dataset = find_dataset_to_change(session, _ref(params, "package_id"), actor=actor)
    if not _has_upload(params) and params.get("url"):
        link = resource_link_create(
            session,
            actor=actor,
            dataset=dataset,
            title=str(params.get("name") or params["url"]),
            url=str(params["url"]),
            description=str(params.get("description") or ""),
            format=_text(params, "format"),
            rules=current_app.config["SETTINGS"].link_rules,
        )
        return resource_dict(link)
    upload = _upload(params)
    resource = add_resource(
        session,
        store=get_store(),
        actor=actor,
        dataset=dataset,
        title=str(params.get("name") or upload.filename),
        upload=upload,
        description=str(params.get("description") or ""),
        format=str(params.get("format") or "").lower() or None,
    )
    return resource_dict(resource)


def resource_patch(params: dict[str, Any]) -> dict[str, Any]:
    """A new file for a resource becomes its next version, with `note` saying why; earlier
    versions stay downloadable. The same bytes as its newest version change nothing (as
    `ckanapi load --upload-resources` sends every file again on each run); a file listed
    in package_create gets its first version this way. Changing only a file's name or
    description is not supported here (use the publishing pages). A link's `url`, `name`,
    `description` and `format` can each be changed, under the same rules as resource_create."""
    actor, session = require_actor(NO_TOKEN), get_session()
    resource = find_resource(session, _ref(params, "id"), actor=actor)
    if not _has_upload(params) and (resource.link_url is not None or "url" in params):
        link = resource_link_update(
            session,
            actor=actor,
            resource=resource,
            url=_text(params, "url"),
            title=_text(params, "name"),
            description=_text(params, "description"),
            format=_text(params, "format"),
            rules=current_app.config["SETTINGS"].link_rules,
        )
        return resource_dict(link)
    version = version_add(
        session,
        store=get_store(),
        actor=actor,
        resource=resource,
        upload=_upload(params),
        note=str(params.get("note") or (REPLACE_NOTE if resource.versions else "")),
        keep_same=True,
    )
    return resource_dict(version.resource)


def _has_upload(params: dict[str, Any]) -> bool:
    file = params.get("upload")
    return isinstance(file, FileStorage) and bool(file.filename)


def _text(params: dict[str, Any], name: str) -> str | None:
    """A text field as sent, or None when it was not sent (so a patch leaves it alone)."""
    return None if params.get(name) is None else str(params[name])


def _upload(params: dict[str, Any]) -> Upload:
    file = params.get("upload")
    if not isinstance(file, FileStorage) or not file.filename:
        raise ValidationError({"upload": ["Send the file as a multipart form field 'upload'."]})
    return Upload(stream=file.stream, filename=file.filename)


ACTIONS = {
    function.__name__: function
    for function in (
        package_create,
        package_update,
        package_patch,
        package_delete,
        resource_create,
        resource_patch,
    )
}
