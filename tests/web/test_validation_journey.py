"""A publisher uploads a messy table, reads what is wrong in plain English, describes the
columns or notes the known issues, and only then can release it; the public sees the note."""

from __future__ import annotations

import io
import json
import uuid
from pathlib import Path

from sqlalchemy import select

from catalog.models import DataTable, TableStatus
from tests.pages import (
    banners,
    csrf_token,
    field_error,
    find_link,
    heading,
    main,
    parse_page,
    summary_errors,
    summary_lists,
    table,
    table_rows,
    tags,
    text_of,
    texts,
)

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


def _upload(browser, content: bytes, filename="spend.csv", **fields):
    token = csrf_token(parse_page(browser.client.get(PAGE)))
    data = {"csrf_token": token, "file": (io.BytesIO(content), filename), "title": "Spend"}
    return browser.client.post(f"{PAGE}/files", data={**data, **fields}, follow_redirects=True)


def _check(page) -> str:
    """What the staff page's Check row says about the file."""
    (file,) = [details for details in summary_lists(parse_page(page)) if "File" in details]
    return file["Check"]


def report_url(page) -> str:
    """Where the staff page's Check row links to the file's report."""
    row = parse_page(page).find("dt", string="Check").find_next("dd")
    (report,) = [a["href"] for a in row("a", href=True) if a["href"].endswith("/report")]
    return report


def _problems(report) -> list[list[str]]:
    """Each problem a report lists: row, column, value, what is wrong."""
    shown = parse_page(report)
    return [row for found in shown.select("table") for row in table_rows(found)]


def _said(page) -> list[str]:
    """What the page's error summary and banners say."""
    shown = parse_page(page)
    return [said for said, _href in summary_errors(shown)] + banners(shown)


def _draft_with(editor, content: bytes, **fields):
    editor.submit("/publish/datasets/new", DETAILS)
    return _upload(editor, content, **fields)


def test_errors_are_shown_in_plain_english_and_block_submission(signed_in, erin):
    editor = signed_in(erin)
    page = _draft_with(editor, MESSY)
    assert tags(parse_page(page).find("dt", string="Check").find_next("dd")) == ["1 problem"]
    assert "It cannot be published until they are fixed or accepted." in _check(page)
    report = editor.get(report_url(page))
    assert report.status_code == 200
    shown = parse_page(report)
    assert heading(shown) == "1 problem found"
    assert "Values of the wrong type (1)" in texts(shown, "h2")
    ((row, column, value, what),) = _problems(report)
    assert (row, column, value) == ("32", "Amount (3)", "TBC")
    assert what.startswith("Row 32, column \u201cAmount\u201d: \u201cTBC\u201d is not a whole")
    formulas = shown.find("h2", id="formula-cells")
    assert text_of(formulas).startswith("Cells a spreadsheet could run as a formula")
    report_json = editor.get(report_url(page) + ".json").get_json()
    assert report_json["valid"] is False
    error = report_json["tasks"][0]["errors"][0]
    assert (error["type"], error["rowNumber"], error["fieldNumber"]) == ("type-error", 32, 3)

    refused = editor.submit(PAGE, to=f"{PAGE}/submit")
    assert refused.status_code == 422
    shown = parse_page(refused)
    assert heading(shown) == "Spend over 500 pounds"
    ((said, href),) = summary_errors(shown)
    assert said.startswith("Spend has 1 error. Upload a corrected file")
    assert href == report_url(page)
    assert editor.get(href).status_code == 200


def test_a_few_bad_cells_early_in_a_money_column_are_problems_not_text(signed_in, erin):
    """Worked out from the file, a money column with a bad cell near the top is still money."""
    content = b"Supplier,Amount\r\nAcme Ltd,TBC\r\n" + b"".join(
        b'Supplier %d Ltd,"\xc2\xa31,%03d.50"\r\n' % (n, n) for n in range(40)
    )
    editor = signed_in(erin)
    page = _draft_with(editor, content)
    assert tags(parse_page(page).find("dt", string="Check").find_next("dd")) == ["1 problem"]
    report = editor.get(report_url(page))
    ((row, column, value, _what),) = _problems(report)
    assert (row, column, value) == ("2", "Amount (2)", "TBC")


def test_describing_the_columns_again_keeps_a_date_read_day_first(signed_in, erin):
    content = b"Paid,Amount\r\n" + b"".join(b"%02d/04/2026,%d\r\n" % (n, n) for n in range(1, 29))
    editor = signed_in(erin)
    page = _draft_with(editor, content + b"TBC,5\r\n")
    columns_url = report_url(page).replace("/report", "/columns")
    checked = editor.submit(columns_url, {"type-0": "date", "type-1": "integer"})
    assert heading(parse_page(checked)) == "1 problem found"
    ((row, column, value, _what),) = _problems(checked)
    assert (row, column, value) == ("30", "Paid (1)", "TBC")


