"""Every CKAN action's parameters, declared once: the OpenAPI description is made from
these (`ckan_openapi`), and the dispatcher checks each parameter sent against its declaration
before the action runs (`check_sent`), so what is documented is what is enforced.

Each check is the reader the action itself uses (`ckan_params`, `count_param`), so a value is
accepted here exactly when the action would accept it; checking up front only means that a
parameter an action reads in some cases (with a token, with `all_fields`) is refused whenever
it is malformed, not only then. Bounds come from where the actions enforce them. Writes read
their bodies themselves (after the caller's token), so their fields are declared for the
description only. Every action in `opendata.api.ckan.ACTIONS` has an entry in READS or WRITES
(a test holds this): a new action is one entry here.
"""

from __future__ import annotations

from typing import Any

from catalog.publishing.resource_search import ORDERS, SEARCHABLE
from catalog.search.query_language import SORTS
from catalog.tables.datastore.records import ROWS_MAX
from opendata.api import (
    ckan_activity,
    ckan_groups,
    ckan_reads,
    ckan_resources,
    ckan_search,
    ckan_tags,
    ckan_users,
)
from opendata.api.ckan_datastore import FORMATS
from opendata.api.ckan_dicts import REQUIREMENT
from opendata.api.ckan_kinds import (
    ACTIVITIES,
    COUNT,
    GROUP,
    IGNORED,
    INCLUDE_TRACKING,
    NAMES,
    NAMES_OR_DICTS,
    OBJECT,
    OBJECTS,
    OFFSET,
    PACKAGE,
    PACKAGES,
    RESOURCE,
    SEARCH,
    STRINGS,
    TEXT,
    UUID,
    Param,
    Read,
    Write,
    choice,
    count,
    flag,
    json_value,
    lenient_flag,
    limit,
    names,
    ref,
    text,
    text_or_json,
    texts,
)


def check_sent(action: str, params: dict[str, Any]) -> None:
    """Check every declared parameter of a read that was sent (a 409 Validation Error naming
    the first one that cannot be read)."""
    declared = READS.get(action)
    for param in declared.params if declared else ():
        if param.check is not None and param.name in params:
            param.check(params, param.name)


# What the results are, where that is cheap to say.


PACKAGE_ID = ref("The dataset's id or URL name (name_or_id is read when id is not sent).")
RESOURCE_ID = ref("The resource's id.", schema=UUID)
ORGANIZATION_ID = ref("The organization's id, URL name or old numeric id.")
GROUP_ID = ref("The group's (topic's) id, URL name or old numeric id.")
USER_ID = ref("The account's id or name (\"publisher\" is the council's publishing account).")
GROUP_LIST = (
    text(
        "sort",
        "How to sort: name, title (the default) or package_count, each optionally followed "
        "by asc or desc. order_by is read when sort is not sent.",
        example="name asc",
    ),
    text("order_by", "An older name for sort.", example="title"),
    limit(ckan_groups.MAX_LISTED, ckan_groups.MAX_LISTED),
    OFFSET,
    flag("all_fields", "Whether to give dictionaries instead of names."),
    flag("include_dataset_count", "Whether dictionaries count public datasets.", True),
    flag("include_extras", "Whether dictionaries have (empty) extras."),
    flag("include_tags", "Whether dictionaries have (empty) tags."),
    flag("include_groups", "Whether dictionaries have (empty) sub-groups."),
    text("q", "Keep those whose name, title or description holds this text."),
)
GROUP_SHOW = (
    flag("include_datasets", "Whether to list the public datasets (the first 1,000)."),
    flag("include_dataset_count", "Whether to count the public datasets.", True),
    flag("include_users", "Whether to list the members (for the organization's admins).", True),
    flag("include_extras", "Whether to give the (empty) extras.", True),
    flag("include_tags", "Whether to give the (empty) tags.", True),
    flag("include_groups", "Whether to give the (empty) sub-groups.", True),
)
ACTIVITY = (limit(31, ckan_activity.MAX_ACTIVITIES, "events"), OFFSET)
AUTOCOMPLETE = text("q", "The text to look for.", required=True)
NO_VOCABULARY = text("vocabulary_id", "A tag vocabulary: there are none, so any is not found.")
TAG_TERMS = (
    texts(
        "query", "Text the tag's name must hold (the parameter repeated for several, all of which)."
    ),
    texts("q", "Read as query when query is not sent."),
    NO_VOCABULARY,
)
DATASTORE_RESOURCE = Param(
    "resource_id",
    "The resource's id (id is read when this is not sent).",
    UUID,
    required=True,
    body=UUID,
)
FOLLOWED = {
    "dataset": PACKAGE_ID,
    "group": GROUP_ID,
    "organization": ORGANIZATION_ID,
    "user": USER_ID,
}


