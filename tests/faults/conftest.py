"""Faults a live service meets: people and their browsers and API tokens, as in tests/web."""

from __future__ import annotations

import pytest

from catalog.accounts.tokens import token_create
from catalog.accounts.users import account_create, membership_set
from catalog.publishing.groups import get_organisation
from tests.pages import parse_page
from tests.web.conftest import SETUP, Visitor, people  # noqa: F401 (a fixture used here)


def form_fields(html: str) -> dict[str, str]:
    """The hidden fields a browser would post back with a form on the page."""
    hidden = parse_page(html).find_all("input", attrs={"type": "hidden", "name": True})
    return {field["name"]: field.get("value", "") for field in hidden}


@pytest.fixture
def browser(app):
    """A new browser with its own cookies, for each person in a test."""
    return lambda: Visitor(app.test_client())


@pytest.fixture
def token_of(catalogue):
    """The `Authorization` header of a new API token for `account`."""

    def make(account) -> dict[str, str]:
        _token, secret = token_create(catalogue.session, actor=SETUP, account=account, name="t")
        catalogue.saved()
        return {"Authorization": f"Bearer {secret}"}

    return make


def editor_with_token(session, password: str = "a" * 16) -> str:
    """Erin, an editor of children-education, and the secret of her API token: for the
    caller's unit of work to commit."""
    account = account_create(
        session, actor=SETUP, email="erin@york.gov.uk", name="Erin", password=password
    )
    organisation = get_organisation(session, "children-education")
    membership_set(session, actor=SETUP, account=account, organisation=organisation, role="editor")
    return token_create(session, actor=SETUP, account=account, name="script")[1]
