"""How to report a vulnerability: `/.well-known/security.txt` as RFC 9116 describes it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from catalog.clock import utcnow
from opendata import create_app
from tests.pages import lede, parse_page


@pytest.fixture
def configured(environ):
    environ = {**environ, "OPENDATA_SECURITY_CONTACT": "security@york.example"}
    environ["OPENDATA_BASE_URL"] = "https://data.york.example"
    app = create_app({"TESTING": True, "ENVIRON": environ})
    assert app.test_cli_runner().invoke(args=["init"]).exit_code == 0
    yield app.test_client()
    app.extensions["catalog"]["engine"].dispose()


def test_the_file_names_the_councils_contact_and_expires_within_a_year(configured):
    response = configured.get("/.well-known/security.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    fields = dict(line.split(": ", 1) for line in response.text.splitlines())
    assert fields["Contact"] == "mailto:security@york.example"
    assert fields["Canonical"] == "https://data.york.example/.well-known/security.txt"
    expires = datetime.fromisoformat(fields["Expires"].removesuffix("Z"))
    assert utcnow() + timedelta(days=30) < expires < utcnow() + timedelta(days=365)


def test_without_a_contact_there_is_no_file_rather_than_one_naming_nobody(client):
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 404
    assert "No security contact" in lede(parse_page(response))
