"""The catalogue as CKAN clients read it: package, resource, organization, group, tag and
licence dictionaries, and CKAN's package fields read back into a `DatasetInput`.

Names follow CKAN (`notes` is our description, `owner_org` our organisation, `groups` our
topics); ids of organisations, groups and tags are their UUIDs; URLs are absolute, and a
resource's `url` is its permanent download address, or for a link to a file hosted elsewhere
that address itself (with no `url_type`, size or hash, as CKAN gives a link).

Every dataset is released by the council after review, not by a person, so `creator_user_id`
(and an activity's `user_id`) is the council's one public publishing account,
`PUBLISHER_ID`: staff accounts are never named to the public (see `ckan_users`). `author` is
the publishing organisation; `maintainer` and `maintainer_email` the contact the dataset page
shows. CKAN's free-text dataset `version` has no counterpart (files are versioned one by
one), so it is null. A resource's `datastore_active` says whether `datastore_search` serves
its table.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from flask import url_for
from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load

from catalog.licences import OGL, OPEN_DEFINITION
from catalog.models import (
    Dataset,
    DatasetState,
    Licence,
    Organisation,
    Resource,
    ResourceVersion,
    Tag,
    Topic,
)
from catalog.publishing.datasets import DatasetInput
from catalog.publishing.requirements import requirement_key
from catalog.tables.datastore.serving import serves_table
from catalog.visibility import is_public, public_view

EXTRAS = ("frequency", "temporal_start", "temporal_end", "spatial", "contact_name", "contact_email")
REQUIREMENT = "transparency_requirement"  # an extra kept on the dataset, not in DatasetInput
PUBLISHER_ID = "0f3c6e2a-5b8d-4c1e-9a7f-2d4b6c8e0a13"  # the council's public publishing account


def _time(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def package_state(dataset: Dataset) -> str:
    if dataset.state == DatasetState.WITHDRAWN:
        return "deleted"
    return "active" if is_public(dataset) else "draft"


def package_dict(dataset: Dataset) -> dict[str, Any]:
    """A public dataset as the public sees it (released files, public dates); a member's
    unpublished one as it stands, with the stamp an edit must send back."""
    licence = dataset.licence
    tags = [tag_dict(tag) for tag in dataset.tags]
    public = is_public(dataset)
    if public:
        view = public_view(dataset)
        resources = [_resource(f.resource, f.latest, f.updated_at) for f in view.files]
        modified = view.updated_at
    else:
        resources = [_resource(r, r.latest, r.modified_at) for r in dataset.resources]
        modified = dataset.modified_at
    return {
        "id": dataset.id,
        "name": dataset.name,
        "title": dataset.title,
        "notes": dataset.description,
        "type": "dataset",
        "url": url_for("datasets.show", name=dataset.name, _external=True),
        "license_id": licence.id,
        "license_title": licence.title,
        "license_url": licence.url,
        "isopen": licence.id in OPEN_DEFINITION,
        "organization": organization_dict(dataset.organisation),
        "owner_org": dataset.organisation.uuid,
        "groups": [group_dict(topic) for topic in dataset.topics],
        "tags": tags,
        "num_tags": len(tags),
        "resources": resources,
        "num_resources": len(resources),
        "metadata_created": _time(dataset.created_at),
        "metadata_modified": _time(modified),
        "state": package_state(dataset),
        "private": not public,
        "creator_user_id": PUBLISHER_ID,
        "author": dataset.organisation.title,
        "author_email": None,
        "maintainer": dataset.contact_name,
        "maintainer_email": dataset.contact_email,
        "version": None,
        "extras": _extras(dataset),
        "relationships_as_subject": [],
        "relationships_as_object": [],
    }


def _extras(dataset: Dataset) -> list[dict[str, str]]:
    values = {key: getattr(dataset, key) for key in (*EXTRAS, REQUIREMENT)}
    if dataset.temporal_start or dataset.temporal_end:
        start, end = dataset.temporal_start, dataset.temporal_end
        values["temporal"] = (
            f"{start.isoformat() if start else ''}/{end.isoformat() if end else ''}"
        )
    return [
        {"key": key, "value": value.isoformat() if isinstance(value, date) else str(value)}
        for key, value in values.items()
        if value
    ]


def resource_dict(resource: Resource) -> dict[str, Any]:
    """A file of a public dataset as released (its newest released version, when that was
    released); a file of a member's unpublished dataset as it stands."""
    if not is_public(resource.dataset):
        return _resource(resource, resource.latest, resource.modified_at)
    file = public_view(resource.dataset).file(resource.id)
    if file is None:
        return _resource(resource, None, resource.created_at)
    return _resource(resource, file.latest, file.updated_at)


