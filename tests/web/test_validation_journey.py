"""A publisher uploads a messy table, reads what is wrong in plain English, describes the
columns or notes the known issues, and only then can release it; the public sees the note."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from catalog.models import DataTable, TableStatus

PAGE = "/publish/datasets/spend-over-500"
DATA = Path(__file__).parents[1] / "data"
MESSY = (
    b"Supplier,Ward,Amount\r\n"
    + b"".join(b"Supplier %d Ltd,Clifton,%d\r\n" % (n, 500 + n) for n in range(30))
    + b"York Print Co,Micklegate,TBC\r\n"
    + b'=HYPERLINK("http://evil.example"),Heworth,5\r\n'
)
DETAILS = {
    "title": "Spend over 500 pounds",
    "name": "spend-over-500",
    "organisation": "children-education",
    "licence": "OGL-UK-3.0",
}


@pytest.fixture
def erin(people):
    return people.make("Erin Editor", "editor")


@pytest.fixture
def ada(people):
    return people.make("Ada Admin", "admin")


def _upload(browser, content: bytes, filename="spend.csv", **fields):
    token = browser.client.get(PAGE).text.split('name="csrf_token" value="')[1].split('"')[0]
    data = {"csrf_token": token, "file": (io.BytesIO(content), filename), "title": "Spend"}
    return browser.client.post(f"{PAGE}/files", data={**data, **fields}, follow_redirects=True)


def _report_url(page_text: str) -> str:
    return re.search(r'href="(/publish/datasets/[^"]+/versions/\d+/report)"', page_text).group(1)


def _draft_with(editor, content: bytes, **fields):
    editor.submit("/publish/datasets/new", DETAILS)
    return _upload(editor, content, **fields)


def test_errors_are_shown_in_plain_english_and_block_submission(signed_in, erin):
    editor = signed_in(erin)
    page = _draft_with(editor, MESSY)
    assert "1 problem" in page.text and "cannot be published until" in page.text
    report = editor.get(_report_url(page.text))
    assert report.status_code == 200
    assert "1 problem found" in report.text
    assert "Values of the wrong type (1)" in report.text
    assert "Row 32, column \u201cAmount\u201d: \u201cTBC\u201d is not a whole number" in report.text
    assert "Cells a spreadsheet could run as a formula" in report.text
    report_json = editor.get(_report_url(page.text) + ".json").get_json()
    assert report_json["valid"] is False
    error = report_json["tasks"][0]["errors"][0]
    assert (error["type"], error["rowNumber"], error["fieldNumber"]) == ("type-error", 32, 3)

    refused = editor.submit(PAGE, to=f"{PAGE}/submit")
    assert refused.status_code == 422
    assert "Spend has 1 error" in refused.text


def test_describing_a_column_again_rechecks_the_file(signed_in, erin):
    editor = signed_in(erin)
    page = _draft_with(editor, MESSY)
    columns_url = _report_url(page.text).replace("/report", "/columns")
    form = editor.get(columns_url)
    assert form.status_code == 200 and "Column 3: <code>Amount</code>" in form.text
    fields = {"type-0": "string", "type-1": "string", "type-2": "string"}
    fields["title-2"] = "Amount paid (pounds)"
    checked = editor.submit(columns_url, fields)
    assert "No problems found" in checked.text
    assert editor.submit(PAGE, to=f"{PAGE}/submit").status_code == 200


def test_a_standard_schema_can_be_chosen_at_upload(signed_in, erin):
    editor = signed_in(erin)
    good = (DATA / "spend-utf8-bom.csv").read_bytes()
    page = _draft_with(editor, good, filename="spend.csv", schema="spend-over-500")
    report = editor.get(_report_url(page.text))
    assert "Spend over" in report.text  # checked against the named standard
    assert "Column headings that differ from the schema" in report.text


def test_known_issues_release_the_file_and_the_public_page_says_so(
    client, catalogue, signed_in, erin, ada
):
    editor = signed_in(erin)
    page = _draft_with(editor, MESSY)
    report_url = _report_url(page.text)
    blank = editor.submit(
        report_url, {"note": "  "}, to=report_url.replace("report", "known-issues")
    )
    assert blank.status_code == 422 and "Say why this file can be published" in blank.text
    note = "One supplier has not confirmed the amount; it will be corrected next month."
    noted = editor.submit(
        report_url, {"note": note}, to=report_url.replace("report", "known-issues")
    )
    assert "can now be published with its known issues" in noted.text
    editor.submit(PAGE, to=f"{PAGE}/submit")
    admin = signed_in(ada)
    admin.submit(PAGE, {"decision": "approve"}, to=f"{PAGE}/review")
    admin.submit(PAGE, {"when": "now"}, to=f"{PAGE}/publish")

    dataset = client.get("/datasets/spend-over-500")
    resource_url = re.search(r'href="(/datasets/spend-over-500/resources/[^"/]+)"', dataset.text)
    resource = client.get(resource_url.group(1))
    assert "This data has known issues: " + note in resource.text
    public_report = client.get(resource_url.group(1) + "/versions/1/report")
    assert public_report.status_code == 200 and "TBC" in public_report.text
    assert "Publish with known issues" not in public_report.text
    public_json = client.get(resource_url.group(1) + "/versions/1/report.json")
    assert public_json.headers["Access-Control-Allow-Origin"] == "*"
    assert public_json.get_json()["tasks"][0]["errorCounts"] == {"type-error": 1}


def test_a_draft_report_is_not_public(client, signed_in, erin):
    editor = signed_in(erin)
    page = _draft_with(editor, MESSY)
    staff_url = _report_url(page.text)
    public_url = staff_url.replace("/publish/datasets/", "/datasets/").replace(
        "/files/", "/resources/"
    )
    assert client.get(public_url).status_code == 404
    assert client.get(public_url + ".json").status_code == 404
    assert client.get(staff_url).status_code in (302, 401)


def test_with_a_worker_the_upload_returns_at_once_and_the_worker_checks_it(
    app, environ, signed_in, erin, session, monkeypatch
):
    redis_url = "redis://127.0.0.1:6379/15"
    monkeypatch.setenv("OPENDATA_REDIS_URL", redis_url)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    from publishers.jobs import JobQueue

    queue = JobQueue(redis_url)
    queue.queue().empty()
    editor = signed_in(erin)
    page = _draft_with(editor, MESSY)
    assert "Being checked: 0 rows read so far" in page.text
    table = session.scalar(select(DataTable))
    assert table.status == TableStatus.QUEUED
    queue.worker(forking=False).work(burst=True)
    session.expire_all()
    assert session.scalar(select(DataTable)).status == TableStatus.LOADED
    assert "1 problem" in editor.get(PAGE).text
    assert json.loads(json.dumps(session.scalar(select(DataTable)).report))["valid"] is False


def test_a_table_schema_sent_with_the_upload_is_used(signed_in, erin):
    editor = signed_in(erin)
    schema = {
        "fields": [
            {"name": "Supplier", "type": "string", "title": "Supplier name"},
            {"name": "Ward", "type": "string", "constraints": {"enum": ["Clifton"]}},
            {"name": "Amount", "type": "integer"},
        ]
    }
    sent = io.BytesIO(json.dumps(schema).encode())
    page = _draft_with(editor, MESSY, schema_file=(sent, "spend.schema.json"))
    report = editor.get(_report_url(page.text))
    assert "3 problems found" in report.text
    assert "\u201cMicklegate\u201d is not one of the allowed values: Clifton." in report.text


def test_a_broken_schema_file_is_refused_with_the_reason(signed_in, erin):
    editor = signed_in(erin)
    editor.submit("/publish/datasets/new", DETAILS)
    broken = io.BytesIO(b'{"fields": [{"type": "integer"}]}')
    refused = _upload(editor, MESSY, schema_file=(broken, "schema.json"))
    assert refused.status_code == 422
    assert "Every field in the schema needs a name." in refused.text
    not_json = _upload(editor, MESSY, schema_file=(io.BytesIO(b"fields:"), "schema.json"))
    assert "The schema file is not valid JSON" in not_json.text
