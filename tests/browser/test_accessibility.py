"""Every public page type in Chromium: axe-core finds no WCAG 2.2 AA violation, the core journeys
work without JavaScript, and pages reflow to 320 CSS pixels without horizontal scrolling."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import pytest
from playwright.sync_api import Browser, Page

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_RUN = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    targets: v.nodes.map((n) => n.target.join(" ")),
  }));
}"""


NO_RESULTS_QUERY = "qwxzvbnm"
REFLOW_WIDTH = 320
REFLOW_TOLERANCE = 1
TIMEOUT_MS = 15_000

DATASET_LINKS = ".app-dataset-list a.govuk-link"
RESOURCE_LINKS = "table.govuk-table tbody td:first-child a.govuk-link"
VERSION_LINKS = "table.govuk-table tbody a[href*='/versions/']:not([href$='#cite'])"
GROUP_LINKS = ".app-topic-grid a.govuk-link"
FACET_BOXES = ".app-filters input.govuk-checkboxes__input"
INDICATOR_LINKS = "table.govuk-table tbody a.govuk-link[href^='/indicators/']"
SCORECARD_LINKS = ".govuk-breadcrumbs a[href^='/indicators/themes/']"


def axe_violations(page: Page) -> list[dict]:
    """Run axe-core in the page. It is evaluated through the DevTools protocol rather than
    added as a script element, so the site's Content-Security-Policy stays on while testing."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(AXE_RUN, AXE_TAGS)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def _open(page: Page, url: str, status: int = 200) -> None:
    response = page.goto(url, wait_until="load")
    assert response is not None, f"No response for {url}"
    assert response.status == status, f"{url} answered {response.status}, expected {status}"


def _hrefs(page: Page, selector: str) -> list[str]:
    links = page.locator(selector)
    return [urljoin(page.url, links.nth(i).get_attribute("href")) for i in range(links.count())]


def _words(title: str) -> list[str]:
    """Words of a title that are long enough to misspell and still be recognised."""
    return [w.lower() for w in re.findall(r"[A-Za-z]{6,}", title)]


def _misspell(word: str) -> str:
    middle = len(word) // 2
    return word[:middle] + word[middle + 1 :]


def _discover(page: Page, base_url: str) -> dict[str, str]:
    """Real URLs for every page type, found by following links from the public pages."""
    urls = {
        "home": base_url + "/",
        "search": base_url + "/datasets",
        "search-no-results": f"{base_url}/datasets?q={NO_RESULTS_QUERY}",
        "topics": base_url + "/topics",
        "organisations": base_url + "/organisations",
        "licence": base_url + "/licence",
        "accessibility": base_url + "/accessibility",
        "calendar": base_url + "/calendar",
        "transparency": base_url + "/transparency",
        "api-docs": base_url + "/api/docs",
        "not-found": base_url + "/datasets/no-such-dataset-here",
        "forgotten-password": base_url + "/account/forgotten-password",
    }

    _open(page, urls["search"])
    datasets = _hrefs(page, DATASET_LINKS)
    assert datasets, "The demo catalogue lists no datasets on /datasets"
    titles = page.locator(DATASET_LINKS).all_inner_texts()
    urls["dataset"] = datasets[0]

    # A resource with a table preview, preferring one with several versions so that the
    # version page shows its "you are looking at an older version" notice.
    preview = versioned = None
    for dataset in datasets[:15]:
        _open(page, dataset)
        for resource in _hrefs(page, RESOURCE_LINKS):
            _open(page, resource)
            if page.locator("table.app-preview").count():
                versions = _hrefs(page, VERSION_LINKS)
                preview = preview or (resource, versions)
                if len(versions) > 1:
                    versioned = (resource, versions)
                    break
        if versioned:
            break
    resource, versions = versioned or preview or (None, [])
    assert resource, "No resource page with a table preview in the first datasets"
    assert versions, f"No version links on {resource}"
    urls["resource"] = resource
    urls["resource-version"] = versions[-1]  # the oldest: listed newest first
    _open(page, resource)
    reports = _hrefs(page, "a.govuk-link[href$='/report']")
    assert reports, f"No validation report link on {resource}"
    urls["resource-report"] = reports[0]

    # A query and a facet filter that together still find datasets.
    for word in (w for title in titles for w in _words(title)):
        _open(page, f"{base_url}/datasets?q={word}")
        boxes = page.locator(FACET_BOXES)
        if boxes.count():
            first = boxes.first
            query = {"q": word, first.get_attribute("name"): first.get_attribute("value")}
            urls["search-filtered"] = f"{base_url}/datasets?{urlencode(query)}"
            break
    assert "search-filtered" in urls, "No search in the demo catalogue offers a facet filter"

    # A misspelt title word that the search corrects with "Did you mean".
    for word in (w for title in titles for w in _words(title)):
        url = f"{base_url}/datasets?q={_misspell(word)}"
        _open(page, url)
        if page.get_by_text("Did you mean").count():
            urls["search-did-you-mean"] = url
            break
    assert "search-did-you-mean" in urls, "No misspelt title word gave a 'Did you mean'"

    _open(page, urls["topics"])
    topics = _hrefs(page, GROUP_LINKS)
    assert topics, "No topic links on /topics"
    urls["topic"] = topics[0]
    _open(page, urls["organisations"])
    organisations = _hrefs(page, GROUP_LINKS)
    assert organisations, "No publisher links on /organisations"
    urls["organisation"] = organisations[0]

    # KPI pages: the index, the first indicator it lists, and that indicator's theme scorecard
    # (reached from its breadcrumbs, so the scorecard has indicators to show).
    urls["indicators"] = base_url + "/indicators"
    _open(page, urls["indicators"])
    indicators = _hrefs(page, INDICATOR_LINKS)
    assert indicators, "The demo catalogue lists no indicators on /indicators"
    urls["indicator"] = indicators[0]
    _open(page, urls["indicator"])
    scorecards = _hrefs(page, SCORECARD_LINKS)
    assert scorecards, f"No theme scorecard link in the breadcrumbs of {urls['indicator']}"
    urls["indicator-scorecard"] = scorecards[0]
    return urls


@pytest.fixture(scope="session")
def urls(browser: Browser, base_url: str) -> dict[str, str]:
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    try:
        return _discover(context.new_page(), base_url)
    finally:
        context.close()


PAGE_TYPES = [
    "home",
    "search",
    "search-filtered",
    "search-no-results",
    "search-did-you-mean",
    "dataset",
    "resource",
    "resource-version",
    "resource-report",
    "topics",
    "topic",
    "organisations",
    "organisation",
    "indicators",
    "indicator",
    "indicator-scorecard",
    "licence",
    "accessibility",
    "calendar",
    "transparency",
    "not-found",
    "forgotten-password",
]


def _report(url: str, violations: list[dict]) -> str:
    lines = [f"{len(violations)} accessibility violation(s) on {url}:"]
    for v in violations:
        targets = ", ".join(v["targets"][:3])
        more = f" (+{len(v['targets']) - 3} more)" if len(v["targets"]) > 3 else ""
        lines.append(f"- {v['id']} [{v['impact']}] {v['help']}: {targets}{more}")
        lines.append(f"  {v['helpUrl']}")
    return "\n".join(lines)


@pytest.mark.parametrize("page_type", PAGE_TYPES)
def test_no_axe_violations(page: Page, urls: dict[str, str], page_type: str) -> None:
    url = urls[page_type]
    _open(page, url, status=404 if page_type == "not-found" else 200)
    if page_type == "search-no-results":
        assert page.get_by_text("No datasets match your search").count()
    if page_type == "resource":
        assert page.locator("table.app-preview").count()
    if page_type in ("indicators", "indicator-scorecard"):
        assert page.locator(INDICATOR_LINKS).count(), f"{url} lists no indicators"
    if page_type == "indicator":
        assert page.locator("figure.app-chart svg[role='img']").count()
    violations = axe_violations(page)
    assert not violations, _report(url, violations)


def test_search_filter_and_download_without_javascript(browser: Browser, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False, accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        _open(page, base_url + "/")
        assert "govuk-frontend-supported" not in page.locator("body").get_attribute("class")
        titles = page.locator(DATASET_LINKS).all_inner_texts()
        word = next(w for title in titles for w in _words(title))

        page.get_by_label("Search datasets").fill(word)
        with page.expect_navigation():
            page.get_by_role("button", name="Search", exact=True).click()
        assert urlsplit(page.url).path == "/datasets"
        assert parse_qs(urlsplit(page.url).query).get("q") == [word]
        assert page.locator(DATASET_LINKS).count() > 0, f"Searching for {word!r} found nothing"

        box = page.locator(FACET_BOXES).first
        name, value, box_id = (box.get_attribute(a) for a in ("name", "value", "id"))
        page.locator(f"label[for='{box_id}']").click()
        assert box.is_checked()
        with page.expect_navigation():
            page.get_by_role("button", name="Apply filters").click()
        query = parse_qs(urlsplit(page.url).query)
        assert query.get(name) == [value] and query.get("q") == [word], page.url
        assert page.locator(f"{FACET_BOXES}[name='{name}'][value='{value}']").is_checked()
        assert page.get_by_role("link", name=re.compile("^Remove filter")).count()

        with page.expect_navigation():
            page.locator(DATASET_LINKS).first.click()
        assert urlsplit(page.url).path.startswith("/datasets/")

        link = page.get_by_role("link", name=re.compile("^Download")).first
        with (
            page.expect_download() as download_info,
            page.expect_response(lambda r: "/download/" in r.url) as response_info,
        ):
            link.click()
        response = response_info.value
        assert response.status == 200, f"{response.url} answered {response.status}"
        assert "attachment" in (response.headers.get("content-disposition") or "")
        download = download_info.value
        assert download.suggested_filename
        assert Path(download.path()).stat().st_size > 0
    finally:
        context.close()


@pytest.mark.parametrize(
    "page_type", ["home", "dataset", "resource", "indicators", "indicator", "indicator-scorecard"]
)
def test_reflows_at_320_css_pixels(browser: Browser, urls: dict[str, str], page_type: str) -> None:
    context = browser.new_context(viewport={"width": REFLOW_WIDTH, "height": 640})
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        _open(page, urls[page_type])
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > REFLOW_WIDTH + REFLOW_TOLERANCE:
            wide = page.evaluate(
                """(limit) => [...document.querySelectorAll("body *")]
                  .filter((e) => e.getBoundingClientRect().right > limit)
                  .slice(0, 10)
                  .map((e) => e.tagName.toLowerCase() + (e.className ? "." + e.className : "")
                    + " right=" + Math.round(e.getBoundingClientRect().right)
                    + " position=" + getComputedStyle(e).position)""",
                REFLOW_WIDTH + REFLOW_TOLERANCE,
            )
            pytest.fail(
                f"{urls[page_type]} is {width} px wide at a {REFLOW_WIDTH} px viewport; "
                f"too wide: {wide}"
            )
    finally:
        context.close()