def _resource(
    resource: Resource, version: ResourceVersion | None, modified: datetime
) -> dict[str, Any]:
    if resource.link_url is not None:
        return link_dict(resource, modified)
    dataset = resource.dataset
    url = None
    if version is not None:
        url = url_for(
            "downloads.latest",
            name=dataset.name,
            resource_id=resource.id,
            filename=version.filename,
            _external=True,
        )
    return {
        "id": resource.id,
        "package_id": dataset.id,
        "name": resource.title,
        "description": resource.description,
        "url": url,
        "format": resource.format.upper(),
        "mimetype": version.media_type if version else None,
        "size": version.size if version else None,
        "hash": f"sha256:{version.sha256}" if version else "",
        "last_modified": _time(version.published_at or version.created_at) if version else None,
        "created": _time(resource.created_at),
        "metadata_modified": _time(modified),
        "state": "active",
        "position": resource.position,
        "url_type": "upload",
        "datastore_active": is_public(dataset) and serves_table(resource),
    }


def link_dict(resource: Resource, modified: datetime) -> dict[str, Any]:
    """A linked resource as CKAN shows a link: `url` is the address, nothing is uploaded."""
    return {
        "id": resource.id,
        "package_id": resource.dataset_id,
        "name": resource.title,
        "description": resource.description,
        "url": resource.link_url,
        "format": resource.format.upper(),
        "mimetype": None,
        "size": None,
        "hash": "",
        "last_modified": _time(modified),
        "created": _time(resource.created_at),
        "metadata_modified": _time(modified),
        "state": "active",
        "position": resource.position,
        "url_type": None,
        "datastore_active": False,
    }


def organization_dict(organisation: Organisation, count: int | None = None) -> dict[str, Any]:
    """A publisher as CKAN's organization, with its count of public datasets if given."""
    return _group(organisation, "organization", count)


def group_dict(topic: Topic, count: int | None = None) -> dict[str, Any]:
    """A topic as CKAN's group, with its count of public datasets if given."""
    return _group(topic, "group", count)


def _group(group: Organisation | Topic, kind: str, count: int | None) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": group.uuid,
        "name": group.name,
        "title": group.title,
        "display_name": group.title,
        "description": group.description,
        "type": kind,
        "is_organization": kind == "organization",
        "approval_status": "approved",
        "image_url": "",
        "image_display_url": "",
        "state": "active",
    }
    if count is not None:
        found["package_count"] = count
    return found


def tag_dict(tag: Tag) -> dict[str, Any]:
    """A free tag (we have no vocabularies), as CKAN lists a tag."""
    return {
        "id": tag.uuid,
        "name": tag.name,
        "display_name": tag.name,
        "vocabulary_id": None,
        "state": "active",
    }


def license_dict(licence: Licence) -> dict[str, Any]:
    conformance = "approved" if licence.id in OPEN_DEFINITION else "not reviewed"
    return {
        "id": licence.id,
        "title": licence.title,
        "url": licence.url,
        "status": "active",
        "od_conformance": conformance,
        "osd_conformance": "not reviewed",
        "domain_content": False,
        "domain_data": True,
        "domain_software": False,
        "maintainer": "",
        "family": "",
    }


class NamedItem(Schema):
    """CKAN's `{"name": ...}` items of `tags`."""

    class Meta:
        unknown = EXCLUDE

    name = fields.String(required=True)


class GroupRef(Schema):
    """An item of `groups`: CKAN finds a group by its `id` if sent, else by its `name`."""

    class Meta:
        unknown = EXCLUDE

    id = fields.String()
    name = fields.String()


class ResourceIn(Schema):
    """A resource listed in a new package: a link (`url`), or a file whose content follows
    with resource_patch (`url_type` "upload"), as `ckanapi load` copies a site."""

    class Meta:
        unknown = EXCLUDE

    id = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    format = fields.String(allow_none=True)
    url = fields.String(allow_none=True)
    url_type = fields.String(allow_none=True)


