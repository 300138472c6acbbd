"""Publishers mark a dataset with the Transparency Code requirement it meets, give the quarter
each upload covers, and see their deadlines (with their unpublished work) before they pass."""

from __future__ import annotations

import io
from pathlib import Path

from catalog.accounts.tokens import token_create
from catalog.clock import frozen_at
from catalog.publishing.datasets import get_dataset
from tests.pages import (
    csrf_token,
    field_error,
    parse_page,
    summary_errors,
    summary_lists,
    table_rows,
    texts,
)
from tests.web.conftest import SETUP
from tests.web.test_transparency import TODAY
from tests.web.test_validation_journey import report_url

DATA = Path(__file__).resolve().parents[1] / "data" / "transparency"
NEW = "/publish/datasets/new"
DETAILS = {
    "title": "Spend over £500: 2026/27",
    "name": "spend-2026-27-new",
    "organisation": "children-education",
    "licence": "OGL-UK-3.0",
}


def upload(browser, page: str, filename: str, **fields):
    token = csrf_token(parse_page(browser.get(page)))
    content = (DATA / filename).read_bytes()
    data = {"csrf_token": token, "file": (io.BytesIO(content), filename), "title": "Q3", **fields}
    return browser.client.post(f"{page}/files", data=data, follow_redirects=True)


def test_a_new_dataset_can_be_marked_with_its_requirement(signed_in, erin, session):
    editor = signed_in(erin)
    form = parse_page(editor.get(NEW))
    requirement = form.find("select", id="transparency_requirement")
    option = requirement.find("option", value="spend-over-500")
    assert option.get_text() == "Expenditure exceeding £500 (quarterly)"
    assert not option.has_attr("selected")
    created = editor.submit(NEW, {**DETAILS, "transparency_requirement": "spend-over-500"})
    assert created.status_code == 200
    assert get_dataset(session, "spend-2026-27-new").transparency_requirement == "spend-over-500"
    edit = parse_page(editor.get("/publish/datasets/spend-2026-27-new/edit"))
    chosen = edit.find("select", id="transparency_requirement").find_all("option", selected=True)
    assert [option["value"] for option in chosen] == ["spend-over-500"]


def test_an_unknown_requirement_is_refused_and_nothing_is_created(signed_in, erin, session):
    editor = signed_in(erin)
    refused = editor.submit(NEW, {**DETAILS, "transparency_requirement": "spend-over-250"})
    assert refused.status_code == 422
    ((said, href),) = summary_errors(parse_page(refused))
    assert said.startswith("'spend-over-250' is not a Transparency Code requirement")
    assert href == "#transparency_requirement"
    assert editor.get("/publish/datasets/spend-2026-27-new").status_code == 404


def test_a_quarterly_upload_asks_for_its_quarter_and_shows_it(signed_in, erin):
    editor = signed_in(erin)
    editor.submit(NEW, {**DETAILS, "transparency_requirement": "spend-over-500"})
    page = "/publish/datasets/spend-2026-27-new"
    assert parse_page(editor.get(page)).find(id="upload-period")["name"] == "period"
    missing = upload(editor, page, "spend-2026-27-q3.csv")
    assert missing.status_code == 422
    assert "Enter the period this file covers, such as 2026/27 Q3" in field_error(
        parse_page(missing), "upload-period"
    )
    wrong = upload(editor, page, "spend-2026-27-q3.csv", period="December 2026")
    assert wrong.status_code == 422
    assert "give the period as a quarter of the financial year" in field_error(
        parse_page(wrong), "upload-period"
    )
    done = upload(editor, page, "spend-2026-27-q3.csv", period="Oct-Dec 2026")
    assert done.status_code == 200
    (file,) = [details for details in summary_lists(parse_page(done)) if "File" in details]
    assert file["Period covered"] == "2026/27 Q3"
    shown = parse_page(done)
    (new_version,) = shown.select("input[id^='version-'][id$='-period']")
    assert new_version["value"] == "2026/27 Q4"
    assert shown.find(id="upload-period")["value"] == "2026/27 Q4"


def test_unredacted_names_are_in_the_report_the_publisher_sees(signed_in, erin):
    editor = signed_in(erin)
    editor.submit(NEW, {**DETAILS, "transparency_requirement": "spend-over-500"})
    page = upload(
        editor, "/publish/datasets/spend-2026-27-new", "spend-2026-27-q3-unredacted.csv",
        period="2026/27 Q3",
    )  # fmt: skip
    report = parse_page(editor.get(report_url(page)))
    assert "Names of private individuals that should be redacted (2)" in texts(report, "h2")
    problems = [row[3] for found in report("table") for row in table_rows(found)]
    assert any(
        what.startswith(
            "Row 3, column \u201csupplier_name\u201d: \u201cMr J Smith\u201d looks like a"
        )
        for what in problems
    )


def test_the_staff_view_needs_signing_in(client):
    response = client.get("/publish/transparency")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_with_nothing_published_every_requirement_needs_attention(signed_in, erin):
    with frozen_at(TODAY):
        page = parse_page(signed_in(erin).get("/publish/transparency"))
    warning = texts(page, ".govuk-warning-text__text")
    assert warning == ["Warning 15 requirements need attention before an auditor notices."]
    assert "Every requirement is up to date" not in page.get_text()


def test_the_ckan_api_takes_the_requirement_as_an_extra(client, erin, session):
    _token, secret = token_create(session, actor=SETUP, account=erin, name="ckan")
    headers = {"Authorization": secret}
    extras = [{"key": "transparency_requirement", "value": "spend-over-500"}]
    body = {"name": "spend-api", "title": "Spend", "owner_org": "children-education"}
    created = client.post(
        "/api/3/action/package_create", json={**body, "extras": extras}, headers=headers
    )
    assert created.status_code == 200, created.json
    assert extras[0] in created.json["result"]["extras"]
    refused = client.post(
        "/api/3/action/package_patch",
        json={"id": "spend-api", "extras": [{"key": "transparency_requirement", "value": "x"}]},
        headers=headers,
    )
    assert refused.status_code == 409
    assert refused.json["error"]["transparency_requirement"] == [
        "'x' is not a Transparency Code requirement. Choose one of the listed ones."
    ]
    patched = client.post(
        "/api/3/action/package_patch", json={"id": "spend-api", "title": "Spend 2026/27"},
        headers=headers,
    )  # fmt: skip
    assert extras[0] in patched.json["result"]["extras"]
    assert get_dataset(session, "spend-api").transparency_requirement == "spend-over-500"
    cleared = client.post(
        "/api/3/action/package_patch",
        json={"id": "spend-api", "extras": [{"key": "transparency_requirement", "value": ""}]},
        headers=headers,
    )
    assert "transparency_requirement" not in str(cleared.json["result"]["extras"])