def _following() -> dict[str, Read]:
    """The following actions (see `ckan_following`): each names one thing by `id`."""
    reads = {}
    for kind, named in FOLLOWED.items():
        reads[f"{kind}_follower_count"] = Read((named,), COUNT)
        reads[f"{kind}_follower_list"] = Read((named,), OBJECTS)
        reads[f"{kind}_followee_count"] = Read((USER_ID,), COUNT)
        reads[f"{kind}_followee_list"] = Read((USER_ID,), OBJECTS)
        if kind != "organization":
            reads[f"am_following_{kind}"] = Read((named,), {"type": "boolean"})
    reads["followee_count"] = Read((USER_ID,), COUNT)
    reads["followee_list"] = Read((USER_ID,), OBJECTS)
    return reads


READS: dict[str, Read] = {
    "site_read": Read(result={"type": "boolean"}),
    "status_show": Read(),
    "help_show": Read((text("name", "The action's name.", required=True),), {"type": "string"}),
    "config_option_list": Read(result=STRINGS),
    "config_option_show": Read(
        (choice("key", "The option's name.", ckan_reads.PUBLIC_OPTIONS, required=True),),
        {"type": "string"},
    ),
    "package_list": Read(
        (count("limit", "How many names to give (all unless sent)."), OFFSET), STRINGS
    ),
    "package_show": Read(
        (
            PACKAGE_ID,
            INCLUDE_TRACKING,
            Param("use_default_schema", IGNORED, {"type": "string"}, body={}),
        ),
        PACKAGE,
    ),
    "package_search": Read(
        (
            text(
                "q",
                'CKAN\'s query language: words, "phrases", field:value, AND, OR, NOT and '
                "ranges of metadata_modified and metadata_created; everything unless sent.",
            ),
            text("fq", "A filter in the same language, e.g. organization:planning."),
            texts(
                "fq_list", "More filters in the same language (the parameter repeated for several)."
            ),
            count(
                "rows",
                f"How many datasets to give: 10 unless told, at most {ckan_search.MAX_ROWS:,} "
                f"(a larger number gives {ckan_search.MAX_ROWS:,}).",
                10,
            ),
            count("start", "How many matching datasets to skip first.", 0),
            text(
                "sort",
                "Comma-separated sorts, the first of which orders the results: "
                + ", ".join(SORTS)
                + "; score desc (relevance) unless sent.",
                example="metadata_modified desc",
            ),
            json_value(
                "facet.field",
                "A JSON list of the fields to count: "
                + ", ".join(ckan_search.FIELDS)
                + ' (e.g. ["organization", "tags"]).',
                NAMES,
            ),
            count(
                "facet.limit",
                "How many values of each facet to give, most common first; 50 unless sent, "
                "-1 for all.",
                50,
                least=-1,
            ),
            text(
                "include_private",
                "With a token, true also finds the unpublished datasets of your own "
                "organizations (true, 1, yes or on mean true, anything else false).",
            ),
        ),
        {
            "type": "object",
            "required": ["count", "results", "facets", "search_facets"],
            "properties": {
                "count": COUNT,
                "sort": {"type": "string"},
                "results": PACKAGES,
                "facets": OBJECT,
                "search_facets": OBJECT,
            },
        },
    ),
    "current_package_list_with_resources": Read(
        (
            count(
                "limit",
                "How many datasets to give: 1,000 unless told (or 0), at most 1,000 (a larger "
                "number gives 1,000).",
                1000,
            ),
            OFFSET,
        ),
        PACKAGES,
    ),
    "package_autocomplete": Read(
        (AUTOCOMPLETE, limit(10, ckan_reads.MAX_AUTOCOMPLETE, "datasets")), OBJECTS
    ),
    "package_relationships_list": Read(
        (
            PACKAGE_ID,
            text("id2", "The other dataset's id or URL name."),
            text("rel", "The kind of relationship."),
        ),
        OBJECTS,
    ),
    "package_collaborator_list": Read((PACKAGE_ID,), OBJECTS),
    "package_collaborator_list_for_user": Read(
        (text("id", "The account's id (collaborators are not enabled here)."),), OBJECTS
    ),
    "license_list": Read(result=OBJECTS),
    "term_translation_show": Read(
        (
            texts(
                "terms",
                "The terms to translate (the parameter repeated for several).",
                required=True,
            ),
        ),
        OBJECTS,
    ),
    "resource_show": Read((RESOURCE_ID, INCLUDE_TRACKING), RESOURCE),
    "resource_search": Read(
        (
            texts(
                "query",
                "field:term, all of which must match (the parameter repeated for several): "
                "the fields are " + ", ".join(SEARCHABLE) + ".",
                {"type": "string", "pattern": ":"},
                required=True,
                example=["format:csv"],
            ),
            choice("order_by", "What to sort by (the dataset's name unless sent).", tuple(ORDERS)),
            OFFSET,
            limit(ckan_resources.MAX_RESULTS, ckan_resources.MAX_RESULTS),
        ),
        {**SEARCH, "properties": {"count": COUNT, "results": {"type": "array", "items": RESOURCE}}},
    ),
    "resource_view_list": Read((RESOURCE_ID,), OBJECTS),
    "resource_view_show": Read(
        (ref("The view's id (a table view's id is its resource's id).", schema=UUID),), OBJECT
    ),
    "format_autocomplete": Read(
        (AUTOCOMPLETE, limit(5, ckan_resources.MAX_FORMATS, "formats")), STRINGS
    ),
    "organization_list": Read(
        (*GROUP_LIST, names("organizations", "Keep only the organizations named.")),
        NAMES_OR_DICTS,
    ),
    "group_list": Read(
        (*GROUP_LIST, names("groups", "Keep only the groups named.")), NAMES_OR_DICTS
    ),
    "organization_show": Read((ORGANIZATION_ID, *GROUP_SHOW), GROUP),
    "group_show": Read((GROUP_ID, *GROUP_SHOW), GROUP),
    "group_package_show": Read((GROUP_ID, limit(10, ckan_groups.MAX_LISTED, "datasets")), PACKAGES),
    "member_list": Read(
        (
            ref("The organization's or group's id or URL name."),
            choice("object_type", "Keep only members of this kind.", ("package", "user")),
            text("capacity", "Keep only members with this capacity (role)."),
        ),
        {"type": "array", "items": {"type": "array", "items": {"type": "string"}}},
    ),
    "organization_list_for_user": Read(
        (
            text("id", "Another account (site administrators only); yours unless sent."),
            text(
                "permission",
                "The permission needed: "
                + ", ".join(ckan_groups.PERMISSIONS)
                + "; manage_group unless sent (any other gives none).",
            ),
            flag("include_dataset_count", "Whether to count public datasets."),
        ),
        {"type": "array", "items": GROUP},
    ),
    "group_list_authz": Read(
        (
            flag("available_only", "Whether to leave out the groups the dataset id is in."),
            flag("am_member", "Whether to keep only groups you are a member of (none)."),
            text("id", "A dataset's id or URL name, for available_only."),
        ),
        {"type": "array", "items": GROUP},
    ),
    "organization_autocomplete": Read(
        (AUTOCOMPLETE, limit(20, ckan_groups.MAX_AUTOCOMPLETE, "organizations")), OBJECTS
    ),
    "group_autocomplete": Read(
        (AUTOCOMPLETE, limit(20, ckan_groups.MAX_AUTOCOMPLETE, "groups")), OBJECTS
    ),
    "member_roles_list": Read(
        (choice("group_type", "organization (unless sent) or group.", ("organization", "group")),),
        OBJECTS,
    ),
    "tag_list": Read(
        (
            text("query", "Keep the tags whose name holds this text."),
            text("q", "Read as query when query is not sent."),
            NO_VOCABULARY,
            flag("all_fields", "Whether to give dictionaries instead of names."),
        ),
        NAMES_OR_DICTS,
    ),
    "tag_show": Read(
        (
            ref("The tag's name or id."),
            NO_VOCABULARY,
            flag("include_datasets", "Whether to list its public datasets (the first 1,000)."),
        ),
        OBJECT,
    ),
    "tag_search": Read(
        (*TAG_TERMS, limit(ckan_tags.MAX_TAGS, ckan_tags.MAX_TAGS, "tags"), OFFSET), SEARCH
    ),
    "tag_autocomplete": Read((*TAG_TERMS, limit(10, 100, "names"), OFFSET), STRINGS),
    "vocabulary_list": Read(result=OBJECTS),
    "vocabulary_show": Read((ref("The vocabulary's id or name."),), OBJECT),
    "package_activity_list": Read((PACKAGE_ID, *ACTIVITY), ACTIVITIES),
    "organization_activity_list": Read((ORGANIZATION_ID, *ACTIVITY), ACTIVITIES),
    "group_activity_list": Read((GROUP_ID, *ACTIVITY), ACTIVITIES),
    "recently_changed_packages_activity_list": Read(ACTIVITY, ACTIVITIES),
    "user_activity_list": Read((USER_ID, *ACTIVITY), ACTIVITIES),
    "user_list": Read(
        (
            text("q", "Keep accounts whose name holds this text."),
            choice("order_by", "What to sort by (name unless sent).", ckan_users.ORDERS),
            limit(ckan_users.MAX_LISTED, ckan_users.MAX_LISTED, "accounts"),
            OFFSET,
            flag("all_fields", "Whether to give dictionaries instead of names.", True),
        ),
        NAMES_OR_DICTS,
    ),
    "user_show": Read(
        (USER_ID, flag("include_datasets", "Whether to list the account's datasets.")), OBJECT
    ),
    "user_autocomplete": Read((AUTOCOMPLETE, limit(20, 100, "accounts")), OBJECTS),
    **_following(),
    "datastore_search": Read(
        (
            DATASTORE_RESOURCE,
            json_value(
                "filters",
                'A JSON object of column: value or list of values, e.g. {"ward": "Heworth"}.',
                OBJECT,
            ),
            text_or_json(
                "q",
                "Words to find in any column, or a JSON object of column: words.",
                {"type": ["string", "object", "null"], "additionalProperties": {"type": "string"}},
            ),
            Param(
                "full_text",
                "Words to find in any column.",
                {"type": "string"},
                body={"type": ["string", "null"]},
            ),
            lenient_flag("plain", "false reads q as to_tsquery's & | ! and brackets.", True),
            text_or_json(
                "fields",
                "The columns to give, separated by commas (a name may be in double quotes).",
                {"type": ["array", "string", "null"], "items": {"type": "string"}},
            ),
            text_or_json(
                "sort",
                'Columns to sort by, separated by commas, e.g. "a desc, b nulls first".',
                {"type": ["array", "string", "null"], "items": {"type": "string"}},
            ),
            lenient_flag("distinct", "Whether to leave out repeated rows.", False),
            count(
                "limit",
                f"How many rows to give: 100 unless told, at most {ROWS_MAX:,} (a larger "
                f"number gives {ROWS_MAX:,}); 0 for the fields and the total only.",
                100,
            ),
            OFFSET,
            lenient_flag("include_total", "Whether to count the matching rows.", True),
            count(
                "total_estimation_threshold",
                "A total above this may be estimated, within 1% (see total_was_estimated).",
            ),
            choice(
                "records_format", "objects (unless sent), lists, csv or tsv (no header).", FORMATS
            ),
        ),
        {
            "type": "object",
            "required": ["resource_id", "fields", "records", "limit", "offset"],
            "properties": {
                "resource_id": {"type": "string"},
                "fields": OBJECTS,
                "records": {"type": ["array", "string"]},
                "total": COUNT,
            },
        },
    ),
    "datastore_info": Read(
        (
            DATASTORE_RESOURCE,
            lenient_flag("include_meta", "Whether to give the table's meta.", True),
            lenient_flag("include_fields_schema", "Whether to give each field's schema.", True),
        ),
        {"type": "object", "required": ["fields"], "properties": {"fields": OBJECTS}},
    ),
}

