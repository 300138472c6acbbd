"""CKAN's read actions as a CKAN client calls them: CKAN's parameters, CKAN's result shapes,
CKAN's errors, and only the public catalogue (a draft and an embargoed dataset, with their
own tags, files and formats, never show)."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from uuid import UUID

import pytest

from catalog.clock import frozen_at, utcnow
from catalog.publishing.resources import Upload, version_add
from tests.conftest import ACTOR

ACTION = "/api/3/action/"
CORPORATE, HEALTH = "customer-corporate", "health-and-wellbeing"
CSV = b"ward,places\nGuildhall,12\nMicklegate,7\n"
PACKAGE_KEYS = {
    "author",
    "author_email",
    "creator_user_id",
    "extras",
    "groups",
    "id",
    "isopen",
    "license_id",
    "license_title",
    "license_url",
    "maintainer",
    "maintainer_email",
    "metadata_created",
    "metadata_modified",
    "name",
    "notes",
    "num_resources",
    "num_tags",
    "organization",
    "owner_org",
    "private",
    "relationships_as_object",
    "relationships_as_subject",
    "resources",
    "state",
    "tags",
    "title",
    "type",
    "url",
    "version",
}
GROUP_KEYS = {
    "approval_status",
    "description",
    "display_name",
    "id",
    "image_display_url",
    "image_url",
    "is_organization",
    "name",
    "state",
    "title",
    "type",
}
TAG_KEYS = {"id", "name", "display_name", "vocabulary_id"}
ACTIVITY_KEYS = {"id", "timestamp", "user_id", "object_id", "activity_type", "data"}


@pytest.fixture(scope="module")
def site(shared_catalogue):
    """Two public datasets (one corrected since), a draft and an embargoed dataset, whose
    words (`secret`, `embargoed`), tags and TXT format must never show."""
    made, start = shared_catalogue, utcnow() - timedelta(days=3)
    made.organisation(CORPORATE, "Customer and Corporate Services")
    made.topic(HEALTH, "Health and wellbeing")
    with frozen_at(start):
        places = made.dataset(
            "school-places",
            title="School places",
            description="Places and pupils.",
            topics=["education-and-skills"],
            tags=["schools", "education"],
            contact_name="Schools team",
            contact_email="schools@york.gov.uk",
            files={"places.csv": CSV},
        )
    with frozen_at(start + timedelta(hours=1)):
        made.dataset(
            "council-tax",
            title="Council tax bands",
            organisation=CORPORATE,
            topics=[HEALTH],
            tags=["finance"],
            licence="CC-BY-4.0",
            files={"bands.json": b'{"a": 1}'},
        )
    made.dataset(
        "secret-draft",
        title="Secret draft",
        topics=[HEALTH],
        tags=["secretive"],
        files={"secret.txt": b"not yet"},
        publish=False,
    )
    made.dataset(
        "embargoed",
        title="Embargoed figures",
        tags=["embargoed-tag"],
        files={"embargoed.csv": CSV},
        publish=utcnow() + timedelta(days=1),
    )
    with frozen_at(start + timedelta(hours=2)):
        version_add(
            made.session,
            store=made.store,
            actor=ACTOR,
            resource=places.resources[0],
            upload=Upload(io.BytesIO(CSV + b"Heworth,3\n"), "places.csv"),
            note="Heworth was missing.",
        )
        made.saved()
    return made


@pytest.fixture(scope="module")
def client(shared_app, site):
    return shared_app.test_client()


def get(client, action: str, **params):
    """A GET as CKAN clients send one: a list as the parameter repeated."""
    return client.get(ACTION + action, query_string=params)


def result(client, action: str, **params):
    response = get(client, action, **params)
    assert response.status_code == 200, response.json
    assert response.json["success"] is True
    return response.json["result"]


def names(found) -> list[str]:
    return [item["name"] for item in found]


def is_uuid(value) -> bool:
    return isinstance(value, str) and str(UUID(value)) == value


# -- Every action answers, and documents itself ---------------------------------------------------

READS = [
    "site_read",
    "status_show",
    "config_option_list",
    "config_option_show",
    "package_list",
    "package_show",
    "current_package_list_with_resources",
    "package_autocomplete",
    "package_relationships_list",
    "package_activity_list",
    "package_collaborator_list",
    "package_collaborator_list_for_user",
    "resource_show",
    "resource_search",
    "resource_view_list",
    "resource_view_show",
    "format_autocomplete",
    "organization_list",
    "organization_show",
    "organization_autocomplete",
    "organization_list_for_user",
    "organization_activity_list",
    "group_list",
    "group_show",
    "group_autocomplete",
    "group_list_authz",
    "group_activity_list",
    "group_package_show",
    "member_list",
    "member_roles_list",
    "tag_list",
    "tag_show",
    "tag_search",
    "tag_autocomplete",
    "vocabulary_list",
    "vocabulary_show",
    "user_list",
    "user_show",
    "user_autocomplete",
    "user_activity_list",
    "recently_changed_packages_activity_list",
    "license_list",
    "term_translation_show",
    "help_show",
]


FOLLOWING = [
    f"{kind}_{what}"
    for kind in ("dataset", "group", "organization", "user")
    for what in ("follower_count", "follower_list", "followee_count", "followee_list")
] + ["am_following_dataset", "am_following_group", "am_following_user", "followee_count"]


@pytest.mark.parametrize("action", READS + FOLLOWING + ["followee_list"])
def test_every_read_action_exists_and_documents_itself(client, action):
    assert result(client, "help_show", name=action).strip()


def test_the_site_as_ckan_describes_itself(client):
    status = result(client, "status_show")
    assert status["site_title"] == "York Open Data"
    assert status["site_url"] == "http://localhost"
    assert status["ckan_version"].startswith("2.10")
    assert "datastore" in status["extensions"]
    assert result(client, "site_read") is True
    assert "ckan.site_title" in result(client, "config_option_list")
    assert result(client, "config_option_show", key="ckan.site_title") == "York Open Data"
    assert result(client, "term_translation_show", terms=["schools"]) == []


# -- Packages ----------------------------------------------------------------------------------


def test_a_package_has_every_field_ckan_clients_read(client):
    package = result(client, "package_show", id="school-places", include_tracking=True)
    assert set(package) >= PACKAGE_KEYS
    assert (package["type"], package["private"], package["version"]) == ("dataset", False, None)
    assert package["isopen"] is True
    assert package["author"] == "Children, Education and Communities"
    assert (package["maintainer"], package["maintainer_email"]) == (
        "Schools team",
        "schools@york.gov.uk",
    )
    assert package["relationships_as_subject"] == package["relationships_as_object"] == []
    assert is_uuid(package["creator_user_id"]) and is_uuid(package["owner_org"])
    assert package["organization"]["id"] == package["owner_org"]
    assert set(package["organization"]) >= GROUP_KEYS and set(package["groups"][0]) >= GROUP_KEYS
    assert all(set(tag) >= TAG_KEYS and is_uuid(tag["id"]) for tag in package["tags"])
    for moment in (package["metadata_created"], package["metadata_modified"]):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?", moment)
    assert result(client, "package_show", name_or_id="school-places")["id"] == package["id"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("sch", [("school-places", "name", "school-places")]),
        ("Council t", [("council-tax", "title", "Council tax bands (council-tax)")]),
        ("secret", []),
        ("embargoed", []),
        ("100%", []),
    ],
)
def test_package_autocomplete_completes_public_names_and_titles(client, q, expected):
    found = result(client, "package_autocomplete", q=q)
    assert [(p["name"], p["match_field"], p["match_displayed"]) for p in found] == expected
    assert all(set(p) == {"name", "title", "match_field", "match_displayed"} for p in found)


def test_packages_have_no_relationships(client):
    assert result(client, "package_relationships_list", id="school-places") == []
    assert result(client, "package_relationships_list", id="school-places", id2="council-tax") == []
    named = get(client, "package_relationships_list", id="school-places", rel="child_of")
    assert named.status_code == 404
    collaborators = get(client, "package_collaborator_list", id="school-places")
    assert collaborators.status_code == 409
    assert collaborators.json["error"]["collaborators"] == ["Dataset collaborators not enabled"]


def test_nobody_follows_anything(client):
    assert result(client, "dataset_follower_count", id="school-places") == 0
    assert result(client, "followee_count", id="publisher") == 0
    assert result(client, "organization_followee_list", id="publisher") == []
    assert get(client, "am_following_dataset", id="school-places").status_code == 403
    assert get(client, "dataset_follower_list", id="school-places").status_code == 403
    assert get(client, "dataset_follower_count", id="secret-draft").status_code == 404


# -- Resources ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("format:csv", ["places.csv"]),
        ("format:JSON", ["bands.json"]),
        (["name:places", "format:csv"], ["places.csv"]),
        ("url:bands", ["bands.json"]),
        ("description:", ["bands.json", "places.csv"]),
        ("name:secret", []),
        ("format:txt", []),
        ("name:embargoed", []),
        ("name:%", []),
    ],
)
def test_resource_search_finds_released_files_by_field(client, query, expected):
    found = result(client, "resource_search", query=query, order_by="name")
    assert found["count"] == len(expected)
    assert names(found["results"]) == expected


def test_resource_search_pages_and_matches_a_hash_prefix(client):
    places = result(client, "package_show", id="school-places")["resources"][0]
    digest = places["hash"].removeprefix("sha256:")
    by_hash = result(client, "resource_search", query=f"hash:{digest[:12]}")
    assert names(by_hash["results"]) == ["places.csv"]
    paged = result(client, "resource_search", query="description:", limit=1, offset=1)
    assert paged["count"] == 2 and len(paged["results"]) == 1


def test_a_loaded_table_has_one_view_and_other_files_none(client):
    places, bands = (
        result(client, "package_show", id=name)["resources"][0]
        for name in ("school-places", "council-tax")
    )
    (view,) = result(client, "resource_view_list", id=places["id"])
    assert view["view_type"] == "datatables_view"
    assert (view["resource_id"], view["package_id"]) == (places["id"], places["package_id"])
    assert result(client, "resource_view_show", id=view["id"]) == view
    assert result(client, "resource_view_list", id=bands["id"]) == []
    assert get(client, "resource_view_show", id=bands["id"]).status_code == 404


@pytest.mark.parametrize(("q", "expected"), [("cs", ["csv"]), ("j", ["json"]), ("tx", [])])
def test_format_autocomplete_offers_formats_of_released_files(client, q, expected):
    assert result(client, "format_autocomplete", q=q) == expected


# -- Organizations and groups ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["children-education", CORPORATE]),
        ({"sort": "name desc"}, [CORPORATE, "children-education"]),
        ({"sort": "title asc", "limit": 1, "offset": 1}, [CORPORATE]),
        ({"organizations": [CORPORATE]}, [CORPORATE]),
        ({"organizations": CORPORATE}, [CORPORATE]),
        ({"q": "corporate"}, [CORPORATE]),
    ],
)
def test_organization_list_takes_ckans_parameters(client, params, expected):
    assert result(client, "organization_list", **params) == expected


def test_lists_with_all_fields_count_public_datasets_only(client):
    orgs = result(client, "organization_list", all_fields=True, sort="package_count")
    assert all(set(org) >= GROUP_KEYS and is_uuid(org["id"]) for org in orgs)
    assert {o["name"]: o["package_count"] for o in orgs} == {"children-education": 1, CORPORATE: 1}
    groups = result(client, "group_list", all_fields="true", include_dataset_count="false")
    assert names(groups) == ["education-and-skills", HEALTH]
    assert not any("package_count" in group for group in groups)
    assert result(client, "group_list", sort="name desc") == [HEALTH, "education-and-skills"]


@pytest.mark.parametrize(
    ("action", "ref", "expected"),
    [
        ("organization_show", "children-education", ["school-places"]),
        ("organization_show", CORPORATE, ["council-tax"]),
        ("group_show", HEALTH, ["council-tax"]),
        ("group_show", "education-and-skills", ["school-places"]),
    ],
)
def test_show_with_include_datasets_lists_public_datasets(client, action, ref, expected):
    shown = result(client, action, id=ref, include_datasets=True)
    assert names(shown["packages"]) == expected
    assert shown["package_count"] == len(expected)
    assert set(shown["packages"][0]) >= PACKAGE_KEYS
    assert (shown["users"], shown["extras"], shown["tags"], shown["groups"]) == ([], [], [], [])
    assert "packages" not in result(client, action, id=ref)
    if action == "group_show":
        assert names(result(client, "group_package_show", id=ref)) == expected
    assert result(client, action, id=shown["id"])["name"] == ref
    assert result(client, action.replace("show", "follower_count"), id=ref) == 0


def test_member_list_lists_public_datasets_of_an_organization_or_group(client):
    places = result(client, "package_show", id="school-places")["id"]
    assert result(client, "member_list", id="children-education") == [
        [places, "package", "organization"]
    ]
    assert result(client, "member_list", id=HEALTH, object_type="package") == [
        [result(client, "package_show", id="council-tax")["id"], "package", "public"]
    ]
    assert result(client, "member_list", id="children-education", object_type="user") == []


@pytest.mark.parametrize(
    ("action", "q", "expected"),
    [
        ("organization_autocomplete", "CORP", [CORPORATE]),
        ("organization_autocomplete", "education", ["children-education"]),
        ("group_autocomplete", "wellbeing", [HEALTH]),
        ("group_autocomplete", "nothing", []),
    ],
)
def test_group_autocomplete_gives_ids_names_and_titles(client, action, q, expected):
    found = result(client, action, q=q)
    assert names(found) == expected
    assert all(set(g) == {"id", "name", "title"} and is_uuid(g["id"]) for g in found)


def test_anonymous_callers_work_in_no_organization(client):
    assert result(client, "organization_list_for_user") == []
    assert result(client, "group_list_authz") == []
    roles = result(client, "member_roles_list", group_type="group")
    assert [r["value"] for r in roles] == ["admin", "member"]


# -- Tags --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["education", "finance", "schools"]),
        ({"query": "sch"}, ["schools"]),
        ({"q": "CAT"}, ["education"]),
        ({"query": "secret"}, []),
    ],
)
def test_tag_list_lists_tags_of_public_datasets(client, params, expected):
    assert result(client, "tag_list", **params) == expected


def test_tags_show_search_and_autocomplete(client):
    tags = result(client, "tag_list", all_fields=True)
    assert all(set(tag) >= TAG_KEYS and is_uuid(tag["id"]) for tag in tags)
    schools = result(client, "tag_show", id="schools", include_datasets=True)
    assert names(schools["packages"]) == ["school-places"]
    assert result(client, "tag_show", id=schools["id"])["name"] == "schools"
    assert "packages" not in result(client, "tag_show", id="schools")
    found = result(client, "tag_search", query="c", limit=1, offset=1)
    assert found["count"] == 3 and names(found["results"]) == ["finance"]
    assert result(client, "tag_search", query=["e", "d"])["count"] == 1
    assert result(client, "tag_autocomplete", query="fin") == ["finance"]
    assert result(client, "tag_autocomplete", q="embargoed") == []
    assert result(client, "vocabulary_list") == []


# -- Activity ----------------------------------------------------------------------------------


def test_activity_streams_show_public_releases_only(client):
    recent = result(client, "recently_changed_packages_activity_list")
    assert all(set(a) >= ACTIVITY_KEYS and is_uuid(a["id"]) for a in recent)
    seen = [(a["data"]["package"]["name"], a["data"]["kind"]) for a in recent]
    assert seen == [
        ("school-places", "corrected"),
        ("council-tax", "published"),
        ("school-places", "published"),
    ]
    assert recent[0]["data"]["note"] == "Heworth was missing."
    assert {a["user_id"] for a in recent} == {result(client, "user_list")[0]["id"]}
    assert result(client, "recently_changed_packages_activity_list") == recent
    assert result(client, "recently_changed_packages_activity_list", offset=1, limit=1) == [
        recent[1]
    ]
    assert result(client, "organization_activity_list", id=CORPORATE) == [recent[1]]
    assert result(client, "group_activity_list", id="education-and-skills") == [
        recent[0],
        recent[2],
    ]
    assert result(client, "package_activity_list", id="school-places", limit=1) == [recent[0]]
    assert result(client, "user_activity_list", id="publisher") == recent


# -- Errors, in CKAN's envelope ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "params", "status", "error_type"),
    [
        ("package_show", {"id": "secret-draft"}, 404, "Not Found Error"),
        ("package_relationships_list", {"id": "embargoed"}, 404, "Not Found Error"),
        ("package_relationships_list", {"id": "school-places", "id2": "nope"}, 404, None),
        ("package_autocomplete", {}, 409, "Validation Error"),
        ("package_autocomplete", {"q": "s", "limit": "ten"}, 409, "Validation Error"),
        ("dataset_follower_count", {"id": "secret-draft"}, 404, "Not Found Error"),
        ("resource_search", {}, 409, "Validation Error"),
        ("resource_search", {"query": "owner:me"}, 409, "Validation Error"),
        ("resource_search", {"query": "no pair"}, 409, "Validation Error"),
        ("resource_search", {"query": "name:a", "order_by": "url"}, 409, "Validation Error"),
        ("resource_search", {"query": "name:a", "limit": -1}, 409, "Validation Error"),
        ("resource_view_list", {"id": "nope"}, 404, "Not Found Error"),
        ("format_autocomplete", {}, 409, "Validation Error"),
        ("organization_list", {"limit": "many"}, 409, "Validation Error"),
        ("organization_list", {"sort": "created desc"}, 409, "Validation Error"),
        ("organization_list", {"all_fields": "perhaps"}, 409, "Validation Error"),
        ("group_list", {"offset": -2}, 409, "Validation Error"),
        ("organization_show", {"id": "nope"}, 404, "Not Found Error"),
        ("organization_show", {"id": ["a", "b"]}, 409, "Validation Error"),
        ("group_package_show", {"id": "nope"}, 404, "Not Found Error"),
        ("package_collaborator_list", {"id": "secret-draft"}, 404, "Not Found Error"),
        ("user_activity_list", {"id": "someone"}, 403, "Authorization Error"),
        ("organization_show", {}, 409, "Validation Error"),
        ("group_show", {"id": "nope"}, 404, "Not Found Error"),
        ("organization_activity_list", {"id": "nope"}, 404, "Not Found Error"),
        ("group_activity_list", {"id": "education-and-skills", "limit": "x"}, 409, None),
        ("member_list", {"id": "nope"}, 404, "Not Found Error"),
        ("organization_autocomplete", {}, 409, "Validation Error"),
        ("member_roles_list", {"group_type": "club"}, 409, "Validation Error"),
        ("tag_show", {"id": "secretive"}, 404, "Not Found Error"),
        ("tag_show", {"id": "embargoed-tag"}, 404, "Not Found Error"),
        ("tag_show", {}, 409, "Validation Error"),
        ("tag_list", {"vocabulary_id": "colours"}, 404, "Not Found Error"),
        ("tag_search", {"query": "s", "limit": "lots"}, 409, "Validation Error"),
        ("vocabulary_show", {"id": "colours"}, 404, "Not Found Error"),
        ("recently_changed_packages_activity_list", {"offset": "z"}, 409, None),
        ("config_option_show", {"key": "ckan.secret"}, 409, "Validation Error"),
        ("term_translation_show", {}, 409, "Validation Error"),
    ],
)
def test_errors_in_ckans_envelope(client, action, params, status, error_type):
    response = get(client, action, **params)
    assert response.status_code == status, response.json
    assert response.json["success"] is False
    assert response.json["error"]["__type"] == (error_type or response.json["error"]["__type"])
