"""Phones in Chromium, at 320 and 375 CSS pixels: no page scrolls sideways, the search box
takes the whole width, the filters fold away behind "Show filters" so the results are a few
presses of Tab away, wide tables and the chart scroll in their own regions with legible text,
the map draws, and axe-core finds no violation."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.browser.test_accessibility import TIMEOUT_MS, _report, axe_violations
from tests.browser.test_map import MAP_DATASET, _tile
from tests.browser.test_publishing import _sign_in

WIDTHS = [320, 375]
PAGE_MARGINS = 2 * 15  # GOV.UK's page gutters on a phone
FIRST_RESULT = ".app-dataset-list a.govuk-link"
MOST_TABS_TO_A_RESULT = 12
SMALLEST_CHART_TEXT_PX = 12
SCROLL_REGIONS = ".app-table-scroll"
AXE_AT_ONE_WIDTH = {"/api/docs"}  # 670 KB of tables: axe reads them once, at the narrowest


@dataclass
class Phone:
    """One page at a phone's width, shared by the tests at that width, and its server."""

    width: int
    context: BrowserContext
    page: Page
    base_url: str

    def open(self, path: str) -> Page:
        url = path if path.startswith("http") else self.base_url + path
        response = self.page.goto(url, wait_until="load")
        assert response is not None and response.status == 200, f"{url}: {response}"
        return self.page

    def check_fits(self) -> None:
        scroll_width = self.page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= self.width, (
            f"{self.page.url} is {scroll_width} px wide at {self.width}"
        )

    def check_fits_and_passes_axe(self) -> None:
        self.check_fits()
        violations = axe_violations(self.page)
        assert not violations, _report(self.page.url, violations)


@pytest.fixture(scope="module", params=WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def phone(request, browser: Browser, base_url: str) -> Iterator[Phone]:
    context = browser.new_context(
        viewport={"width": request.param, "height": 640}, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.route("https://tile.openstreetmap.org/**", _tile)
    try:
        yield Phone(request.param, context, context.new_page(), base_url)
    finally:
        context.close()


@pytest.mark.parametrize("path", ["/", "/datasets"])
def test_the_search_box_takes_the_whole_width(phone: Phone, path: str) -> None:
    page = phone.open(path)
    box = page.locator("input#q").bounding_box()
    assert box is not None and box["width"] >= phone.width - PAGE_MARGINS - 1, box
    phone.check_fits_and_passes_axe()


def test_filters_fold_away_and_the_results_are_a_few_tabs_away(phone: Phone) -> None:
    page = phone.open("/datasets")
    filters = page.locator("#filters")
    toggle = page.get_by_role("button", name="Show filters")
    assert not filters.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"

    first = page.locator(FIRST_RESULT).first
    presses = 0
    while not first.evaluate("link => link === document.activeElement"):
        page.keyboard.press("Tab")
        presses += 1
        assert presses <= MOST_TABS_TO_A_RESULT, f"no result after {presses} presses of Tab"

    toggle.click()
    assert filters.is_visible()
    assert page.get_by_role("button", name="Hide filters").get_attribute("aria-expanded") == "true"
    phone.check_fits_and_passes_axe()


def test_a_dataset_page_fits(phone: Phone) -> None:
    phone.open(f"/datasets/{MAP_DATASET}")
    phone.check_fits_and_passes_axe()


def test_the_map_draws_at_a_phones_width(phone: Phone) -> None:
    page = phone.open(f"/datasets/{MAP_DATASET}")
    page.locator("table.govuk-table tbody td:first-child a.govuk-link").first.click()
    page.wait_for_load_state("load")
    rows = page.locator("#places tbody tr").count()
    markers = page.locator("#map-view .leaflet-marker-icon")
    markers.first.wait_for()
    assert markers.count() == rows > 0
    map_box = page.locator("#map-view").bounding_box()
    assert map_box is not None and map_box["width"] <= phone.width - PAGE_MARGINS + 1
    phone.check_fits_and_passes_axe()


@pytest.mark.parametrize("path", ["/api/docs", "/transparency"])
def test_wide_tables_scroll_in_their_own_region(phone: Phone, path: str) -> None:
    page = phone.open(path)
    _check_scroll_regions(page)
    if path in AXE_AT_ONE_WIDTH and phone.width != WIDTHS[0]:
        phone.check_fits()
    else:
        phone.check_fits_and_passes_axe()


def test_chart_text_is_legible(phone: Phone) -> None:
    page = phone.open("/indicators")
    page.locator("table.govuk-table tbody a.govuk-link[href^='/indicators/']").first.click()
    page.wait_for_load_state("load")
    sizes = page.evaluate(
        """() => [...document.querySelectorAll("figure.app-chart svg text")]
          .filter((t) => t.textContent.trim())
          .map((t) => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a)"""
    )
    assert sizes, "the indicator page has no chart text"
    assert min(sizes) >= SMALLEST_CHART_TEXT_PX, f"chart text as small as {min(sizes):.1f} px"
    heights = page.evaluate(
        """() => [...document.querySelectorAll("figure.app-chart svg text")]
          .filter((t) => t.textContent.trim())
          .map((t) => t.getBoundingClientRect().height)"""
    )
    assert min(heights) >= SMALLEST_CHART_TEXT_PX
    phone.check_fits_and_passes_axe()


def test_the_publishing_pages_fit(phone: Phone, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": phone.width, "height": 640})
    context.set_default_timeout(TIMEOUT_MS)
    try:
        signed_in = Phone(phone.width, context, context.new_page(), phone.base_url)
        _sign_in(signed_in.page, phone.base_url)
        for path in ["/publish", "/publish/review"]:
            _check_scroll_regions(signed_in.open(path))
            signed_in.check_fits_and_passes_axe()
    finally:
        context.close()


def _check_scroll_regions(page: Page) -> None:
    """Every table is in a focusable, named scrolling region that is no wider than the page."""
    loose = page.evaluate(
        """(regions) => [...document.querySelectorAll("main table")]
          .filter((t) => !t.closest(regions))
          .map((t) => (t.caption ? t.caption.textContent : t.outerHTML.slice(0, 80)).trim())""",
        SCROLL_REGIONS,
    )
    assert loose == [], f"tables outside a scrolling region on {page.url}: {loose}"
    for region in page.locator(SCROLL_REGIONS).all():
        assert region.get_attribute("tabindex") == "0"
        assert region.get_attribute("role") == "region"
        assert region.get_attribute("aria-labelledby") or region.get_attribute("aria-label")