ITEMS_NAMED = {
    "type": "array",
    "items": {"type": "object", "properties": {"name": {"type": "string"}}},
}
PACKAGE_FIELDS = (
    Param("name", "The URL name: lower-case letters, digits, - and _.", {"type": "string"}),
    Param("title", "The title.", {"type": "string"}),
    Param("notes", "The description (Markdown).", {"type": ["string", "null"]}),
    Param("owner_org", "The organization's id or URL name.", {"type": "string"}),
    Param(
        "license_id",
        "A licence's id from license_list (OGL-UK-3.0 unless sent).",
        {"type": "string"},
    ),
    Param("tags", "Tags, as a list of {name}.", ITEMS_NAMED),
    Param("groups", "Topics, as a list of {name}.", ITEMS_NAMED),
    Param(
        "extras",
        "A list of {key, value}: frequency, temporal_start and temporal_end (dates), spatial, "
        f"contact_name, contact_email and {REQUIREMENT}.",
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"key": {"type": "string"}, "value": {"type": ["string", "null"]}},
            },
        },
    ),
    Param("maintainer", "Who to contact.", {"type": ["string", "null"]}),
    Param("maintainer_email", "Their email address.", {"type": ["string", "null"]}),
)
CHANGED_PACKAGE = (
    Param("id", "The dataset's id or URL name (or send name).", {"type": "string"}),
    Param(
        "metadata_modified",
        "The metadata_modified package_show gave: an edit of a dataset changed since is "
        "refused (409).",
        {"type": "string", "format": "date-time"},
    ),
)
FILE_FIELDS = (
    Param("name", "The resource's title (the file's name unless sent).", {"type": "string"}),
    Param("description", "What the file holds.", {"type": "string"}),
    Param("format", "The file's format, e.g. CSV.", {"type": "string"}),
    Param(
        "url",
        "A link's public http or https address (instead of an upload).",
        {"type": "string", "format": "uri"},
    ),
    Param("upload", "The file (in a multipart form).", {"type": "string", "format": "binary"}),
)
COPIED_PACKAGE = (
    Param(
        "id",
        "A site administrator may keep the id the dataset has on another CKAN site (a UUID "
        "not in use).",
        UUID,
    ),
    Param(
        "resources",
        "Files and links to create with it, in order, as package_show gives them: a link for "
        "each url, a file awaiting its upload (by resource_patch) for each url_type upload. "
        "Each keeps its id when one is sent.",
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "name": {"type": ["string", "null"]},
                    "url": {"type": ["string", "null"]},
                    "url_type": {"type": ["string", "null"]},
                },
            },
        },
    ),
)
GROUP_TEXT = (
    Param("title", "The title (at most 200 characters).", {"type": ["string", "null"]}),
    Param("description", "What it covers.", {"type": ["string", "null"]}),
)
CREATED_GROUP = (
    Param("id", "The id it has on another CKAN site (a UUID not in use).", UUID),
    Param("name", "The URL name: lower-case letters, digits, - and _.", TEXT, required=True),
    *GROUP_TEXT,
)
CHANGED_GROUP = (
    Param("id", "Its id, URL name or old numeric id (or send name).", TEXT),
    Param("name", "Its URL name, or with id a new one.", TEXT),
    *GROUP_TEXT,
)
WRITES: dict[str, Write] = {
    "package_create": Write((*COPIED_PACKAGE, *PACKAGE_FIELDS), PACKAGE),
    "organization_create": Write(CREATED_GROUP, GROUP),
    "organization_update": Write(CHANGED_GROUP, GROUP),
    "group_create": Write(CREATED_GROUP, GROUP),
    "group_update": Write(CHANGED_GROUP, GROUP),
    "package_update": Write((*CHANGED_PACKAGE, *PACKAGE_FIELDS), PACKAGE),
    "package_patch": Write((*CHANGED_PACKAGE, *PACKAGE_FIELDS), PACKAGE),
    "package_delete": Write(
        (
            Param("id", "The dataset's id or URL name (or send name).", {"type": "string"}),
            Param("reason", "Why it was withdrawn, shown on its page.", {"type": "string"}),
        ),
        {"type": "null"},
    ),
    "resource_create": Write(
        (Param("package_id", "The dataset's id or URL name.", TEXT, required=True), *FILE_FIELDS),
        RESOURCE,
        upload=True,
    ),
    "resource_patch": Write(
        (
            Param("id", "The resource's id.", UUID, required=True),
            Param("note", "Why there is a new file, shown with the version.", {"type": "string"}),
            *FILE_FIELDS,
        ),
        RESOURCE,
        upload=True,
    ),
}
