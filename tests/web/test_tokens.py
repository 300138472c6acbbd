"""API tokens: the secret is shown once, stored as a hash, and works in the headers tools send."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from catalog.accounts.tokens import token_create
from catalog.accounts.users import actor_for
from catalog.clock import frozen_at, utcnow
from catalog.models import ApiToken
from tests.pages import (
    banners,
    field_error,
    mentions,
    parse_page,
    summary_errors,
    table,
    table_headings,
    table_rows,
    text_of,
)

SECRET = re.compile(r"odp_[A-Za-z0-9_-]{40,}")


@pytest.fixture
def browser(signed_in, erin):
    return signed_in(erin)


def _create(browser, name="Monthly spend upload", **fields) -> str:
    page = browser.submit("/account/tokens", {"name": name, **fields})
    assert page.status_code == 200, page.text
    return _shown_secret(page)


def _shown_secret(page) -> str:
    """The new token, in the place the page shows it to be copied."""
    secret = text_of(parse_page(page).find(id="new-token"))
    assert SECRET.fullmatch(secret), secret
    return secret


def _tokens(browser) -> list[dict[str, str]]:
    """The rows of the 'Your tokens' table, by column heading."""
    found = table(parse_page(browser.get("/account/tokens")), "Your tokens")
    names = table_headings(found)
    return [dict(zip(names, cells, strict=True)) for cells in table_rows(found)]


def test_the_secret_is_shown_once_and_then_only_its_prefix(browser):
    page = browser.submit("/account/tokens", {"name": "Monthly spend upload"})
    assert "no-store" in page.headers["Cache-Control"]
    warning = parse_page(page).find(class_="govuk-warning-text")
    assert "Copy this token now" in text_of(warning)
    secret = _shown_secret(page)
    assert not mentions(parse_page(browser.get("/account/tokens")), secret)
    (token,) = _tokens(browser)
    assert token["Name"] == "Monthly spend upload" and token["Starts with"] == f"{secret[:8]}…"
    assert token["Last used"] == "Not yet" and token["Expires"] == "Never"


@pytest.mark.parametrize(
    "headers",
    [
        lambda secret: {"Authorization": f"Bearer {secret}"},
        lambda secret: {"Authorization": secret},
        lambda secret: {"X-CKAN-API-Key": secret},
    ],
    ids=["bearer", "ckan-authorization", "ckan-api-key"],
)
def test_a_token_authenticates_in_each_header_style(client, browser, erin, headers):
    secret = _create(browser)
    response = client.get("/api/me", headers=headers(secret))
    assert response.status_code == 200
    assert response.json == {
        "name": "Erin Editor",
        "email": erin.email,
        "sysadmin": False,
        "roles": [{"organisation": "children-education", "role": "editor"}],
    }


def test_use_is_recorded(client, browser, catalogue):
    secret = _create(browser)
    client.get("/api/me", headers={"Authorization": f"Bearer {secret}"})
    token = catalogue.session.scalars(select(ApiToken)).one()
    assert token.last_used_at is not None and token.last_used_at <= utcnow()
    (listed,) = _tokens(browser)
    assert listed["Last used"] != "Not yet"


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer odp_nonsense"}, {"X-CKAN-API-Key": "garbage"}],
    ids=["none", "garbage-bearer", "garbage-ckan"],
)
def test_no_token_or_a_bad_one_is_a_401_in_json(client, headers):
    response = client.get("/api/me", headers=headers)
    assert response.status_code == 401
    assert response.json["error"]["status"] == 401
    assert response.json["error"]["title"] == "An API token is needed"
    assert "Bearer" in response.headers["WWW-Authenticate"]


def test_another_authorization_scheme_is_not_mistaken_for_a_bad_token(client):
    basic = {"Authorization": "Basic c3RhZ2luZzpzZWNyZXQ="}  # a staging site's proxy sign-in
    assert client.get("/api/indicators", headers=basic).status_code == 200
    refused = client.get("/api/me", headers=basic)
    assert refused.status_code == 401 and "Bearer" in refused.json["error"]["message"]


def test_a_revoked_token_stops_working(client, browser):
    secret = _create(browser)
    listing = table(parse_page(browser.get("/account/tokens")), "Your tokens")
    (revoke,) = [form["action"] for form in listing.find_all("form")]
    page = browser.submit("/account/tokens", to=revoke)
    assert any("has been revoked" in said for said in banners(parse_page(page)))
    (token,) = _tokens(browser)
    assert token["Status"] == "Revoked"
    response = client.get("/api/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401 and "revoked" in response.json["error"]["message"]


def test_an_expired_token_stops_working(client, catalogue, erin):
    _token, secret = token_create(
        catalogue.session,
        actor=actor_for(erin),
        account=erin,
        name="Short lived",
        expires_at=utcnow() + timedelta(hours=1),
    )
    assert client.get("/api/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    with frozen_at(utcnow() + timedelta(hours=1)):
        response = client.get("/api/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401


def test_an_expiry_date_in_the_past_is_refused_on_the_form(browser):
    page = browser.submit(
        "/account/tokens",
        {"name": "Old", "expires_at-day": "1", "expires_at-month": "1", "expires_at-year": "2020"},
    )
    assert page.status_code == 422
    shown = parse_page(page)
    ((said, href),) = summary_errors(shown)
    assert href == "#expires_at-day" and "must be in the future" in said
    assert "must be in the future" in field_error(shown, "expires_at-day")
    assert shown.find(id="new-token") is None and not SECRET.search(page.text)


def test_the_session_cookie_does_not_authenticate_the_api(browser):
    assert browser.get("/api/me").status_code == 401
