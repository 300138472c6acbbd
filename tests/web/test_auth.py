"""Signing in and out: clear messages, a lock-out against guessing, safe cookies and forms."""

from __future__ import annotations

import pytest

from catalog.accounts.users import MAX_FAILURES
from opendata import create_app
from tests.pages import (
    banners,
    field_error,
    heading,
    lede,
    links,
    parse_page,
    summary_errors,
    text_of,
    title,
)
from tests.web.conftest import PASSWORD, Visitor

WRONG = "The email address or password is wrong."


@pytest.fixture
def erin(people):
    return people.make("Erin Editor", "editor")


def _navigation(page) -> list[str]:
    """What the header offers: its links and its buttons (signing out is a form)."""
    header = parse_page(page).find("header")
    return [text for text, _href in links(header)] + [text_of(b) for b in header("button")]


def test_signing_in_leads_to_my_work_and_the_header_changes(visitor, erin):
    assert "Sign in" in _navigation(visitor.get("/"))
    page = visitor.sign_in("Erin-Editor@York.gov.uk")
    assert page.status_code == 200 and page.request.path == "/publish"
    shown = parse_page(page)
    assert heading(shown) == "My work" and text_of(shown.find(class_="govuk-caption-l")) == (
        "Erin Editor"
    )
    assert "Sign out" in _navigation(page) and "Sign in" not in _navigation(page)


def test_a_wrong_password_is_refused_with_an_error_summary(visitor, erin):
    page = visitor.sign_in(erin.email, "not my password")
    assert page.status_code == 403
    shown = parse_page(page)
    assert summary_errors(shown) == [(WRONG, "#email")]
    assert field_error(shown, "email") == WRONG
    assert title(shown).startswith("Error: Sign in")
    assert visitor.get("/publish").status_code == 302


def test_blank_fields_are_named(visitor, erin):
    page = visitor.submit("/login", {"email": "", "password": ""})
    assert page.status_code == 422
    shown = parse_page(page)
    assert summary_errors(shown) == [
        ("Enter your email address.", "#email"),
        ("Enter your password.", "#password"),
    ]
    assert field_error(shown, "email") == "Enter your email address."
    assert field_error(shown, "password") == "Enter your password."


def test_the_account_locks_after_five_failures_even_for_the_right_password(visitor, erin):
    for _ in range(MAX_FAILURES):
        assert field_error(parse_page(visitor.sign_in(erin.email, "a guess at it")), "email") == (
            WRONG
        )
    page = visitor.sign_in(erin.email, PASSWORD)
    assert page.status_code == 403
    assert "this account is locked" in field_error(parse_page(page), "email")
    assert visitor.get("/publish").status_code == 302


def test_signing_out_ends_the_session(visitor, erin):
    visitor.sign_in(erin.email)
    page = visitor.submit("/publish", to="/logout")
    assert page.request.path == "/login" and banners(parse_page(page)) == ["You have signed out."]
    response = visitor.get("/publish")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_signing_in_returns_to_the_page_asked_for_but_never_off_site(app, erin):
    browser = Visitor(app.test_client())
    assert browser.get("/account/tokens").headers["Location"] == "/login?next=%2Faccount%2Ftokens"
    page = browser.submit(
        "/login?next=/account/tokens", {"email": erin.email, "password": PASSWORD}
    )
    assert page.request.path == "/account/tokens"
    elsewhere = Visitor(app.test_client())
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = elsewhere.submit(
            f"/login?next={target}", {"email": erin.email, "password": PASSWORD}, follow=False
        )
        assert response.headers["Location"] == "/publish", target
        elsewhere.submit("/publish", to="/logout")


def test_the_session_cookie_is_http_only_and_same_site(visitor, erin):
    response = visitor.sign_in(erin.email, follow=False)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # the test site is plain http


def test_the_session_cookie_is_secure_on_an_https_site(environ, people, erin):
    app = create_app(
        {"TESTING": True, "ENVIRON": {**environ, "OPENDATA_BASE_URL": "https://data.york.gov.uk"}}
    )
    try:
        response = Visitor(app.test_client()).sign_in(erin.email, follow=False)
        assert "Secure" in response.headers["Set-Cookie"]
    finally:
        app.extensions["catalog"]["engine"].dispose()


def test_a_form_post_without_its_csrf_token_is_refused(app, client, erin):
    app.config["WTF_CSRF_ENABLED"] = True
    refused = client.post("/login", data={"email": erin.email, "password": PASSWORD})
    assert refused.status_code == 400
    assert "did not come from this site" in lede(parse_page(refused))
    assert client.get("/publish").status_code == 302
    accepted = Visitor(client).sign_in(erin.email)
    assert accepted.request.path == "/publish"


def test_api_paths_take_no_csrf_token_because_they_ignore_the_session(client):
    response = client.post("/api/me")
    assert response.status_code == 405  # not 400: no CSRF check on token-only paths
