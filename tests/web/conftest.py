"""People with real accounts, and visitors who fill in forms as a browser would.

Accounts and roles are made through the services; a visitor opens a page, takes the CSRF token
from its form and posts it back, so every test also proves the form carries its token.
"""

from __future__ import annotations

import pytest

from catalog.accounts.users import account_create, membership_set
from catalog.names import slugify
from catalog.permissions import Actor
from catalog.publishing.groups import get_organisation
from tests.pages import csrf_token, parse_page

PASSWORD = "correct horse battery staple"
SETUP = Actor.system("test setup")


class People:
    """Makes council staff with a role in an organisation."""

    def __init__(self, session) -> None:
        self.session = session

    def make(self, name: str, role: str | None = None, organisation="children-education"):
        account = account_create(
            self.session,
            actor=SETUP,
            email=f"{slugify(name)}@york.gov.uk",
            name=name,
            password=PASSWORD,
        )
        if role:
            membership_set(
                self.session,
                actor=SETUP,
                account=account,
                organisation=get_organisation(self.session, organisation),
                role=role,
            )
        self.session.commit()  # the test is the edge: the person can sign in at once
        return account


class Visitor:
    """One person's browser: its own cookies, and forms posted with their CSRF token."""

    def __init__(self, client) -> None:
        self.client = client

    def get(self, url: str, **options):
        return self.client.get(url, **options)

    def submit(self, url: str, data=None, *, to: str | None = None, follow: bool = True):
        """Open the page at `url` and post a form from it to `to` (the page itself by default)."""
        shown = self.client.get(url)
        assert shown.status_code == 200, (url, shown.status_code)
        token = csrf_token(parse_page(shown))
        assert token, f"no form with a CSRF token on {url}"
        body = {**(data or {}), "csrf_token": token}
        return self.client.post(to or url, data=body, follow_redirects=follow)

    def sign_in(self, email: str, password: str = PASSWORD, *, follow: bool = True):
        data = {"email": email, "password": password}
        return self.submit("/login", data, follow=follow)


@pytest.fixture
def people(catalogue) -> People:
    return People(catalogue.session)


@pytest.fixture
def visitor(client) -> Visitor:
    return Visitor(client)


@pytest.fixture
def erin(people):
    """An editor of the organisation."""
    return people.make("Erin Editor", "editor")


@pytest.fixture
def ada(people):
    """An admin of the organisation: the reviewer of what its editors do."""
    return people.make("Ada Admin", "admin")


@pytest.fixture
def signed_in(app):
    """A new browser, signed in as `account`."""

    def sign_in(account) -> Visitor:
        browser = Visitor(app.test_client())
        response = browser.sign_in(account.email)
        assert response.request.path == "/publish", response.text
        return browser

    return sign_in
