"""Attacks through the browser and the API: script injection, forged forms, tokens in URLs,
fields a form never offered, guessing sign-ins, errors that tell too much, and the headers that
keep the browser on our side. Redirects after sign-in that would leave the site, the lock-out
after five failures and the cookie flags are proved in tests/web/test_auth.py.
"""

from __future__ import annotations

import json
import re
from datetime import datetime

import pytest

from catalog.accounts.tokens import token_create
from catalog.accounts.users import account_create, membership_set
from catalog.clock import frozen_at
from catalog.permissions import Actor
from catalog.publishing.groups import get_organisation
from tests.pages import csrf_token, heading, lede, main, mentions, parse_page, text_of
from tests.web.conftest import PASSWORD, People, Visitor

SETUP = Actor.system("test setup")
OWNER = "children-education"
SCRIPT = "<script>alert('x')</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
LD_JSON = "application/ld+json"  # data for machines, which a browser does not run


@pytest.fixture
def editor(catalogue):
    return People(catalogue.session).make("Erin Editor", "editor")


@pytest.fixture
def token(catalogue, editor) -> str:
    _token, secret = token_create(catalogue.session, actor=SETUP, account=editor, name="script")
    return secret


def _would_run(page) -> list[str]:
    """Whatever in a parsed page a browser would run: a script saying alert, an event handler
    attribute, a link to a javascript: or data: address. (Data blocks such as JSON-LD do not
    run; they must still be whole JSON, so nothing in them broke out of the block.)"""
    data = page("script", attrs={"type": LD_JSON})
    for block in data:
        json.loads(block.string)
    found = [str(s) for s in page("script") if s not in data and "alert" in s.get_text()]
    found += [
        str(element)
        for element in page.find_all(True)
        if any(name.lower().startswith("on") for name in element.attrs)
    ]
    found += [
        link["href"]
        for link in page.find_all(["a", "area"], href=True)
        if link["href"].strip().lower().startswith(("javascript:", "data:"))
    ]
    return found


def _signed_in(app, account) -> Visitor:
    browser = Visitor(app.test_client())
    browser.sign_in(account.email)
    return browser


# -- Script injection ------------------------------------------------------------------------


def test_titles_descriptions_and_cells_are_escaped_and_script_links_dropped(client, catalogue):
    description = (
        f"Intro {SCRIPT}\n\n[click me](javascript:alert(1)) [data](data:text/html,x) "
        f'<a href="javascript:alert(2)">raw</a> <img src=x onerror=alert(3)> {ATTRIBUTE}'
    )
    cells = f'name,notes\r\nAcomb,{SCRIPT}\r\nHaxby,"{ATTRIBUTE}"\r\n'.encode()
    dataset = catalogue.dataset(
        "xss-check", title=f"Spend {SCRIPT}", description=description, files={"x.csv": cells}
    )
    rid = dataset.resources[0].id
    for url in ["/datasets/xss-check", f"/datasets/xss-check/resources/{rid}", "/datasets?q=spend"]:
        assert _would_run(parse_page(client.get(url))) == [], url
    assert heading(parse_page(client.get("/datasets/xss-check"))) == f"Spend {SCRIPT}"


@pytest.mark.parametrize(
    "url",
    [
        f"/datasets?q={SCRIPT}",
        f"/datasets?organisation={ATTRIBUTE}",
        f"/datasets/{SCRIPT}",
        f"/indicators?q={SCRIPT}",
        f"/datasets?sort={SCRIPT}",
        f"/login?next={ATTRIBUTE}",
    ],
)
def test_query_parameters_and_paths_are_never_echoed_as_markup(client, catalogue, url):
    response = client.get(url)
    assert response.status_code < 500
    page = parse_page(response)
    assert _would_run(page) == [] and page.find("img", src="x") is None


def test_an_api_error_echoing_input_is_json_not_html(client, catalogue):
    response = client.get(f"/api/data/x?{SCRIPT}=1")
    assert response.mimetype == "application/json"
    assert "sandbox" in response.headers["Content-Security-Policy"]


# -- Forged forms ----------------------------------------------------------------------------


def _form_urls(app, catalogue) -> list[str]:
    """Every URL a browser form posts to, with real values for its parts."""
    dataset = catalogue.dataset("forms-check", files={"a.csv": b"a\r\n1\r\n"}, publish=False)
    values = {"name": dataset.name, "resource_id": dataset.resources[0].id}
    adapter = app.url_map.bind("localhost")
    urls = []
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods and not rule.rule.startswith("/api/"):
            params = {arg: values.get(arg) or _example(rule, arg) for arg in rule.arguments}
            urls.append(adapter.build(rule.endpoint, params))
    return urls


