"""CKAN's organization and group writes, as `ckanapi load organizations` and `ckanapi load
groups` use them: a site administrator creates a publisher or topic keeping the id it has on
another site, and changes one; nobody else may, not even an admin of the organisation, and
bad or taken names and ids are Validation Errors."""

from __future__ import annotations

import pytest

from catalog.accounts.tokens import token_create
from catalog.accounts.users import account_create
from tests.api.test_ckan import SETUP, call, site, token_for  # noqa: F401 (fixtures)

ID = "5b0e7f7c-8a5e-4d3b-9c41-7e2a1f6d3b90"
KINDS = [("organization", "organization_list"), ("group", "group_list")]


def sysadmin_token(session) -> dict[str, str]:
    """An API token of a new site administrator."""
    account = account_create(
        session,
        actor=SETUP,
        email="root@york.gov.uk",
        name="Site Administrator",
        password="a" * 16,
        sysadmin=True,
    )
    _token, secret = token_create(session, actor=SETUP, account=account, name="load")
    return {"Authorization": secret}


@pytest.fixture
def sysadmin(site):  # noqa: F811
    return sysadmin_token(site.session)


def ok(response) -> dict:
    assert response.status_code == 200, response.json
    return response.json["result"]


def refusal(response, status: int) -> dict:
    assert response.status_code == status, response.json
    return response.json["error"]


@pytest.mark.parametrize(("kind", "listing"), KINDS)
def test_a_site_administrator_creates_one_keeping_its_id(client, sysadmin, kind, listing):
    made = ok(
        call(
            client,
            f"{kind}_create",
            sysadmin,
            id=ID,
            name="parks",
            title="Parks and open spaces",
            description="Where to walk.",
            image_url="https://example.org/logo.png",
            users=[{"name": "someone", "capacity": "admin"}],
            package_count=12,
        )
    )
    assert (made["id"], made["name"], made["title"]) == (ID, "parks", "Parks and open spaces")
    shown = ok(call(client, f"{kind}_show", id=ID))
    assert (shown["name"], shown["description"], shown["package_count"]) == (
        "parks",
        "Where to walk.",
        0,
    )
    assert "parks" in ok(call(client, listing))


@pytest.mark.parametrize(("kind", "listing"), KINDS)
def test_a_site_administrator_changes_one_and_what_is_not_sent_stays(
    client, sysadmin, kind, listing
):
    ok(call(client, f"{kind}_create", sysadmin, name="parks", title="Parks", description="Old."))
    changed = ok(call(client, f"{kind}_update", sysadmin, id="parks", title="Parks and gardens"))
    assert (changed["name"], changed["title"], changed["description"]) == (
        "parks",
        "Parks and gardens",
        "Old.",
    )
    renamed = ok(call(client, f"{kind}_update", sysadmin, id=changed["id"], name="green-spaces"))
    assert renamed["id"] == changed["id"] and renamed["title"] == "Parks and gardens"
    names = ok(call(client, listing))
    assert "green-spaces" in names and "parks" not in names
    assert refusal(call(client, f"{kind}_show", id="parks"), 404)["__type"] == "Not Found Error"


def test_a_renamed_organisation_finds_its_datasets_under_its_new_name(client, sysadmin):
    ok(call(client, "organization_update", sysadmin, id="children-education", name="schools"))
    found = ok(call(client, "package_search", fq="organization:schools"))
    assert [p["name"] for p in found["results"]] == ["school-places"]
    assert ok(call(client, "package_show", id="school-places"))["organization"]["name"] == (
        "schools"
    )


@pytest.mark.parametrize("role", [None, "editor", "admin"])
@pytest.mark.parametrize(
    ("action", "params"),
    [
        ("organization_create", {"name": "parks", "title": "Parks"}),
        ("organization_update", {"id": "children-education", "title": "Taken over"}),
        ("organization_update", {"id": "customer-corporate", "title": "Taken over"}),
        ("group_update", {"id": "health-and-wellbeing", "title": "Taken over"}),
    ],
)
def test_nobody_but_a_site_administrator_may(client, token_for, role, action, params):  # noqa: F811
    """Not even an admin of children-education may change it, or any other organisation."""
    headers = token_for(role) if role else {}
    error = refusal(call(client, action, headers, **params), 403)
    assert error["__type"] == "Authorization Error"
    organisations = ok(call(client, "organization_list", all_fields=True))
    assert "Taken over" not in {o["title"] for o in organisations}
    assert "parks" not in ok(call(client, "organization_list")) + ok(call(client, "group_list"))


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"name": "Not A Slug", "title": "Parks"}, "name"),
        ({"name": "", "title": "Parks"}, "name"),
        ({"name": "children-education", "title": "Again"}, "name"),
        ({"name": "parks", "title": "x" * 201}, "title"),
        ({"name": "parks", "title": "Parks", "id": "not-a-uuid"}, "id"),
        ({"name": "parks", "title": "Parks", "id": ID.upper()}, "id"),
    ],
)
def test_a_bad_or_taken_name_or_id_is_a_validation_error(client, sysadmin, params, field):
    error = refusal(call(client, "organization_create", sysadmin, **params), 409)
    assert error["__type"] == "Validation Error" and field in error
    assert "parks" not in ok(call(client, "organization_list"))


@pytest.mark.parametrize("first", ["organization_create", "group_create"])
def test_an_id_taken_by_any_organisation_or_topic_is_refused(client, sysadmin, first):
    ok(call(client, first, sysadmin, id=ID, name="parks", title="Parks"))
    for action in ("organization_create", "group_create"):
        error = refusal(call(client, action, sysadmin, id=ID, name="other", title="Other"), 409)
        assert "already used" in error["id"][0]


def test_updating_to_a_taken_name_is_refused_and_changes_nothing(client, sysadmin):
    error = refusal(
        call(
            client,
            "organization_update",
            sysadmin,
            id="customer-corporate",
            name="children-education",
        ),
        409,
    )
    assert "already taken" in error["name"][0]
    assert ok(call(client, "organization_show", id="customer-corporate"))["title"] == (
        "Customer and Corporate Services"
    )


def test_an_unknown_one_cannot_be_updated(client, sysadmin):
    error = refusal(call(client, "group_update", sysadmin, id="nope", title="Nope"), 404)
    assert error["__type"] == "Not Found Error"
