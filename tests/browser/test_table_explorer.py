"""The table explorer on a phone (375 CSS pixels) without JavaScript: from the dataset page, a
resident finds what the council paid one supplier, the page does not scroll sideways, and
axe-core finds no WCAG 2.2 AA violation."""

from __future__ import annotations

from playwright.sync_api import Browser

from tests.browser.test_accessibility import TIMEOUT_MS, _open, _report, axe_violations

PHONE = {"width": 375, "height": 740}
DATASET = "/datasets/spend-over-500-2026-27"
FILE = "Spend over £500, July to September 2026"


def test_a_resident_finds_a_payment_on_a_phone(browser: Browser, base_url: str) -> None:
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        _open(page, base_url + DATASET)
        with page.expect_navigation():
            page.get_by_role("link", name=f"Explore {FILE}").click()
        assert page.url.endswith("/explore")
        page.get_by_label("Beneficiary or supplier name contains").fill("Minster Surfacing")
        with page.expect_navigation():
            page.get_by_role("button", name="Apply").click()
        assert page.url.endswith("/explore?supplier_name__contains=Minster+Surfacing")
        table = page.get_by_role("region", name=f"{FILE}: rows 1 to")
        rows = table.locator("tbody tr").all_inner_texts()
        assert rows and all("Minster Surfacing Ltd" in row for row in rows)
        assert any("£16,160.75" in row and "3 July 2026" in row for row in rows), rows
        found = page.url
    finally:
        context.close()
    _check_on_a_phone(browser, found)


def _check_on_a_phone(browser: Browser, url: str) -> None:
    """axe-core runs in the page, so this look is taken with JavaScript on."""
    context = browser.new_context(viewport=PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        _open(page, url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"] + 1, f"the explorer is {width} px wide on a phone"
        violations = axe_violations(page)
        assert not violations, _report(url, violations)
    finally:
        context.close()