class Extra(Schema):
    class Meta:
        unknown = EXCLUDE

    key = fields.String(required=True)
    value = fields.String(allow_none=True)


class PackageIn(Schema):
    """CKAN package fields a client may send; anything else is ignored, as CKAN does."""

    class Meta:
        unknown = EXCLUDE

    id = fields.String(allow_none=True)
    name = fields.String()
    title = fields.String()
    notes = fields.String(allow_none=True)
    owner_org = fields.String()
    license_id = fields.String()
    tags = fields.List(fields.Nested(NamedItem))
    groups = fields.List(fields.Nested(GroupRef))
    resources = fields.List(fields.Nested(ResourceIn))
    extras = fields.List(fields.Nested(Extra))
    maintainer = fields.String(allow_none=True)
    maintainer_email = fields.String(allow_none=True)

    @pre_load
    def _text_lists(self, data, **_kwargs):
        """Form posts send tags as 'a,b'; turn them into CKAN's list of names."""
        data = dict(data)
        for key in ("tags", "groups"):
            if isinstance(data.get(key), str):
                data[key] = [{"name": n.strip()} for n in data[key].split(",") if n.strip()]
        return data


def dataset_input(
    body: dict[str, Any], *, organisation_for, topic_for, current: DatasetInput | None = None
) -> DatasetInput:
    """Read CKAN fields over `current` (a patch) or over nothing (a create or a full update).

    `organisation_for` turns an `owner_org` (name or id) into our organisation's name, and
    `topic_for` an item of `groups` into our topic's."""
    given = PackageIn().load(body)
    changes: dict[str, Any] = {}
    simple = {"name": "name", "title": "title", "notes": "description", "license_id": "licence"}
    changes.update(
        {ours: given[theirs] or "" for theirs, ours in simple.items() if theirs in given}
    )
    if "owner_org" in given:
        changes["organisation"] = organisation_for(given["owner_org"])
    if "tags" in given:
        changes["tags"] = [tag["name"] for tag in given["tags"]]
    if "groups" in given:
        changes["topics"] = [topic_for(group) for group in given["groups"]]
    changes.update(_contact(given))
    if "extras" in given:
        changes.update(_extras_in(given["extras"]))
    if current is not None:
        return replace(current, **changes)
    changes.setdefault("licence", OGL)
    for required in ("name", "title", "organisation"):
        if not changes.get(required):
            field = {"organisation": "owner_org"}.get(required, required)
            raise ValidationError({field: ["Missing value"]})
    return DatasetInput(**changes)


def _contact(given: dict[str, Any]) -> dict[str, Any]:
    found = {}
    if "maintainer" in given:
        found["contact_name"] = given["maintainer"] or None
    if "maintainer_email" in given:
        found["contact_email"] = given["maintainer_email"] or None
    return found


def chosen_id(body: dict[str, Any]) -> str | None:
    """The `id` a new package is to keep, if one is sent (a blank one is none)."""
    return PackageIn().load(body).get("id") or None


def resources_in(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The `resources` listed in a new package, in order."""
    listed: list[dict[str, Any]] = PackageIn().load(body).get("resources", [])
    return listed


def requirement_extra(body: dict[str, Any], *, keep: str | None) -> str | None:
    """The Transparency Code requirement sent as the `transparency_requirement` extra (blank
    for none), checked to be one we know; `keep` when the extra is not sent."""
    for extra in PackageIn().load(body).get("extras", []):
        if extra["key"] == REQUIREMENT:
            return requirement_key(extra.get("value"))
    return keep


def _extras_in(extras: list[dict[str, Any]]) -> dict[str, Any]:
    values = {extra["key"]: (extra.get("value") or None) for extra in extras}
    if (temporal := values.get("temporal")) and "/" in temporal:
        start, _, end = temporal.partition("/")
        values.setdefault("temporal_start", start or None)
        values.setdefault("temporal_end", end or None)
    found: dict[str, Any] = {}
    for key in EXTRAS:
        if key in values:
            found[key] = values[key]
    for key in ("temporal_start", "temporal_end"):
        if found.get(key):
            try:
                found[key] = date.fromisoformat(found[key])
            except ValueError as error:
                raise ValidationError({key: ["Use a date like 2024-04-01."]}) from error
    return found
