"""The CKAN Action API as a CKAN client uses it: CKAN's envelope and error types, the public
catalogue only for anonymous callers (no draft, embargoed or withdrawn dataset ever shows),
and writes with an API token through the same services and workflow as the publishing pages."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from catalog.accounts.tokens import token_create
from catalog.accounts.users import account_create, membership_set
from catalog.clock import utcnow
from catalog.permissions import Actor
from catalog.publishing.groups import get_organisation
from catalog.publishing.workflow import dataset_withdraw

SETUP = Actor.system("test setup")
CSV = b"ward,count\nGuildhall,12\nMicklegate,7\n"
HEALTH = "health-and-wellbeing"
CORPORATE = "customer-corporate"


@pytest.fixture
def site(catalogue):
    """Two public datasets, one draft, one embargoed and one withdrawn."""
    catalogue.organisation(CORPORATE, "Customer and Corporate Services")
    catalogue.topic(HEALTH, "Health and wellbeing")
    catalogue.dataset(
        "school-places",
        title="School places",
        description="Places and pupils.",
        topics=["education-and-skills"],
        tags=["schools", "education"],
        frequency="annual",
        files={"places.csv": CSV},
    )
    catalogue.dataset(
        "council-tax",
        title="Council tax bands",
        organisation=CORPORATE,
        topics=[HEALTH],
        tags=["finance"],
        licence="CC-BY-4.0",
        files={"bands.json": b'{"a": 1}'},
    )
    catalogue.dataset("secret-draft", title="Secret draft", tags=["schools"], publish=False)
    catalogue.dataset("embargoed", title="Embargoed", publish=utcnow() + timedelta(days=1))
    gone = catalogue.dataset("gone", title="Gone", files={"gone.csv": CSV})
    dataset_withdraw(catalogue.session, actor=SETUP, dataset=gone, reason="Wrong figures.")
    return catalogue


@pytest.fixture
def token_for(site):
    """An API token for a new account with `role` in children-education (or none)."""

    def make(role: str | None, email: str = "editor@york.gov.uk") -> dict[str, str]:
        session = site.session
        account = account_create(
            session, actor=SETUP, email=email, name=email.split("@")[0], password="a" * 16
        )
        if role:
            organisation = get_organisation(session, "children-education")
            membership_set(
                session, actor=SETUP, account=account, organisation=organisation, role=role
            )
        _token, secret = token_create(session, actor=SETUP, account=account, name="ckan")
        return {"Authorization": secret}

    return make


def call(client, action: str, headers=None, **params):
    return client.post(f"/api/3/action/{action}", json=params, headers=headers or {})


def result(client, action: str, **params):
    response = call(client, action, **params)
    assert response.status_code == 200, response.json
    assert response.json["success"] is True
    assert response.json["help"].endswith(f"/api/3/action/help_show?name={action}")
    return response.json["result"]


PUBLIC = ["council-tax", "school-places"]


@pytest.mark.parametrize(
    ("action", "params", "expected"),
    [
        ("package_list", {}, PUBLIC),
        ("package_list", {"limit": 1, "offset": 1}, ["school-places"]),
        ("organization_list", {}, ["children-education", CORPORATE]),
        ("group_list", {}, ["education-and-skills", HEALTH]),
        ("tag_list", {}, ["education", "finance", "schools"]),
    ],
)
def test_lists_show_only_public_data(client, site, action, params, expected):
    assert result(client, action, **params) == expected


@pytest.mark.parametrize(
    ("fq", "expected"),
    [
        ("", PUBLIC),
        ("organization:children-education", ["school-places"]),
        ("groups:health-and-wellbeing", ["council-tax"]),
        ("tags:schools", ["school-places"]),
        ("res_format:json", ["council-tax"]),
        ("+res_format:CSV +tags:education", ["school-places"]),
        ("license_id:CC-BY-4.0", ["council-tax"]),
        ('tags:"no such tag"', []),
    ],
)
def test_package_search_filters_with_fq(client, site, fq, expected):
    found = result(client, "package_search", fq=fq, sort="title_string asc")
    assert sorted(p["name"] for p in found["results"]) == expected
    assert found["count"] == len(expected)


def test_package_search_pages_sorts_and_counts_facets(client, site):
    first = result(client, "package_search", rows=1, start=0, sort="title_string asc")
    second = result(client, "package_search", rows=1, start=1, sort="title_string asc")
    assert [p["name"] for p in first["results"] + second["results"]] == PUBLIC
    assert first["count"] == 2
    faceted = result(
        client, "package_search", **{"facet.field": '["organization", "tags"]', "facet.limit": 2}
    )
    assert faceted["facets"]["organization"] == {"children-education": 1, CORPORATE: 1}
    assert len(faceted["facets"]["tags"]) == 2
    assert faceted["search_facets"]["tags"]["items"][0]["count"] == 1
    by_text = result(client, "package_search", q="pupils")
    assert [p["name"] for p in by_text["results"]] == ["school-places"]


def test_get_with_query_parameters_and_the_short_path(client, site):
    response = client.get(
        '/api/action/package_search?fq=tags:schools&facet.field=["tags"]&rows=5'
        "&sort=metadata_modified desc"
    )
    assert response.status_code == 200
    assert response.json["result"]["facets"]["tags"] == {"education": 1, "schools": 1}


def test_package_show_gives_what_ckan_clients_read(client, site):
    package = result(client, "package_show", id="school-places")
    assert package["title"] == "School places"
    assert package["notes"] == "Places and pupils."
    assert package["license_id"] == "OGL-UK-3.0"
    assert package["license_title"] == "Open Government Licence v3.0"
    assert package["organization"]["name"] == "children-education"
    assert package["owner_org"] == package["organization"]["id"]
    assert [g["name"] for g in package["groups"]] == ["education-and-skills"]
    assert [t["name"] for t in package["tags"]] == ["education", "schools"]
    assert (package["state"], package["private"]) == ("active", False)
    assert (package["num_resources"], package["num_tags"]) == (1, 2)
    assert {"key": "frequency", "value": "annual"} in package["extras"]
    resource = package["resources"][0]
    assert resource["url"].startswith("http://localhost/datasets/school-places/resources/")
    assert resource["url"].endswith("/download/places.csv")
    assert (resource["format"], resource["mimetype"], resource["size"]) == ("CSV", "text/csv", 37)
    assert resource["hash"].startswith("sha256:")
    assert client.get(resource["url"]).data == CSV
    assert result(client, "package_show", id=package["id"])["name"] == "school-places"
    assert result(client, "resource_show", id=resource["id"])["package_id"] == package["id"]


@pytest.mark.parametrize("name", ["secret-draft", "embargoed", "gone", "nothing"])
def test_hidden_datasets_are_not_found(client, site, name):
    response = call(client, "package_show", id=name)
    assert response.status_code == 404
    assert response.json["success"] is False
    assert response.json["error"]["__type"] == "Not Found Error"
    assert call(client, "package_activity_list", id=name).status_code == 404


def test_no_draft_leaks_through_bulk_reads(client, site):
    hidden = {"secret-draft", "embargoed", "gone"}
    dumped = result(client, "current_package_list_with_resources")
    searched = result(client, "package_search", rows=1000)["results"]
    names = {p["name"] for p in dumped} | {p["name"] for p in searched}
    assert names == set(PUBLIC)
    assert not hidden & set(result(client, "package_list"))
    orgs = result(client, "organization_list", all_fields=True)
    assert {o["name"]: o["package_count"] for o in orgs} == {"children-education": 1, CORPORATE: 1}
    assert result(client, "organization_show", id=CORPORATE)["package_count"] == 1
    assert result(client, "group_show", id=HEALTH)["title"] == "Health and wellbeing"


def test_public_activity_is_the_public_history(client, site):
    activity = result(client, "package_activity_list", id="school-places")
    assert [a["activity_type"] for a in activity] == ["new package"]


@pytest.mark.parametrize(
    ("action", "params", "status", "error_type"),
    [
        ("datastore_upsert", {}, 400, "Bad Request"),
        ("datastore_search", {}, 409, "Validation Error"),
        ("package_show", {}, 409, "Validation Error"),
        ("package_search", {"rows": "many"}, 409, "Validation Error"),
        ("package_search", {"sort": "random()"}, 409, "Validation Error"),
        ("package_search", {"fq": "author:me"}, 409, "Search Error"),
        ("organization_show", {"id": "nope"}, 404, "Not Found Error"),
        ("resource_show", {"id": "nope"}, 404, "Not Found Error"),
        ("package_create", {"name": "x", "title": "X"}, 403, "Authorization Error"),
    ],
)
def test_errors_in_ckans_envelope(client, site, action, params, status, error_type):
    response = call(client, action, **params)
    assert response.status_code == status
    assert response.json["success"] is False
    assert response.json["error"]["__type"] == error_type
    if action == "datastore_upsert":
        message = "Bad request - Action name not known: datastore_upsert"
        assert response.json["error"]["message"] == message


def test_status_and_licences(client, site):
    assert result(client, "status_show")["ckan_version"].startswith("2.")
    licences = {licence["id"] for licence in result(client, "license_list")}
    assert {"OGL-UK-3.0", "CC-BY-4.0"} <= licences


NEW = {
    "name": "library-visits",
    "title": "Library visits",
    "notes": "Visits by branch.",
    "owner_org": "children-education",
    "license_id": "OGL-UK-3.0",
    "tags": [{"name": "libraries"}],
    "groups": [{"name": "education-and-skills"}],
    "extras": [
        {"key": "frequency", "value": "monthly"},
        {"key": "temporal", "value": "2024-04-01/"},
    ],
}


def test_an_editor_creates_a_draft_only_members_can_see(client, site, token_for):
    editor = token_for("editor")
    created = call(client, "package_create", editor, **NEW).json["result"]
    assert (created["state"], created["private"]) == ("draft", True)
    assert {"key": "temporal_start", "value": "2024-04-01"} in created["extras"]
    assert call(client, "package_show", id="library-visits").status_code == 404
    shown = call(client, "package_show", editor, id="library-visits").json["result"]
    assert shown["groups"][0]["name"] == "education-and-skills"
    assert "library-visits" not in result(client, "package_list")
    upload = {
        "package_id": "library-visits",
        "name": "Visits",
        "upload": (io.BytesIO(CSV), "v.csv"),
    }
    added = client.post("/api/3/action/resource_create", data=upload, headers=editor)
    assert added.status_code == 200, added.json
    assert added.json["result"]["format"] == "CSV"
    assert call(client, "resource_show", id=added.json["result"]["id"]).status_code == 404
    patched = call(
        client, "package_patch", editor, id="library-visits", title="Library visits 2024"
    )
    assert patched.json["result"]["title"] == "Library visits 2024"
    assert patched.json["result"]["tags"] == shown["tags"]
    updated = call(client, "package_update", editor, id="library-visits", notes="New notes.")
    assert (updated.json["result"]["notes"], updated.json["result"]["tags"]) == ("New notes.", [])
    new_file = {
        "id": added.json["result"]["id"],
        "upload": (io.BytesIO(CSV + b"Heworth,3\n"), "v.csv"),
    }
    replaced = client.post("/api/3/action/resource_patch", data=new_file, headers=editor)
    assert replaced.json["result"]["size"] == len(CSV) + 10


@pytest.mark.parametrize(
    ("role", "params", "status", "error_type", "field"),
    [
        ("member", NEW, 403, "Authorization Error", None),
        ("editor", {**NEW, "owner_org": CORPORATE}, 403, "Authorization Error", None),
        ("editor", {**NEW, "name": "school-places"}, 409, "Validation Error", "name"),
        ("editor", {**NEW, "name": "Not A Slug"}, 409, "Validation Error", "name"),
        ("editor", {**NEW, "license_id": "nope"}, 409, "Validation Error", "license_id"),
        ("editor", {"name": "x-y"}, 409, "Validation Error", "title"),
        ("editor", {**NEW, "owner_org": "nowhere"}, 409, "Validation Error", "owner_org"),
    ],
)
def test_writes_are_checked_by_the_services(
    client, token_for, role, params, status, error_type, field
):
    response = call(client, "package_create", token_for(role), **params)
    assert response.status_code == status, response.json
    assert response.json["error"]["__type"] == error_type
    if field:
        assert isinstance(response.json["error"][field], list)


def test_package_delete_withdraws_a_published_dataset(client, site, token_for):
    editor, admin = token_for("editor"), token_for("admin", "admin@york.gov.uk")
    assert call(client, "package_delete", editor, id="school-places").status_code == 403
    refused = call(client, "package_delete", admin, id="secret-draft")
    assert refused.status_code == 409
    deleted = call(client, "package_delete", admin, id="school-places", reason="Duplicate.")
    assert deleted.json == {**deleted.json, "success": True, "result": None}
    assert call(client, "package_show", id="school-places").status_code == 404
    assert client.get("/datasets/school-places").status_code == 410


def test_include_private_adds_only_the_callers_own_unpublished_datasets(client, site, token_for):
    site.dataset("corporate-draft", organisation=CORPORATE, tags=["schools"], publish=False)
    member = token_for("member")
    asked = {"include_private": True, "rows": 1000, "facet.field": ["tags", "organization"]}
    found = call(client, "package_search", member, **asked).json["result"]
    names = sorted(p["name"] for p in found["results"])
    assert names == ["council-tax", "embargoed", "school-places", "secret-draft"]
    assert found["count"] == 4
    assert found["facets"]["tags"]["schools"] == 2
    assert found["facets"]["organization"] == {"children-education": 3, CORPORATE: 1}
    paged = call(client, "package_search", member, include_private="true", rows=1, start=3)
    assert paged.json["result"]["count"] == 4 and len(paged.json["result"]["results"]) == 1
    anonymous = result(client, "package_search", include_private=True, rows=1000)
    assert anonymous["count"] == 2
    without = call(client, "package_search", member, rows=1000).json["result"]
    assert without["count"] == 2
    unpublished = {"include_private": True, "fq": "state:draft", "sort": "name asc"}
    drafts = call(client, "package_search", member, **unpublished).json["result"]["results"]
    assert [p["name"] for p in drafts] == ["embargoed", "secret-draft"]


def test_help_show_documents_each_action(client, site):
    assert "withdraw" in result(client, "help_show", name="package_delete")
    assert "filters" in result(client, "help_show", name="datastore_search")
    assert call(client, "help_show", name="datastore_upsert").status_code == 404


def test_package_search_caps_rows_at_a_thousand(client, catalogue):
    """A hostile `rows` (tests/security/test_injection.py) is capped, not refused."""
    for n in range(3):
        catalogue.dataset(f"dataset-{n}")
    result = client.get("/api/3/action/package_search?rows=5000").get_json()["result"]
    assert result["count"] == 3 and len(result["results"]) == 3


def test_a_write_answers_post_only(client, site, token_for):
    """As CKAN, a write is never made by a GET (not even with a token): a 405 saying to POST,
    and OPTIONS tells a client which methods each action takes."""
    headers = token_for("editor")
    refused = client.get("/api/3/action/package_create?name=by-get&title=X", headers=headers)
    assert refused.status_code == 405
    assert refused.headers["Allow"] == "POST, OPTIONS"
    assert refused.json["error"]["__type"] == "Bad Request"
    assert "Please use POST" in refused.json["error"]["message"]
    assert "by-get" not in result(client, "package_list")
    assert client.options("/api/3/action/package_create").headers["Allow"] == "POST, OPTIONS"
    read = client.options("/api/3/action/package_show").headers["Allow"]
    assert read == "GET, HEAD, POST, OPTIONS"


def test_a_head_reads_the_query_string_as_a_get_does(client, site):
    assert client.head("/api/3/action/package_show?id=school-places").status_code == 200


@pytest.mark.parametrize(
    ("action", "params", "field"),
    [
        ("package_show", {"id": "school\x00places"}, "id"),
        ("package_search", {"fq_list": ["tags:a\x00"]}, "fq_list"),
        ("package_create", {"name": "x", "extras": [{"key": "\x00", "value": "v"}]}, "extras"),
    ],
)
def test_a_nul_character_is_a_validation_error(client, site, action, params, field):
    """No stored text holds NUL (PostgreSQL cannot), so it names nothing: a 409, not a 500."""
    response = call(client, action, **params)
    assert response.status_code == 409
    assert field in response.json["error"]


def test_a_parameter_is_checked_even_where_it_would_not_be_read(client, site):
    """Every parameter an action declares is checked when sent, as the API description says,
    even where the action would not read it (include_tags without all_fields)."""
    response = client.get("/api/3/action/organization_list?include_tags=maybe")
    assert response.status_code == 409
    assert response.json["error"]["include_tags"] == ["Must be true or false"]
    assert client.get("/api/3/action/organization_list?include_tags=yes").status_code == 200
