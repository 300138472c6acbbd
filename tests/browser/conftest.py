"""Browser fixtures: a real `opendata serve` process on the demo catalogue, and Chromium.

The server runs on a fresh temporary instance (`opendata init`, `opendata demo`) on a free port,
and is stopped after the session whatever happens. Chromium is Debian's package (`make browser`)
driven by Playwright, without Playwright's own browser download.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.live_server import demo_instance_env, run_opendata, serving

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PUBLISHER_EMAIL = "publisher@example.gov.uk"  # a site administrator, for the publishing pages
PUBLISHER_PASSWORD = "a password for the browser tests"
REVIEWER_EMAIL = "reviewer@example.gov.uk"  # a second administrator: four eyes need two people


@pytest.fixture(scope="session")
def base_url(tmp_path_factory) -> Iterator[str]:
    """The address of a real server on the demo catalogue, stopped after the session."""
    folder = tmp_path_factory.mktemp("browser")
    env = demo_instance_env(tmp_path_factory, folder, "browser-tests")
    account = ["user", "create", PUBLISHER_EMAIL, "--name", "Demo Publisher", "--sysadmin"]
    run_opendata([*account, "--password-stdin"], env, stdin=PUBLISHER_PASSWORD + "\n")
    reviewer = ["user", "create", REVIEWER_EMAIL, "--name", "Demo Reviewer", "--sysadmin"]
    run_opendata([*reviewer, "--password-stdin"], env, stdin=PUBLISHER_PASSWORD + "\n")
    with serving(env, folder) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Chromium is not installed: run `make browser`.", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
