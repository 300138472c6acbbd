"""A file with title rows above its header: the publisher is told which row was taken as the
header, sees the table read from there, and can move the header on the describe page."""

from __future__ import annotations

import io

from tests.pages import (
    banners,
    field_value,
    parse_page,
    summary_lists,
    table,
    table_headings,
    table_rows,
)

PAGE = "/publish/datasets/spend"
TITLED = (
    b"City of York Council,,\r\n"
    b",,\r\n"
    b"Period: April 2026,,\r\n"
    b"Supplier,Amount,Payments\r\n"
    b"Rufforth Minibus Co-operative,2937.88,3\r\n"
    b"Bishophill Books Ltd,1234.50,7\r\n"
)


def _upload(browser, content: bytes):
    page = parse_page(browser.get(PAGE))
    token = page.select_one("input[name=csrf_token]")["value"]
    data = {"csrf_token": token, "title": "Spend", "file": (io.BytesIO(content), "spend.csv")}
    return browser.client.post(f"{PAGE}/files", data=data, follow_redirects=True)


def test_title_rows_are_found_shown_and_can_be_corrected(catalogue, signed_in, erin):
    catalogue.dataset("spend", publish=False)
    editor = signed_in(erin)

    uploaded = parse_page(_upload(editor, TITLED))
    [banner] = banners(uploaded)
    assert "The header looks like row 4; the rows above it are skipped." in banner
    summary = next(d for d in summary_lists(uploaded) if "File" in d)
    assert summary["Header"] == "The header looks like row 4; the rows above it are skipped."
    preview = table(uploaded, "First 2 rows of spend.csv")
    assert table_headings(preview) == ["Supplier", "Amount", "Payments"]
    assert table_rows(preview)[0] == ["Rufforth Minibus Co-operative", "2937.88", "3"]

    columns_url = uploaded.select_one("a[href$='/columns']")["href"]
    form = parse_page(editor.get(columns_url))
    assert field_value(form, "header_row") == "4"

    moved = parse_page(editor.submit(columns_url, {"header_row": "3"}))
    assert not moved.select(".govuk-error-summary")
    described = parse_page(editor.get(columns_url))
    assert field_value(described, "header_row") == "3"
    assert [code.get_text() for code in described.select("legend code")] == [
        "Period: April 2026",
        "field2",
        "field3",
    ]


def test_a_header_row_that_is_not_a_number_is_refused_beside_the_field(catalogue, signed_in, erin):
    catalogue.dataset("spend", publish=False)
    editor = signed_in(erin)
    uploaded = parse_page(_upload(editor, TITLED))
    columns_url = uploaded.select_one("a[href$='/columns']")["href"]
    refused = editor.submit(columns_url, {"header_row": "fourth"})
    assert refused.status_code == 422
    message = parse_page(refused).select_one("#columns-header-row-error")
    assert message is not None and "whole number" in message.get_text()
