"""Signing in and out: clear messages, guessing slowed but no one locked out, sessions that end
on the server, safe cookies and forms. Tests of waiting hold the clock still (`frozen_at`)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import redis

from catalog.accounts.sign_in import ACCOUNT_ALLOWANCE, ADDRESS_ALLOWANCE
from catalog.clock import frozen_at
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
NOW = datetime(2026, 12, 7, 9, 0, 0)


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


def _from(app, address: str) -> Visitor:
    """A browser of its own at a client address of its own."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return Visitor(client)


def _said(page) -> list[str]:
    """What the error summary says, message by message."""
    return [message for message, _href in summary_errors(parse_page(page))]


@frozen_at(NOW)
def test_unknown_known_and_slowed_accounts_are_answered_alike(app, erin):
    """Before: a known account's sixth failure said "this account is locked" in 7 ms where an
    unknown address got the ordinary refusal, so anyone could tell which accounts exist."""
    guesser = _from(app, "10.0.0.1")
    for _ in range(ACCOUNT_ALLOWANCE):
        known = guesser.sign_in(erin.email, "a guess at it")
        unknown = guesser.sign_in("nobody-here@york.gov.uk", "a guess at it")
        assert known.status_code == unknown.status_code == 403
        assert _said(known) == _said(unknown) == [WRONG]
    slowed = [
        guesser.sign_in(erin.email, "a guess at it"),
        guesser.sign_in(erin.email, PASSWORD),
        guesser.sign_in("nobody-here@york.gov.uk", "a guess at it"),
    ]
    assert {page.status_code for page in slowed} == {429}
    assert len({tuple(_said(page)) for page in slowed}) == 1
    assert "Wait 1 second and try again; nothing has been locked." in _said(slowed[0])[0]
    assert {page.headers["Retry-After"] for page in slowed} == {"1"}
    assert guesser.get("/publish").status_code == 302


def test_guessing_waits_longer_each_time_but_never_locks_the_owner_out(app, erin):
    start = NOW
    owner = _from(app, "10.0.0.2")
    with frozen_at(start):
        assert owner.sign_in(erin.email).request.path == "/publish"
        owner.submit("/publish", to="/logout")
        guesser = _from(app, "10.0.0.3")
        for _ in range(ACCOUNT_ALLOWANCE):
            assert guesser.sign_in(erin.email, "a guess").status_code == 403
        assert guesser.sign_in(erin.email, "a guess").headers["Retry-After"] == "1"
        # The owner's own browser is not slowed by someone else's guesses...
        assert owner.sign_in(erin.email).request.path == "/publish"
        # ...though a browser that never signed in to the account is.
        assert _from(app, "10.0.0.4").sign_in(erin.email).status_code == 429
    waits = []
    moment = start
    for _ in range(4):
        moment += timedelta(seconds=2 ** len(waits))
        with frozen_at(moment):
            assert guesser.sign_in(erin.email, "a guess").status_code == 403
            waits.append(int(guesser.sign_in(erin.email, "a guess").headers["Retry-After"]))
    assert waits == [2, 4, 8, 16]
    with frozen_at(moment + timedelta(seconds=16)):
        assert guesser.sign_in(erin.email).request.path == "/publish"  # never locked


@frozen_at(NOW)
def test_one_address_guessing_at_many_accounts_is_slowed(app, erin):
    """Before: 40 attempts at different accounts from one address were never slowed."""
    guesser = _from(app, "10.0.0.5")
    for number in range(ADDRESS_ALLOWANCE):
        page = guesser.sign_in(f"guess-{number}@york.gov.uk", "a guess")
        assert page.status_code == 403
    assert guesser.sign_in("guess-next@york.gov.uk", "a guess").status_code == 429
    assert guesser.sign_in(erin.email).status_code == 429
    assert _from(app, "10.0.0.6").sign_in(erin.email).request.path == "/publish"


@frozen_at(NOW)
def test_failures_are_counted_in_redis_by_every_app_server(environ, erin):
    """Two app servers sharing nothing but Redis count one guesser's failures together."""
    redis_url = "redis://127.0.0.1:6379/5"
    environ = {**environ, "OPENDATA_REDIS_URL": redis_url}
    first, second = (create_app({"TESTING": True, "ENVIRON": environ}) for _ in range(2))
    address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
    email = f"{secrets.token_hex(6)}@york.gov.uk"  # unknown, and new to Redis
    try:
        for _ in range(ACCOUNT_ALLOWANCE):
            assert _from(first, address).sign_in(email, "a guess").status_code == 403
        assert _from(second, address).sign_in(email, "a guess").status_code == 429
        stored = redis.Redis.from_url(redis_url).keys("opendata:sign-in:*")
        assert any(key.decode().endswith(address) for key in stored)
    finally:
        for app in (first, second):
            app.extensions["catalog"]["engine"].dispose()


def test_a_session_cookie_replayed_after_sign_out_is_refused(app, erin):
    """Before: a cookie copied before `POST /logout` still opened /publish with the drafts."""
    browser = _from(app, "10.0.0.7")
    browser.sign_in(erin.email)
    copied = browser.client.get_cookie("session").value
    assert browser.get("/publish").status_code == 200
    browser.submit("/publish", to="/logout")
    replayer = app.test_client()
    replayer.set_cookie("session", copied)
    response = replayer.get("/publish")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


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
