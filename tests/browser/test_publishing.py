"""The publishing pages in Chromium: the draft-to-review journey works without JavaScript, and
axe-core finds no WCAG 2.2 AA violation on any page of it, errors included."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.browser.conftest import PUBLISHER_EMAIL, PUBLISHER_PASSWORD, REVIEWER_EMAIL
from tests.browser.test_accessibility import TIMEOUT_MS, _report, axe_violations

CSV = "Branch,Visits\nAcomb Explore,1204\nYorkExplore,5310\n"
WIDTHS = [1280, 375]  # a desktop, and a phone
TRANSPARENCY_DATASET = "grants-to-voluntary-organisations"  # its file covers 2025/26
BROKEN = CSV + "".join(f"Branch {n},{n}\n" for n in range(30)) + "Clifton,closed\n"


def _violations(page: Page) -> list[str]:
    found = axe_violations(page)
    return [_report(page.url, found)] if found else []


def _sign_in(page: Page, base_url: str, email: str = PUBLISHER_EMAIL) -> None:
    page.goto(base_url + "/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PUBLISHER_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert page.url.endswith("/publish"), page.url


def test_draft_upload_and_submit_without_javascript(
    browser: Browser, base_url: str, tmp_path: Path
) -> None:
    context = browser.new_context(java_script_enabled=False)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        _sign_in(page, base_url)
        page.get_by_role("button", name="Create a dataset").click()
        page.get_by_label("Title").fill("Library visits by branch, browser test")
        page.get_by_role("button", name="Create draft dataset").click()
        assert page.get_by_text("Dataset created as a draft").count()

        upload = tmp_path / "visits.csv"
        upload.write_text(CSV, encoding="utf-8")
        page.get_by_label("Title of the file").fill("Visits")
        page.locator("#upload-file").set_input_files(upload)
        page.get_by_role("button", name="Add file").click()
        assert page.locator("table.app-preview td", has_text="Acomb Explore").count()

        page.get_by_role("button", name="Submit for review").click()
        assert page.get_by_text("You submitted this dataset").count()
    finally:
        context.close()


def test_no_axe_violations_on_the_publishing_pages(browser: Browser, base_url: str) -> None:
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    problems: list[str] = []
    try:
        page = context.new_page()
        page.goto(base_url + "/login")
        page.get_by_role("button", name="Sign in").click()  # the error summary
        page.wait_for_selector(".govuk-error-summary")
        problems += _violations(page)

        _sign_in(page, base_url)
        problems += _violations(page)
        staff_page = page.locator("table.govuk-table a.govuk-link").first.get_attribute("href")

        staff_pages = ["/publish/datasets/new", staff_page, "/publish/review", "/account/tokens"]
        staff_pages += ["/publish/calendar", "/publish/calendar/new", "/publish/calendar/1"]
        staff_pages += ["/publish/transparency", "/publish/runs"]
        for path in staff_pages:
            page.goto(base_url + path)
            problems += _violations(page)

        page.goto(base_url + staff_page)
        report = page.locator("a.govuk-link[href$='/report']").first.get_attribute("href")
        for path in [report, report.removesuffix("/report") + "/columns"]:
            page.goto(base_url + path)
            problems += _violations(page)

        page.goto(base_url + "/publish/datasets/new")
        page.get_by_role("button", name="Create draft dataset").click()
        page.wait_for_selector(".govuk-error-summary")
        problems += _violations(page)

        page.goto(base_url + "/publish/calendar/new")
        page.get_by_role("button", name="Announce the release").click()
        page.wait_for_selector(".govuk-error-summary")
        problems += _violations(page)

        page.goto(base_url + "/account/tokens")
        page.get_by_label("Name").fill("Browser test")
        page.get_by_role("button", name="Create token").click()
        page.wait_for_selector("#new-token")
        problems += _violations(page)
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def _draft_with(page: Page, base_url: str, title: str, upload: Path) -> None:
    page.goto(base_url + "/publish/datasets/new")
    page.get_by_label("Title").fill(title)
    page.get_by_role("button", name="Create draft dataset").click()
    page.get_by_label("Title of the file").fill("Visits")
    page.locator("#upload-file").set_input_files(upload)
    page.get_by_role("button", name="Add file").click()
    page.wait_for_selector("#next-steps")


@pytest.fixture(params=WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def width(request) -> int:
    return request.param


def test_each_publisher_page_passes_axe_and_fits(
    browser: Browser, base_url: str, tmp_path: Path, width: int
) -> None:
    """The staff page, a failed submit, the review page, the preview of the public page, the
    approved page with its release choice and the new-version form, each loaded once."""
    problems: list[str] = []
    contexts = [_context(browser, width) for _ in range(2)]
    try:
        page, reviewer = (context.new_page() for context in contexts)
        problems_at = _checker(problems, width)
        _sign_in(page, base_url)
        broken, clean = tmp_path / "broken.csv", tmp_path / "visits.csv"
        broken.write_text(BROKEN, encoding="utf-8")
        clean.write_text(CSV, encoding="utf-8")

        _draft_with(page, base_url, f"Library visits, a failed submit at {width} px", broken)
        assert page.get_by_role("link", name="Fix 1 error in broken.csv").count()
        problems_at(page)
        page.get_by_role("button", name="Submit for review").click()
        summary = page.locator(".govuk-error-summary")
        summary.wait_for()
        assert summary.locator("a[href$='/versions/1/report']").count() == 1
        problems_at(page)

        _draft_with(page, base_url, f"Library visits, for review at {width} px", clean)
        page.get_by_role("button", name="Submit for review").click()
        page.wait_for_selector(".govuk-notification-banner")
        staff_page = page.url

        _sign_in(reviewer, base_url, REVIEWER_EMAIL)
        reviewer.goto(staff_page + "/review")
        assert reviewer.get_by_role("heading", name="Review Library visits, for review").count()
        problems_at(reviewer)
        reviewer.get_by_role("link", name="Preview the public page").click()
        reviewer.wait_for_selector(".app-preview-banner")
        assert reviewer.get_by_text("Preview — not yet public").count()
        problems_at(reviewer)

        reviewer.goto(staff_page + "/review")
        reviewer.get_by_role("button", name="Approve").click()
        when = reviewer.locator("input[name='when']")
        when.first.wait_for()
        assert when.count() == 2
        assert all(when.nth(n).get_attribute("aria-expanded") is None for n in range(2))
        problems_at(reviewer)

        page.goto(f"{base_url}/publish/datasets/{TRANSPARENCY_DATASET}")
        page.locator("summary", has_text="Upload a corrected or new version of").first.click()
        period = page.locator("input[name='period']").first
        assert period.is_visible() and period.input_value() == "2026/27"
        problems_at(page)
    finally:
        for context in contexts:
            context.close()
    assert not problems, "\n".join(problems)


def _context(browser: Browser, width: int) -> BrowserContext:
    context = browser.new_context(viewport={"width": width, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    return context


def _checker(problems: list[str], width: int) -> Callable[[Page], None]:
    """Note the page's axe-core violations, and whether it scrolls sideways at `width`."""

    def check(page: Page) -> None:
        problems.extend(_violations(page))
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            problems.append(f"{page.url} is {scroll_width} px wide at {width} px")

    return check
