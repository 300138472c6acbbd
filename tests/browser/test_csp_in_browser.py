"""The Content Security Policy in a real browser: the site's own scripts run under it (GOV.UK
Frontend marks the page as supported) and nothing on a page is blocked by it."""

from __future__ import annotations


def test_pages_run_their_scripts_and_break_no_rule_of_the_policy(browser, base_url):
    context = browser.new_context()
    page = context.new_page()
    refused = []
    page.on("console", lambda message: refused.append(message.text))
    try:
        for path in ("/", "/datasets", "/indicators", "/login"):
            response = page.goto(base_url + path, wait_until="load")
            assert response.status == 200
            assert "nonce-" in response.headers["content-security-policy"]
            classes = page.evaluate("document.body.className")
            assert "js-enabled" in classes and "govuk-frontend-supported" in classes, path
    finally:
        context.close()
    assert [text for text in refused if "Content Security Policy" in text] == []
