"""Accounts through CKAN's read actions: the public sees only the council's publishing account,
never a member of staff; a token's holder sees their own account and the organisations they
work in; a site administrator sees everyone, and an organisation's admins its members."""

from __future__ import annotations

import pytest

from catalog.accounts.tokens import token_create
from catalog.accounts.users import account_create, membership_set
from catalog.permissions import Actor
from catalog.publishing.groups import get_organisation

SETUP = Actor.system("test setup")
ACTION = "/api/3/action/"
CORPORATE = "customer-corporate"
PRIVATE = "Staff accounts are shown only to their owner and to site administrators."


@pytest.fixture(scope="module")
def people(shared_catalogue):
    """An editor and an admin of children-education, a site administrator, and their tokens
    (anonymous: no headers)."""
    catalogue = shared_catalogue
    catalogue.organisation(CORPORATE, "Customer and Corporate Services")
    catalogue.dataset("school-places", files={"a.csv": b"a\n1\n"})
    session, made = catalogue.session, {"anonymous": {}}
    for role in ("editor", "admin", "sysadmin"):
        account = account_create(
            session,
            actor=SETUP,
            email=f"{role}@york.gov.uk",
            name=f"Pat {role.title()}",
            password="a long enough password",
            sysadmin=role == "sysadmin",
        )
        if role != "sysadmin":
            organisation = get_organisation(session, "children-education")
            membership_set(
                session, actor=SETUP, account=account, organisation=organisation, role=role
            )
        _token, secret = token_create(session, actor=SETUP, account=account, name="ckan")
        made[role] = {"Authorization": secret}
    catalogue.saved()
    return made


@pytest.fixture(scope="module")
def client(shared_app, people):
    return shared_app.test_client()


def call(client, action: str, headers=None, **params):
    return client.get(ACTION + action, query_string=params, headers=headers or {})


def result(client, action: str, headers=None, **params):
    response = call(client, action, headers, **params)
    assert response.status_code == 200, response.json
    return response.json["result"]


def staff_id(client, people, role: str) -> str:
    (mine,) = [u for u in result(client, "user_list", people[role]) if u["name"] != "publisher"]
    return mine["id"]


def test_the_public_sees_only_the_councils_publishing_account(client, people):
    (publisher,) = result(client, "user_list")
    assert (publisher["name"], publisher["display_name"]) == ("publisher", "York Open Data")
    assert publisher["number_created_packages"] == 1
    package = result(client, "package_show", id="school-places")
    assert package["creator_user_id"] == publisher["id"]
    assert result(client, "user_show", id=publisher["id"]) == publisher
    shown = result(client, "user_show", id="publisher", include_datasets=True)
    assert [d["name"] for d in shown["datasets"]] == ["school-places"]
    assert result(client, "user_list", all_fields=False) == ["publisher"]


def test_a_staff_account_is_refused_alike_whether_it_exists_or_not(client, people):
    editor = staff_id(client, people, "editor")
    for ref in (editor, "00000000-0000-4000-8000-000000000000", "Pat Editor"):
        for headers in (people["anonymous"], people["admin"]):
            refused = call(client, "user_show", headers, id=ref)
            assert refused.status_code == 403
            assert refused.json["error"] == {"__type": "Authorization Error", "message": PRIVATE}
    assert call(client, "user_follower_count", id=editor).status_code == 403
    assert call(client, "user_autocomplete", q="pat").status_code == 403


def test_a_token_shows_its_own_account_and_a_sysadmin_every_account(client, people):
    editor = staff_id(client, people, "editor")
    mine = result(client, "user_show", people["editor"], id=editor)
    assert (mine["fullname"], mine["email"]) == ("Pat Editor", "editor@york.gov.uk")
    everyone = result(client, "user_list", people["sysadmin"], order_by="fullname")
    assert [u["fullname"] for u in everyone] == [
        "Pat Admin",
        "Pat Editor",
        "Pat Sysadmin",
        "York Open Data",
    ]
    assert result(client, "user_show", people["sysadmin"], id=editor)["email"] == mine["email"]
    found = result(client, "user_autocomplete", people["sysadmin"], q="edit")
    assert found == [{"id": editor, "name": editor, "fullname": "Pat Editor"}]
    missing = call(client, "user_show", people["sysadmin"], id="nobody")
    assert missing.status_code == 404
    assert result(client, "user_activity_list", people["editor"], id=editor) == []
    assert result(client, "am_following_dataset", people["editor"], id="school-places") is False


@pytest.mark.parametrize(
    ("role", "permission", "expected"),
    [
        ("anonymous", None, []),
        ("editor", None, []),
        ("editor", "create_dataset", [("children-education", "editor")]),
        ("editor", "read", [("children-education", "editor")]),
        ("admin", None, [("children-education", "admin")]),
        ("admin", "fly", []),
        ("sysadmin", None, [("children-education", "admin"), (CORPORATE, "admin")]),
    ],
)
def test_organization_list_for_user_gives_the_callers_own_organisations(
    client, people, role, permission, expected
):
    params = {"permission": permission} if permission else {}
    found = result(client, "organization_list_for_user", people[role], **params)
    assert [(org["name"], org["capacity"]) for org in found] == expected


def test_only_a_sysadmin_lists_another_accounts_organisations(client, people):
    admin = staff_id(client, people, "admin")
    refused = call(client, "organization_list_for_user", people["editor"], id=admin)
    assert refused.status_code == 403
    listed = result(client, "organization_list_for_user", people["sysadmin"], id=admin)
    assert [org["capacity"] for org in listed] == ["admin"]


def test_editors_may_file_datasets_under_any_topic(client, people):
    topics = result(client, "group_list_authz", people["editor"])
    assert [t["name"] for t in topics] == ["education-and-skills"]
    assert result(client, "group_list_authz", people["editor"], am_member=True) == []


def test_an_organisations_members_are_shown_to_its_admins_only(client, people):
    editor = staff_id(client, people, "editor")
    for role, shown in (("anonymous", False), ("editor", False), ("admin", True)):
        users = result(client, "organization_show", people[role], id="children-education")["users"]
        members = result(client, "member_list", people[role], id="children-education")
        assert (
            {"id": editor, "capacity": "editor"}
            in [{"id": u["id"], "capacity": u["capacity"]} for u in users]
        ) is shown
        assert ([editor, "user", "editor"] in members) is shown