def _example(rule, arg: str):
    """A value the rule accepts: the first of an `any(...)` choice, else a number."""
    choices = getattr(rule._converters[arg], "items", None)
    return sorted(choices)[0] if choices else 1


@pytest.mark.parametrize("who", ["signed in", "signed in, sending a token", "anonymous"])
def test_every_form_refuses_a_post_without_its_csrf_token(app, catalogue, editor, token, who):
    membership_set(
        catalogue.session,
        actor=SETUP,
        account=editor,
        organisation=get_organisation(catalogue.session, "children-education"),
        role="admin",
    )
    browser = _signed_in(app, editor) if who.startswith("signed") else Visitor(app.test_client())
    browser.get("/login")  # a session with a CSRF token in it, as a real browser would have
    headers = {"Authorization": f"Bearer {token}"} if "token" in who else {}
    urls = _form_urls(app, catalogue)
    assert len(urls) > 10
    refused = {url: browser.client.post(url, data={}, headers=headers) for url in urls}
    wrong = {url: r.status_code for url, r in refused.items() if r.status_code != 400}
    assert wrong == {}
    assert all("The form had expired" in lede(parse_page(r)) for r in refused.values())


# -- Tokens ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["api_key", "token", "access_token", "key", "Authorization"])
def test_a_token_in_the_url_is_never_accepted(client, token, name):
    response = client.get(f"/api/me?{name}={token}")
    assert response.status_code == 401
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_a_new_token_is_shown_in_the_page_never_in_a_url(app, editor):
    browser = _signed_in(app, editor)
    page = browser.submit("/account/tokens", {"name": "nightly"}, follow=False)
    secret = text_of(parse_page(page).find(id="new-token"))
    assert re.fullmatch(r"odp_[A-Za-z0-9_-]{40,}", secret)
    assert page.status_code == 200 and "Location" not in page.headers
    assert page.headers["Cache-Control"] == "private, no-store"
    assert not mentions(parse_page(browser.get("/account/tokens")), secret)


# -- Fields a form never offered -------------------------------------------------------------


def _action(client, action, token, **params):
    return client.post(
        f"/api/3/action/{action}", json=params, headers={"Authorization": f"Bearer {token}"}
    )


def test_api_writes_ignore_state_privacy_and_ownership_fields(client, catalogue, token):
    created = _action(
        client,
        "package_create",
        token,
        name="mass-assign",
        title="Mass assignment",
        owner_org="children-education",
        state="active",
        private=False,
        sysadmin=True,
        creator_user_id="1",
        metadata_created="2001-01-01T00:00:00",
    )
    assert created.status_code == 200, created.text
    assert client.get("/datasets/mass-assign").status_code == 404
    patched = _action(client, "package_patch", token, id="mass-assign", state="active")
    assert patched.status_code in (200, 400, 403, 409)
    assert client.get("/datasets/mass-assign").status_code == 404
    shown = _action(client, "package_show", token, id="mass-assign").get_json()["result"]
    assert shown["state"] != "active" and shown["private"] is True


def test_an_editor_cannot_create_in_or_move_a_dataset_to_another_organisation(
    client, catalogue, token
):
    catalogue.organisation("housing", "Housing and Communities")
    refused = _action(client, "package_create", token, name="x", title="X", owner_org="housing")
    assert refused.status_code == 403
    _action(client, "package_create", token, name="mine", title="Mine", owner_org=OWNER)
    moved = _action(client, "package_patch", token, id="mine", owner_org="housing")
    assert moved.status_code == 403
    assert (
        _action(client, "package_show", token, id="mine").get_json()["result"]["organization"][
            "name"
        ]
        == OWNER
    )


def test_the_edit_form_ignores_a_state_it_never_offered(app, catalogue, editor):
    catalogue.dataset("form-draft", publish=False)
    browser = _signed_in(app, editor)
    page = "/publish/datasets/form-draft/edit"
    fields = {"title": "Form draft", "name": "form-draft", "organisation": OWNER}
    fields |= {"licence": "OGL-UK-3.0", "state": "published", "published_at": "2020-01-01"}
    fields |= {"approved_by": "Nobody", "sysadmin": "y"}
    browser.submit(page, fields)
    assert browser.get("/datasets/form-draft").status_code == 404


def test_a_member_cannot_upgrade_themselves_through_an_admin_form(app, catalogue):
    member = People(catalogue.session).make("Mo Member", "member")
    browser = _signed_in(app, member)
    for url in ["/publish/datasets/new", "/publish/review"]:
        response = browser.client.post(
            url, data={"role": "admin", "sysadmin": "y", "csrf_token": _csrf(browser)}
        )
        assert response.status_code in (403, 405), (url, response.status_code)
    my_work = main(parse_page(browser.get("/publish")))
    assert "Create a dataset" not in [text_of(a) for a in my_work.select(".govuk-button")]


