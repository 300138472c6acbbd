"""A linked resource in Chromium: the "Link to a file elsewhere" choice reveals its fields with
JavaScript, a refused address is in the error summary, and the staff page, the error page and
the public page of the link pass axe-core. The link is added to a published demo dataset, so
its public page exists at once; its address is a literal public IP that nothing fetches."""

from __future__ import annotations

from playwright.sync_api import Browser

from tests.browser.test_accessibility import DATASET_LINKS, TIMEOUT_MS, _hrefs
from tests.browser.test_publishing import _sign_in, _violations

LINK = "http://93.184.215.14/naptan/stops.csv"


def test_a_publisher_links_a_file_and_every_page_of_it_passes_axe(
    browser: Browser, base_url: str
) -> None:
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    problems: list[str] = []
    try:
        page = context.new_page()
        _sign_in(page, base_url)
        page.goto(base_url + "/datasets")
        name = _hrefs(page, DATASET_LINKS)[0].rstrip("/").rsplit("/", 1)[1]
        page.goto(f"{base_url}/publish/datasets/{name}")

        assert page.locator("#upload-file").is_visible()
        assert not page.locator("#upload-url").is_visible()
        page.get_by_label("Link to a file elsewhere").check()
        assert page.locator("#upload-url").is_visible()
        assert not page.locator("#upload-file").is_visible()

        page.get_by_label("Title of the file").fill("NaPTAN bus stops")
        page.locator("#upload-url").fill("http://169.254.169.254/latest/meta-data/")
        page.get_by_role("button", name="Add file").click()
        summary = page.locator(".govuk-error-summary")
        assert "169.254.169.254 is a link-local address" in summary.inner_text()
        assert page.locator("#upload-url").is_visible()
        problems += _violations(page)

        page.locator("#upload-url").fill(LINK)
        page.get_by_role("button", name="Add file").click()
        assert page.get_by_text("Link added.").count()
        problems += _violations(page)

        page.goto(f"{base_url}/datasets/{name}")
        page.get_by_role("link", name="NaPTAN bus stops", exact=True).click()
        external = page.get_by_role("link", name="Go to the file on 93.184.215.14")
        assert external.get_attribute("href") == LINK
        assert external.get_attribute("rel") == "noopener nofollow"
        problems += _violations(page)
    finally:
        context.close()
    assert not problems, "\n".join(problems)
