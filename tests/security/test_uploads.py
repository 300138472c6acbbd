"""Hostile uploads: files that hold a script, lie about their type, or are built to exhaust the
server. Each is refused with a clear 413/422 and leaves no file behind, or is stored and served
only as an inert attachment. Zip bombs in workbooks are proved in
tests/catalog/test_spreadsheets.py; the byte limit of the storage in tests/catalog/test_storage.py.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.pages import (
    csrf_token,
    heading,
    mentions,
    parse_page,
    summary_errors,
    summary_lists,
    table,
    table_headings,
)
from tests.web.conftest import People, Visitor

NAME = "uploads-check"
PAGE = f"/publish/datasets/{NAME}"
SCRIPTED_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)">'
    b"<script>alert('svg')</script></svg>"
)
HTML_AS_CSV = b"<html><body><script>alert('csv')</script></body></html>\n"


@pytest.fixture
def editor(app, catalogue):
    """An editor with a draft dataset of their own, signed in."""
    catalogue.dataset(NAME, publish=False)
    account = People(catalogue.session).make("Una Uploader", "editor")
    browser = Visitor(app.test_client())
    browser.sign_in(account.email)
    return browser


def _upload(browser, filename: str, content, **fields):
    token = csrf_token(parse_page(browser.client.get(PAGE)))
    data = {"csrf_token": token, "file": (content, filename), "title": filename, **fields}
    return browser.client.post(f"{PAGE}/files", data=data, follow_redirects=True)


def _instance_files(app) -> set[Path]:
    root = Path(app.config["SETTINGS"].instance)
    return {p for p in root.rglob("*") if p.is_file() and "index" not in p.parts}


@pytest.mark.parametrize(
    "filename, content",
    [("chart.svg", SCRIPTED_SVG), ("page.html", HTML_AS_CSV), ("run.js", b"alert(1)")],
)
def test_a_type_that_can_run_a_script_is_refused_and_nothing_is_kept(
    app, editor, filename, content
):
    before = _instance_files(app)
    response = _upload(editor, filename, io.BytesIO(content))
    assert response.status_code == 422
    ((said, href),) = summary_errors(parse_page(response))
    assert "are not accepted" in said and href == "#upload-file"
    assert _instance_files(app) == before


@pytest.mark.parametrize(
    "filename, media_type", [("wards.csv", "text/csv"), ("notes.txt", "text/plain")]
)
def test_html_inside_an_accepted_type_is_served_only_as_an_inert_attachment(
    client, catalogue, filename, media_type
):
    dataset = catalogue.dataset("scripts", files={filename: HTML_AS_CSV})
    rid = dataset.resources[0].id
    response = client.get(f"/datasets/scripts/resources/{rid}/download/{filename}")
    assert response.status_code == 200 and response.get_data() == HTML_AS_CSV
    assert response.mimetype == media_type
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    policy = response.headers["Content-Security-Policy"]
    assert "sandbox" in policy and "default-src 'none'" in policy
    page = parse_page(client.get(f"/datasets/scripts/resources/{rid}"))
    assert not any("alert('csv')" in script.get_text() for script in page("script"))
    if filename.endswith(".csv"):  # its column heading is shown as the text it is
        headings = table_headings(table(page, "rows of wards.csv"))
        assert headings == [HTML_AS_CSV.decode().strip()]


def test_a_single_line_longer_than_any_cell_may_be_is_refused_clearly(app, editor, tmp_path):
    """A 100 MB line with no line break, written to disk in pieces and streamed up."""
    app.config["MAX_CONTENT_LENGTH"] = 200 * 1024 * 1024
    path = tmp_path / "one-line.csv"
    with path.open("wb") as out:
        out.write(b"name,notes\r\nAcomb,")
        for _ in range(100):
            out.write(b"x" * (1024 * 1024))
    before = _instance_files(app)
    with path.open("rb") as stream:
        response = _upload(editor, "one-line.csv", stream)
    assert response.status_code in (200, 413, 422), response.status_code
    page = parse_page(response)
    assert not mentions(page, "Sorry, there is a problem")
    if response.status_code == 200:
        # Kept as the file it is, with its check saying what is wrong with it.
        (kept,) = [details for details in summary_lists(page) if "File" in details]
        assert kept["File"].startswith("one-line.csv") and "Check" in kept
    else:
        assert _instance_files(app) == before


@pytest.mark.parametrize("width", [3_000, 100_000])
def test_a_table_too_wide_for_a_database_is_refused_quickly_and_clearly(app, editor, width):
    """Over PostgreSQL's 1,600 and SQLite's 2,000 columns to a table; 100,000 columns once
    held a worker for minutes while a schema was inferred."""
    header = ",".join(f"c{n}" for n in range(width)).encode()
    row = b"1," * (width - 1) + b"1\r\n"
    before = _instance_files(app)
    response = _upload(editor, "wide.csv", io.BytesIO(header + b"\r\n" + row))
    assert response.status_code == 422
    said = [message for message, _href in summary_errors(parse_page(response))]
    assert any(
        f"The file has {width:,} columns; a table may have at most 1,000." in message
        for message in said
    )
    assert not mentions(parse_page(editor.get(PAGE)), "wide.csv")
    assert _instance_files(app) - before == set()  # no temporary file, nothing in the store


def test_an_upload_over_the_limit_is_a_413_and_leaves_no_file(app, editor):
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    before = _instance_files(app)
    response = _upload(editor, "big.csv", io.BytesIO(b"a,b\r\n" + b"1,2\r\n" * 50_000))
    assert response.status_code == 413
    assert heading(parse_page(response)) == "The file is too large"
    assert _instance_files(app) == before
