"""A publisher's journey through the web pages: draft, upload, check, submit, four-eyes review,
a scheduled release that lifts at its second, a correction, and a withdrawal."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from catalog.clock import frozen_at
from catalog.models import Dataset

MONDAY_8AM = datetime(2025, 6, 2, 7, 0)  # 08:00 in York (BST)
RELEASE = datetime(2025, 6, 2, 8, 30)  # 09:30 in York: the default release slot
MEALS = b"School,Ward,Meals served\nAcomb Primary,Acomb,1204\nFishergate Primary,Fishergate,987\n"
FIXED = b"School,Ward,Meals served\nAcomb Primary,Acomb,1204\nFishergate Primary,Fishergate,897\n"
PAGE = "/publish/datasets/school-meals"
DETAILS = {
    "title": "School meals served",
    "name": "school-meals",
    "organisation": "children-education",
    "description": "Meals served in **primary schools**, by school.",
    "topics": "education-and-skills",
    "tags": "meals, schools",
    "licence": "OGL-UK-3.0",
    "frequency": "monthly",
    "temporal_start-day": "1",
    "temporal_start-month": "4",
    "temporal_start-year": "2025",
    "spatial": "City of York",
    "contact_name": "School Services",
    "contact_email": "schools@york.gov.uk",
}


@pytest.fixture
def erin(people):
    return people.make("Erin Editor", "editor")


@pytest.fixture
def ada(people):
    return people.make("Ada Admin", "admin")


def _upload(browser, content=MEALS, *, to=f"{PAGE}/files", **fields):
    """Post a file from the staff page, as its multipart form does."""
    token = browser.client.get(PAGE).text.split('name="csrf_token" value="')[1].split('"')[0]
    data = {"csrf_token": token, "file": (io.BytesIO(content), "meals.csv"), **fields}
    return browser.client.post(to, data=data, follow_redirects=True)


def _draft_in_review(editor):
    created = editor.submit("/publish/datasets/new", DETAILS)
    assert created.request.path == PAGE, created.text
    _upload(editor, title="Meals by school")
    return editor.submit(PAGE, to=f"{PAGE}/submit")


def _dataset(catalogue) -> Dataset:
    catalogue.session.expire_all()
    return catalogue.session.scalar(select(Dataset).where(Dataset.name == "school-meals"))


def test_draft_to_scheduled_release_with_four_eyes(client, signed_in, erin, ada):
    with frozen_at(MONDAY_8AM):
        editor = signed_in(erin)
        created = editor.submit("/publish/datasets/new", DETAILS)
        assert created.request.path == PAGE
        assert "Draft" in created.text and "Dataset created as a draft" in created.text

        uploaded = _upload(editor, title="Meals by school")
        assert uploaded.request.path == PAGE
        assert "Acomb Primary" in uploaded.text and "Fishergate" in uploaded.text  # preview
        assert "<code>Meals served</code>" in uploaded.text and "integer" in uploaded.text

        submitted = editor.submit(PAGE, to=f"{PAGE}/submit")
        assert "In review" in submitted.text and "Submitted by" in submitted.text
        refused = editor.submit(PAGE, {"decision": "approve"}, to=f"{PAGE}/review")
        assert refused.status_code == 403
        assert "Only an admin of the publishing organisation can approve" in refused.text

        admin = signed_in(ada)
        assert "School meals served" in admin.get("/publish/review").text
        approved = admin.submit(
            PAGE,
            {"decision": "approve", "comment": "Checked against returns."},
            to=f"{PAGE}/review",
        )
        assert "Approved" in approved.text and "Checked against returns." in approved.text
        # the release form offers the next 09:30 in York: today, 2 June
        assert 'name="release-day" type="text" value="2"' in approved.text
        assert 'name="release_time" type="text" value="09:30"' in approved.text
        release = {"when": "later", "release-day": "2", "release-month": "6"}
        release |= {"release-year": "2025", "release_time": "09:30"}
        scheduled = admin.submit(PAGE, release, to=f"{PAGE}/publish")
        assert "Scheduled for 2 June 2025 at 9:30am UK time" in scheduled.text

    with frozen_at(RELEASE - timedelta(seconds=1)):
        assert client.get("/datasets/school-meals").status_code == 404
        assert "School meals served" not in client.get("/datasets").text
        assert "School meals served" not in client.get("/datasets?q=meals").text

    with frozen_at(RELEASE):
        page = client.get("/datasets/school-meals")
        assert page.status_code == 200 and "School meals served" in page.text
        assert "First published" in page.text
        assert "Submitted" not in page.text and "Approved" not in page.text
        assert "School meals served" in client.get("/datasets").text
        assert "School meals served" in client.get("/datasets?q=meals").text


def test_a_correction_is_version_2_and_a_withdrawal_leaves_a_tombstone(
    client, catalogue, signed_in, erin, ada
):
    with frozen_at(MONDAY_8AM):
        editor = signed_in(erin)
        _draft_in_review(editor)
        admin = signed_in(ada)
        admin.submit(PAGE, {"decision": "approve"}, to=f"{PAGE}/review")
        published = admin.submit(PAGE, {"when": "now"}, to=f"{PAGE}/publish")
        assert "See the public page" in published.text

    resource_id = _dataset(catalogue).resources[0].id
    note = "Fishergate's figure was mistyped: 897 meals, not 987."
    with frozen_at(MONDAY_8AM + timedelta(days=1)):
        corrected = _upload(editor, FIXED, to=f"{PAGE}/files/{resource_id}/versions", note=note)
        assert "Version 2 of Meals by school uploaded" in corrected.text
        base = f"/datasets/school-meals/resources/{resource_id}"
        assert client.get(f"{base}/download/meals.csv").data == MEALS  # waits for review

        staff_page = BeautifulSoup(admin.get(PAGE).text, "html.parser")
        form = staff_page.find("form", action=re.compile(r"/changes/\d+/review$"))
        approved = admin.submit(PAGE, {"decision": "approve", "when": "now"}, to=form["action"])
        assert "Approved version 2 of Meals by school" in approved.text

        page = client.get("/datasets/school-meals").text
        assert "Corrected" in page and "version 2" in page
        assert "mistyped: 897 meals" in page.replace("&#39;", "'")
        assert "Version 2" in client.get(base).text
        assert client.get(f"{base}/download/meals.csv").data == FIXED
        assert client.get(f"{base}/versions/1/download/meals.csv").data == MEALS

        reason = "The figures double count packed lunches; a corrected series will follow."
        withdrawn = admin.submit(PAGE, {"reason": reason}, to=f"{PAGE}/withdraw")
        assert "Withdrawn" in withdrawn.text
        gone = client.get("/datasets/school-meals")
        assert gone.status_code == 410 and reason in gone.text
        assert client.get(f"{base}/versions/1/download/meals.csv").status_code == 410


def test_drafts_are_seen_only_by_their_organisation(client, people, signed_in, erin):
    editor = signed_in(erin)
    _draft_in_review(editor)
    assert client.get("/datasets/school-meals").status_code == 404
    member = signed_in(people.make("Mo Member", "member"))
    assert "School meals served" in member.get("/publish").text
    staff_page = member.get(PAGE)
    assert "Acomb Primary" in staff_page.text
    assert staff_page.headers["Cache-Control"] == "private, no-store"
    outsider = signed_in(people.make("Olu Outsider"))
    assert outsider.get(PAGE).status_code == 404
    assert "School meals served" not in outsider.get("/publish").text


def test_a_member_cannot_create_a_dataset(people, signed_in):
    member = signed_in(people.make("Mo Member", "member"))
    assert "Create a dataset" not in member.get("/publish").text
    assert member.get("/publish/datasets/new").status_code == 403
    posted = member.submit("/publish", DETAILS, to="/publish/datasets/new")
    assert posted.status_code == 403 and "Only an editor" in posted.text


def test_an_editor_of_another_organisation_cannot_edit(catalogue, people, signed_in, erin):
    catalogue.organisation(name="housing", title="Housing and Communities")
    signed_in(erin).submit("/publish/datasets/new", DETAILS)
    other = signed_in(people.make("Hal Housing", "editor", organisation="housing"))
    assert other.get(f"{PAGE}/edit").status_code == 404
    posted = other.submit("/publish", {**DETAILS, "title": "Hijacked"}, to=f"{PAGE}/edit")
    assert posted.status_code == 404
    assert _dataset(catalogue).title == "School meals served"


def test_an_editor_edits_and_renames_a_draft(catalogue, signed_in, erin):
    editor = signed_in(erin)
    editor.submit("/publish/datasets/new", DETAILS)
    form = editor.get(f"{PAGE}/edit").text
    assert 'value="School meals served"' in form and 'value="2025"' in form
    changed = {**DETAILS, "title": "Primary school meals", "name": "primary-school-meals"}
    saved = editor.submit(f"{PAGE}/edit", changed)
    assert saved.request.path == "/publish/datasets/primary-school-meals"
    assert "Primary school meals" in saved.text and "Your changes have been saved" in saved.text


def test_form_errors_are_summarised_and_shown_beside_the_field(signed_in, erin):
    editor = signed_in(erin)
    blank = editor.submit("/publish/datasets/new", {**DETAILS, "title": "", "name": "x"})
    assert blank.status_code == 422
    assert 'href="#title"' in blank.text and blank.text.count("Enter a title.") == 2
    bad_date = editor.submit("/publish/datasets/new", {**DETAILS, "temporal_start-month": "13"})
    assert bad_date.status_code == 422 and 'href="#temporal_start-day"' in bad_date.text
    editor.submit("/publish/datasets/new", DETAILS)
    taken = editor.submit("/publish/datasets/new", DETAILS)
    assert taken.status_code == 409 and "already used by another dataset" in taken.text
    no_file = editor.submit(PAGE, {"title": "Meals"}, to=f"{PAGE}/files")
    assert no_file.status_code == 422 and 'href="#upload-file"' in no_file.text
    assert "Select a file to upload." in no_file.text


def test_steps_out_of_turn_or_without_their_details_are_refused(signed_in, erin, ada):
    editor = signed_in(erin)
    _draft_in_review(editor)
    again = editor.submit(PAGE, to=f"{PAGE}/submit")
    assert again.status_code == 409 and "this one is in review" in again.text
    admin = signed_in(ada)
    rejected = admin.submit(PAGE, {"decision": "reject", "comment": ""}, to=f"{PAGE}/review")
    assert rejected.status_code == 422 and 'href="#review-comment"' in rejected.text
    admin.submit(PAGE, {"decision": "approve"}, to=f"{PAGE}/review")
    past = {"when": "later", "release-day": "1", "release-month": "1", "release-year": "2020"}
    refused = admin.submit(PAGE, {**past, "release_time": "09:30"}, to=f"{PAGE}/publish")
    assert refused.status_code == 422 and "must be in the future" in refused.text
    assert 'href="#publish-release-day"' in refused.text


def test_an_upload_over_the_limit_gets_a_clear_page(app, signed_in, erin):
    editor = signed_in(erin)
    editor.submit("/publish/datasets/new", DETAILS)
    app.config["MAX_CONTENT_LENGTH"] = 2_000
    response = _upload(editor, b"School,Meals\n" + b"Acomb,1\n" * 1_000, title="Big")
    assert response.status_code == 413
    assert "The file is too large" in response.text and "Nothing was uploaded" in response.text
    assert f'href="{PAGE}#files"' in response.text
