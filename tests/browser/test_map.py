"""The map preview in Chromium: Leaflet draws a marker for every place in the table beneath
it, under the Content-Security-Policy and without an accessibility violation; without
JavaScript the table alone shows."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, Route

from tests.browser.test_accessibility import TIMEOUT_MS, _report, axe_violations

MAP_DATASET = "ev-charge-points"
# A transparent pixel for every tile: the tests never reach OpenStreetMap's servers.
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


def _tile(route: Route) -> None:
    route.fulfill(status=200, content_type="image/png", body=PIXEL)


@pytest.fixture(scope="module")
def map_url(browser: Browser, base_url: str) -> str:
    """The first resource of the demo's charge points dataset with a map preview."""
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{base_url}/datasets/{MAP_DATASET}")
        links = page.locator("table.govuk-table tbody td:first-child a.govuk-link")
        for href in [links.nth(i).get_attribute("href") for i in range(links.count())]:
            page.goto(base_url + href)
            if page.locator("#map-view").count():
                return base_url + href
    finally:
        context.close()
    pytest.fail(f"No resource of {MAP_DATASET} has a map preview")


def _page(browser: Browser, *, javascript: bool) -> Iterator[Page]:
    context = browser.new_context(java_script_enabled=javascript)
    context.set_default_timeout(TIMEOUT_MS)
    context.route("https://tile.openstreetmap.org/**", _tile)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    yield from _page(browser, javascript=True)


@pytest.fixture
def page_without_javascript(browser: Browser) -> Iterator[Page]:
    yield from _page(browser, javascript=False)


def test_the_map_draws_every_place_in_the_table(page: Page, map_url: str) -> None:
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    page.goto(map_url, wait_until="load")
    rows = page.locator("#places tbody tr").count()
    assert rows > 0
    markers = page.locator("#map-view .leaflet-marker-icon")
    markers.first.wait_for()
    assert markers.count() == rows
    assert page.locator("#map-view").is_visible()
    assert "OpenStreetMap" in page.locator("#map-view .leaflet-control-attribution").inner_text()
    assert [text for text in messages if "Content Security Policy" in text] == []

    violations = axe_violations(page)
    assert not violations, _report(map_url, violations)


def test_without_javascript_the_table_alone_shows(page_without_javascript: Page, map_url: str):
    page = page_without_javascript
    page.goto(map_url, wait_until="load")
    assert page.locator("#places tbody tr").count() > 0
    assert page.locator("#places").is_visible()
    assert not page.locator("#map-view").is_visible()
