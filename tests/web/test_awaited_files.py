"""A file listed before its content arrives (a CKAN client copying another site creates the
package with its files, then uploads each one): the staff page says it is still to come and
offers its upload, the dataset cannot go for review without it, and the public sees nothing
of it."""

from __future__ import annotations

import io

from catalog.publishing.resources import resource_awaiting_create
from tests.conftest import ACTOR
from tests.pages import csrf_token, parse_page, summary_errors, summary_lists, texts

PAGE = "/publish/datasets/library-visits"
CSV = b"branch,visits\nExplore York,1200\nAcomb,340\n"


def test_a_file_still_to_come_is_uploaded_before_the_dataset_goes_for_review(
    client, catalogue, signed_in, erin
):
    dataset = catalogue.dataset("library-visits", publish=False)
    resource = resource_awaiting_create(
        catalogue.session, actor=ACTOR, dataset=dataset, title="Visits", format="CSV"
    )
    catalogue.saved()
    editor = signed_in(erin)
    page = parse_page(editor.get(PAGE))
    assert {
        "File": "Not uploaded yet (CSV). Upload it before the dataset is submitted for review."
    } in (summary_lists(page))
    assert "Upload the file for Visits" in texts(page, "details[open] summary")
    refused = editor.submit(PAGE, to=f"{PAGE}/submit")
    assert refused.status_code == 422
    shown = parse_page(refused)
    assert summary_errors(shown) == [
        ("Visits is still waiting for its file: upload it first.", f"#version-{resource.id}-file")
    ]
    assert shown.find(id=f"version-{resource.id}-file") is not None
    token = csrf_token(parse_page(editor.get(PAGE)))
    form = {"csrf_token": token, "file": (io.BytesIO(CSV), "visits.csv")}
    uploaded = editor.client.post(f"{PAGE}/files/{resource.id}/versions", data=form)
    assert uploaded.status_code == 302, uploaded.text
    files = summary_lists(parse_page(editor.get(PAGE)))
    assert any(found.get("Version", "").startswith("1, uploaded by Erin Editor") for found in files)
    submitted = editor.submit(PAGE, to=f"{PAGE}/submit")
    assert submitted.status_code == 200 and submitted.request.path == PAGE
    assert client.get("/datasets/library-visits").status_code == 404