def _csrf(browser) -> str:
    return csrf_token(parse_page(browser.get("/publish")))


# -- Signing in ------------------------------------------------------------------------------


def test_unknown_and_known_accounts_are_refused_alike(app, catalogue, editor):
    known = Visitor(app.test_client()).sign_in(editor.email, "wrong password")
    unknown = Visitor(app.test_client()).sign_in("nobody@york.gov.uk", "wrong password")
    assert known.status_code == unknown.status_code == 403

    def same(page):
        """The page without what differs on every response: field values and CSP nonces."""
        parsed = parse_page(page)
        for element in parsed.find_all(True):
            for name in ("value", "nonce"):
                element.attrs.pop(name, None)
        return parsed

    assert same(known) == same(unknown)


def test_repeated_failures_slow_the_guesser_even_for_the_right_password(app, catalogue, editor):
    """Slowed, not locked: the wait doubles with each failure and then the password works
    (tests/web/test_auth.py proves the waits and the owner's own browser)."""
    browser = Visitor(app.test_client())
    with frozen_at(datetime(2026, 12, 7, 9, 0, 0)):
        for _ in range(5):
            browser.sign_in(editor.email, "guess")
        slowed = browser.sign_in(editor.email, PASSWORD)
        assert slowed.status_code == 429 and slowed.request.path != "/publish"
    with frozen_at(datetime(2026, 12, 7, 9, 0, 1)):
        assert browser.sign_in(editor.email, PASSWORD).request.path == "/publish"


# -- Errors that tell too much ---------------------------------------------------------------

SECRET_DSN = "postgresql://opendata:hunter2@db.internal:5432/opendata"


@pytest.mark.parametrize("path", ["/boom", "/api/boom"])
def test_an_unexpected_error_shows_no_trace_dsn_or_secret(app, path):
    def boom():
        raise RuntimeError(f"could not connect to {SECRET_DSN}")

    app.add_url_rule(path, view_func=boom)
    response = app.test_client().get(path)
    assert response.status_code == 500
    for told in ("hunter2", "db.internal", "Traceback", "RuntimeError", 'File "'):
        assert told not in response.text


# -- Headers on every kind of response -------------------------------------------------------


def _kinds(catalogue) -> dict[str, str]:
    dataset = catalogue.dataset("headers", files={"h.csv": b"a,b\r\n1,2\r\n"})
    rid = dataset.resources[0].id
    return {
        "page": "/",
        "API": "/api/3/action/status_show",
        "data API": f"/api/data/{rid}",
        "download": f"/datasets/headers/resources/{rid}/download/h.csv",
        "page error": "/datasets/nothing-here",
        "API error": "/api/3/action/package_show?id=nothing",
        "feed": "/feeds/releases.atom",
        "static asset": "/static/site.css",
        "login form": "/login",
    }


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_every_kind_of_response_carries_the_security_headers(client, catalogue, scheme):
    for kind, url in _kinds(catalogue).items():
        response = client.get(url, base_url=f"{scheme}://localhost")
        headers = response.headers
        assert response.status_code < 500, kind
        assert headers["X-Content-Type-Options"] == "nosniff", kind
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], kind
        assert headers["X-Frame-Options"] == "DENY", kind
        assert ("Strict-Transport-Security" in headers) == (scheme == "https"), kind
        if response.mimetype == "text/html":
            nonce = re.search(r"'nonce-([^']+)'", headers["Content-Security-Policy"]).group(1)
            scripts = parse_page(response)("script")
            inline = [s for s in scripts if not s.has_attr("src") and s.get("type") != LD_JSON]
            assert inline and all(s.get("nonce") == nonce for s in inline), kind
        else:
            assert "sandbox" in headers["Content-Security-Policy"], kind


def test_each_page_gets_its_own_nonce(client):
    first, second = (client.get("/").headers["Content-Security-Policy"] for _ in range(2))
    assert first != second


def test_api_accounts_need_a_real_membership(client, catalogue):
    """A token of an account with no role sees no unpublished dataset of any organisation."""
    catalogue.dataset("hidden-draft", publish=False)
    account = account_create(
        catalogue.session, actor=SETUP, email="n@york.gov.uk", name="N", password=PASSWORD
    )
    _t, secret = token_create(catalogue.session, actor=SETUP, account=account, name="n")
    response = _action(client, "package_show", secret, id="hidden-draft")
    assert response.status_code == 404
