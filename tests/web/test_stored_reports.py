"""The report page is rendered from the findings a stored report describes, and a report
stored before findings kept all their values still shows what it said."""

from __future__ import annotations

import copy

from sqlalchemy import select

from catalog.models import DataTable
from tests.pages import parse_page, table_rows
from tests.web.test_validation_journey import MESSY, _draft_with, report_url

NEW_VALUES = ("fieldType", "fieldFormat", "constraint", "expected", "earlierRowNumber")
TYPE_ERROR = (
    "Row 32, column \u201cAmount\u201d: \u201cTBC\u201d is not a whole number of at most 18 "
    "digits, such as 42."
)


def _table_rows(response, heading_id: str) -> list[list[str]]:
    """The body rows of the table under the heading with this id, as cell texts."""
    heading = parse_page(response).find(id=heading_id)
    assert heading is not None, f"no {heading_id} heading"
    return table_rows(heading.find_next("table"))


def _restore(session, change) -> None:
    """Store the checked file's report as `change` rewrites it."""
    table = session.scalar(select(DataTable))
    report = copy.deepcopy(table.report)
    change(report["tasks"][0]["errors"])
    table.report = report
    session.commit()


def test_each_line_is_rendered_from_the_stored_values_not_the_stored_sentence(
    signed_in, erin, session
):
    editor = signed_in(erin)
    report = report_url(_draft_with(editor, MESSY))

    def reword(errors):
        errors[0]["message"] = "A sentence from an older version of the site."

    _restore(session, reword)
    rows = _table_rows(editor.get(report), "type-error")
    assert rows == [["32", "Amount (3)", "TBC", TYPE_ERROR]]


def test_a_report_stored_before_findings_kept_their_values_still_shows_what_it_said(
    signed_in, erin, session
):
    editor = signed_in(erin)
    report = report_url(_draft_with(editor, MESSY))
    old_sentence = "Row 32, column \u201cAmount\u201d: \u201cTBC\u201d is not a whole number."

    def as_stored_before(errors):
        for error in errors:
            for key in NEW_VALUES:
                error.pop(key, None)
        errors[0]["message"] = old_sentence

    _restore(session, as_stored_before)
    page = editor.get(report)
    assert page.status_code == 200
    assert _table_rows(page, "type-error") == [["32", "Amount (3)", "TBC", old_sentence]]
    assert editor.get(report + ".json").get_json()["tasks"][0]["errors"][0]["message"] == (
        old_sentence
    )
