"""`opendata links check` against a real HTTP server started here, and each link's public page
showing what the check found. The server listens on loopback, so this app names 127.0.0.1 in
OPENDATA_LINK_ALLOW_HOSTS, the test-only allow-list; without it loopback is refused."""

from __future__ import annotations

import pytest

from catalog.errors import Invalid
from catalog.publishing.links import vet_link_url
from catalog.publishing.resources import resource_link_create
from opendata.config import load_settings
from tests.catalog.publishing.test_links import file_server  # noqa: F401 (fixture)
from tests.conftest import ACTOR
from tests.pages import parse_page, summary_list


@pytest.fixture
def environ(environ):
    return {**environ, "OPENDATA_LINK_ALLOW_HOSTS": " 127.0.0.1 ,"}


def test_the_allow_list_is_empty_unless_set(tmp_path):
    settings = load_settings({"OPENDATA_INSTANCE": str(tmp_path / "instance")})
    assert settings.link_allow_hosts == frozenset()
    with pytest.raises(Invalid, match="loopback"):
        vet_link_url("http://127.0.0.1:8000/data.csv", settings.link_rules)


def test_links_check_records_what_each_link_answers_and_the_pages_show_it(
    app,
    catalogue,
    runner,
    client,
    file_server,  # noqa: F811
):
    rules = app.config["SETTINGS"].link_rules
    assert rules.allow_hosts == frozenset({"127.0.0.1"})
    dataset = catalogue.dataset("bus-stops", title="Bus stops")
    links = {
        title: resource_link_create(
            catalogue.session,
            actor=ACTOR,
            dataset=dataset,
            title=title,
            url=f"{file_server.base}{path}",
            format="csv",
            rules=rules,
        ).id
        for title, path in (("Stops", "/hop/2"), ("Old stops", "/gone.csv"))
    }
    page = f"/datasets/bus-stops/resources/{links['Stops']}"
    assert summary_list(parse_page(client.get(page)))["Link check"] == "Not checked yet"

    result = runner.invoke(args=["links", "check"])
    assert result.exit_code == 0, result.output
    assert result.output.endswith("Checked 2 links: 1 broken.\n")
    assert f"ok      {file_server.base}/hop/2  The server answered 200 OK." in result.output
    assert f"broken  {file_server.base}/gone.csv  The server answered 404 Not Found." in (
        result.output
    )
    assert file_server.requests == ["/hop/2", "/hop/1", "/data.csv", "/gone.csv"]

    link_check = summary_list(parse_page(client.get(page)))["Link check"]
    assert link_check.startswith("Working when checked on")
    broken = client.get(f"/datasets/bus-stops/resources/{links['Old stops']}").text
    assert "Not working when checked on" in broken
    assert "The server answered 404 Not Found." in broken