def test_describing_a_column_again_rechecks_the_file(signed_in, erin):
    editor = signed_in(erin)
    page = _draft_with(editor, MESSY)
    columns_url = report_url(page).replace("/report", "/columns")
    form = editor.get(columns_url)
    assert form.status_code == 200
    legends = parse_page(form).select("legend")
    assert [text_of(legend) for legend in legends][2] == "Column 3: Amount"
    assert text_of(legends[2].find("code")) == "Amount"
    fields = {"type-0": "string", "type-1": "string", "type-2": "string"}
    fields["title-2"] = "Amount paid (pounds)"
    checked = editor.submit(columns_url, fields)
    assert heading(parse_page(checked)) == "No problems found"
    assert editor.submit(PAGE, to=f"{PAGE}/submit").status_code == 200


def test_a_standard_schema_can_be_chosen_at_upload(signed_in, erin):
    editor = signed_in(erin)
    good = (DATA / "spend-utf8-bom.csv").read_bytes()
    page = _draft_with(editor, good, filename="spend.csv", schema="spend-over-500")
    report = parse_page(editor.get(report_url(page)))
    against = find_link(report.find("dt", string="Checked against").find_next("dd"), "the")
    assert against["href"] == "/schemas/spend-over-500"  # checked against the named standard
    assert text_of(against).startswith("the Spend over")
    assert any(
        h.startswith("Column headings that differ from the schema") for h in texts(report, "h2")
    )


def test_known_issues_release_the_file_and_the_public_page_says_so(
    client, catalogue, signed_in, erin, ada
):
    editor = signed_in(erin)
    page = _draft_with(editor, MESSY)
    report = report_url(page)
    blank = editor.submit(report, {"note": "  "}, to=report.replace("report", "known-issues"))
    assert blank.status_code == 422
    assert "Say why this file can be published" in field_error(parse_page(blank), "issues-note")
    note = "One supplier has not confirmed the amount; it will be corrected next month."
    noted = editor.submit(report, {"note": note}, to=report.replace("report", "known-issues"))
    assert any("can now be published with its known issues" in said for said in _said(noted))
    editor.submit(PAGE, to=f"{PAGE}/submit")
    admin = signed_in(ada)
    admin.submit(PAGE, {"decision": "approve"}, to=f"{PAGE}/review")
    admin.submit(PAGE, {"when": "now"}, to=f"{PAGE}/publish")

    files = table(parse_page(client.get("/datasets/spend-over-500")), "Files in this dataset")
    resource_url = find_link(files, "Spend")["href"]
    warning = parse_page(client.get(resource_url)).find(class_="govuk-warning-text")
    assert text_of(warning).startswith("! Warning This data has known issues: " + note)
    public_report = client.get(resource_url + "/versions/1/report")
    assert public_report.status_code == 200
    assert [row[2] for row in _problems(public_report)] == ["TBC"]
    shown = parse_page(public_report)
    assert "Publish with known issues" not in texts(shown, "h2")
    assert main(shown).find("form") is None  # nothing for the public to change
    public_json = client.get(resource_url + "/versions/1/report.json")
    assert public_json.headers["Access-Control-Allow-Origin"] == "*"
    assert public_json.get_json()["tasks"][0]["errorCounts"] == {"type-error": 1}


def test_a_draft_report_is_not_public(client, signed_in, erin):
    editor = signed_in(erin)
    page = _draft_with(editor, MESSY)
    staff_url = report_url(page)
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
    # A queue of its own, so a copy of this test in another worker never takes its job.
    monkeypatch.setenv("OPENDATA_QUEUE", f"opendata-test-{uuid.uuid4().hex[:8]}")
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    from publishers.jobs import JobQueue

    queue = JobQueue.from_environ()
    editor = signed_in(erin)
    page = _draft_with(editor, MESSY)
    assert _check(page).startswith("Being checked: 0 rows read so far")
    table = session.scalar(select(DataTable))
    assert table.status == TableStatus.QUEUED
    queue.worker(forking=False).work(burst=True)
    session.expire_all()
    assert session.scalar(select(DataTable)).status == TableStatus.LOADED
    assert "1 problem" in tags(parse_page(editor.get(PAGE)).find("dt", string="Check").parent)
    assert json.loads(json.dumps(session.scalar(select(DataTable)).report))["valid"] is False
    queue.queue().delete(delete_jobs=True)


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
    report = editor.get(report_url(page))
    assert heading(parse_page(report)) == "3 problems found"
    assert any(
        what.endswith("\u201cMicklegate\u201d is not one of the allowed values: Clifton.")
        for *_where, what in _problems(report)
    )


def test_a_broken_schema_file_is_refused_with_the_reason(signed_in, erin):
    editor = signed_in(erin)
    editor.submit("/publish/datasets/new", DETAILS)
    broken = io.BytesIO(b'{"fields": [{"type": "integer"}]}')
    refused = _upload(editor, MESSY, schema_file=(broken, "schema.json"))
    assert refused.status_code == 422
    assert any("Every field in the schema needs a name." in said for said in _said(refused))
    not_json = _upload(editor, MESSY, schema_file=(io.BytesIO(b"fields:"), "schema.json"))
    assert any("The schema file is not valid JSON" in said for said in _said(not_json))
