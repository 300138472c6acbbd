"""A publisher's journey through the web pages: draft, upload, check, submit, four-eyes review,
a scheduled release that lifts at its second, a correction, and a withdrawal."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta

from sqlalchemy import select

from catalog.clock import frozen_at
from catalog.models import Dataset
from tests.pages import (
    banners,
    buttons,
    csrf_token,
    field_error,
    field_value,
    find_link,
    heading,
    lede,
    listed_datasets,
    main,
    mentions,
    parse_page,
    summary_errors,
    summary_list,
    summary_lists,
    table,
    table_rows,
    text_of,
    texts,
)

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


def _upload(browser, content=MEALS, *, to=f"{PAGE}/files", **fields):
    """Post a file from the staff page, as its multipart form does."""
    token = csrf_token(parse_page(browser.client.get(PAGE)))
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


def _stage(response) -> str:
    """The stage the staff page says the dataset is at."""
    return summary_list(parse_page(response))["Stage"]


def _files(response) -> dict[str, str]:
    """The staff page's summary of the (first) file."""
    return next(d for d in summary_lists(parse_page(response)) if "File" in d)


def _listed(client, url: str) -> list[str]:
    return listed_datasets(parse_page(client.get(url)))


def test_draft_to_scheduled_release_with_four_eyes(client, signed_in, erin, ada):
    with frozen_at(MONDAY_8AM):
        editor = signed_in(erin)
        created = editor.submit("/publish/datasets/new", DETAILS)
        assert created.request.path == PAGE
        assert _stage(created) == "Draft"
        assert any(
            said.startswith("Dataset created as a draft") for said in banners(parse_page(created))
        )

        uploaded = _upload(editor, title="Meals by school")
        assert uploaded.request.path == PAGE
        shown = parse_page(uploaded)
        preview = table_rows(table(shown, "First 2 rows of meals.csv"))
        assert [row[0] for row in preview] == ["Acomb Primary", "Fishergate Primary"]
        columns = table_rows(table(shown, "The 3 columns found"))
        assert ["Meals served", "integer"] in columns
        assert shown.find("code", string="Meals served") is not None

        submitted = editor.submit(PAGE, to=f"{PAGE}/submit")
        assert _stage(submitted) == "In review"
        assert summary_list(parse_page(submitted))["Submitted by"] == "Erin Editor"
        refused = editor.submit(PAGE, {"decision": "approve"}, to=f"{PAGE}/review")
        assert refused.status_code == 403
        assert "Only an admin of the publishing organisation can approve" in lede(
            parse_page(refused)
        )

        admin = signed_in(ada)
        queue = table(parse_page(admin.get("/publish/review")), "Datasets waiting for review")
        assert find_link(queue, "School meals served")["href"] == f"{PAGE}/review"
        approved = admin.submit(
            PAGE,
            {"decision": "approve", "comment": "Checked against returns."},
            to=f"{PAGE}/review",
        )
        shown = parse_page(approved)
        assert _stage(approved) == "Approved"
        assert summary_list(shown)["Reviewer’s comment"] == "Checked against returns."
        # the release form offers the next 09:30 in York: today, 2 June
        assert field_value(shown, "release-day") == "2"
        assert field_value(shown, "release_time") == "09:30"
        release = {"when": "later", "release-day": "2", "release-month": "6"}
        release |= {"release-year": "2025", "release_time": "09:30"}
        scheduled = admin.submit(PAGE, release, to=f"{PAGE}/publish")
        assert summary_list(parse_page(scheduled))["Release"].startswith(
            "Scheduled for 2 June 2025 at 9:30am UK time"
        )

    with frozen_at(RELEASE - timedelta(seconds=1)):
        assert client.get("/datasets/school-meals").status_code == 404
        for listing in ("/datasets", "/datasets?q=meals"):
            assert not mentions(parse_page(client.get(listing)), "School meals served")

    with frozen_at(RELEASE):
        page = client.get("/datasets/school-meals")
        shown = parse_page(page)
        assert page.status_code == 200 and heading(shown) == "School meals served"
        assert summary_list(shown.find("aside"))["First published"] == "2 June 2025"
        assert not mentions(shown, "Submitted") and not mentions(shown, "Approved")
        assert _listed(client, "/datasets") == ["School meals served"]
        assert _listed(client, "/datasets?q=meals") == ["School meals served"]


def test_a_correction_is_version_2_and_a_withdrawal_leaves_a_tombstone(
    client, catalogue, signed_in, erin, ada
):
    with frozen_at(MONDAY_8AM):
        editor = signed_in(erin)
        _draft_in_review(editor)
        admin = signed_in(ada)
        admin.submit(PAGE, {"decision": "approve"}, to=f"{PAGE}/review")
        published = admin.submit(PAGE, {"when": "now"}, to=f"{PAGE}/publish")
        public_link = find_link(parse_page(published), "See the public page")
        assert public_link["href"] == "/datasets/school-meals"

    resource_id = _dataset(catalogue).resources[0].id
    note = "Fishergate's figure was mistyped: 897 meals, not 987."
    with frozen_at(MONDAY_8AM + timedelta(days=1)):
        corrected = _upload(editor, FIXED, to=f"{PAGE}/files/{resource_id}/versions", note=note)
        (done,) = banners(parse_page(corrected))
        assert done.startswith("Version 2 of Meals by school uploaded")
        base = f"/datasets/school-meals/resources/{resource_id}"
        assert client.get(f"{base}/download/meals.csv").data == MEALS  # waits for review

        form = parse_page(admin.get(PAGE)).find("form", action=re.compile(r"/changes/\d+/review$"))
        approved = admin.submit(PAGE, {"decision": "approve", "when": "now"}, to=form["action"])
        (done,) = banners(parse_page(approved))
        assert done.startswith("Approved version 2 of Meals by school")

        history = texts(parse_page(client.get("/datasets/school-meals")), ".app-history li")
        assert history[0] == f"3 June 2025: Corrected Meals by school (version 2): {note}"
        assert summary_list(parse_page(client.get(base)))["Version"].startswith("2 of 2")
        assert client.get(f"{base}/download/meals.csv").data == FIXED
        assert client.get(f"{base}/versions/1/download/meals.csv").data == MEALS

        reason = "The figures double count packed lunches; a corrected series will follow."
        withdrawn = admin.submit(PAGE, {"reason": reason}, to=f"{PAGE}/withdraw")
        assert _stage(withdrawn) == "Withdrawn"
        gone = client.get("/datasets/school-meals")
        assert gone.status_code == 410
        assert parse_page(gone).find("h2", string="Why it was withdrawn").find_next("p").text == (
            reason
        )
        assert client.get(f"{base}/versions/1/download/meals.csv").status_code == 410


def test_drafts_are_seen_only_by_their_organisation(client, people, signed_in, erin):
    editor = signed_in(erin)
    _draft_in_review(editor)
    assert client.get("/datasets/school-meals").status_code == 404
    member = signed_in(people.make("Mo Member", "member"))
    assert find_link(main(parse_page(member.get("/publish"))), "School meals served")
    staff_page = member.get(PAGE)
    preview = table(parse_page(staff_page), "First 2 rows of meals.csv")
    assert table_rows(preview)[0][0] == "Acomb Primary"
    assert staff_page.headers["Cache-Control"] == "private, no-store"
    outsider = signed_in(people.make("Olu Outsider"))
    assert outsider.get(PAGE).status_code == 404
    assert not mentions(parse_page(outsider.get("/publish")), "School meals served")


def test_a_member_cannot_create_a_dataset(people, signed_in):
    member = signed_in(people.make("Mo Member", "member"))
    my_work = main(parse_page(member.get("/publish")))
    assert "Create a dataset" not in [text for text, _href in _actions(my_work)]
    assert member.get("/publish/datasets/new").status_code == 403
    posted = member.submit("/publish", DETAILS, to="/publish/datasets/new")
    assert posted.status_code == 403 and "Only an editor" in lede(parse_page(posted))


def _actions(scope) -> list[tuple[str, str]]:
    """The buttons a page offers, links styled as buttons included."""
    return [(a.get_text(strip=True), a["href"]) for a in scope.select("a.govuk-button")]


def _errors(response) -> list[tuple[str, str]]:
    return summary_errors(parse_page(response))


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
    form = parse_page(editor.get(f"{PAGE}/edit"))
    assert field_value(form, "title") == "School meals served"
    assert field_value(form, "temporal_start-year") == "2025"
    changed = {**DETAILS, "title": "Primary school meals", "name": "primary-school-meals"}
    saved = editor.submit(f"{PAGE}/edit", changed)
    assert saved.request.path == "/publish/datasets/primary-school-meals"
    shown = parse_page(saved)
    assert heading(shown) == "Primary school meals"
    assert any("Your changes have been saved" in said for said in banners(shown))


def test_form_errors_are_summarised_and_shown_beside_the_field(signed_in, erin):
    editor = signed_in(erin)
    blank = editor.submit("/publish/datasets/new", {**DETAILS, "title": "", "name": "x"})
    assert blank.status_code == 422
    shown = parse_page(blank)
    assert ("Enter a title.", "#title") in summary_errors(shown)
    assert field_error(shown, "title") == "Enter a title."
    bad_date = editor.submit("/publish/datasets/new", {**DETAILS, "temporal_start-month": "13"})
    assert bad_date.status_code == 422
    assert [href for _said, href in summary_errors(parse_page(bad_date))] == ["#temporal_start-day"]
    editor.submit("/publish/datasets/new", DETAILS)
    taken = editor.submit("/publish/datasets/new", DETAILS)
    assert taken.status_code == 409
    assert any("already used by another dataset" in said for said, _ in _errors(taken))
    no_file = editor.submit(PAGE, {"title": "Meals"}, to=f"{PAGE}/files")
    assert no_file.status_code == 422
    assert summary_errors(parse_page(no_file)) == [("Select a file to upload.", "#upload-file")]
    assert field_error(parse_page(no_file), "upload-file") == "Select a file to upload."


def test_steps_out_of_turn_or_without_their_details_are_refused(signed_in, erin, ada):
    editor = signed_in(erin)
    _draft_in_review(editor)
    again = editor.submit(PAGE, to=f"{PAGE}/submit")
    assert again.status_code == 409 and "this one is in review" in lede(parse_page(again))
    admin = signed_in(ada)
    rejected = admin.submit(PAGE, {"decision": "reject", "comment": ""}, to=f"{PAGE}/review")
    assert rejected.status_code == 422
    assert [href for _said, href in _errors(rejected)] == ["#review-comment"]
    admin.submit(PAGE, {"decision": "approve"}, to=f"{PAGE}/review")
    past = {"when": "later", "release-day": "1", "release-month": "1", "release-year": "2020"}
    refused = admin.submit(PAGE, {**past, "release_time": "09:30"}, to=f"{PAGE}/publish")
    assert refused.status_code == 422
    ((said, href),) = _errors(refused)
    assert "must be in the future" in said and href == "#publish-release-day"


def test_an_upload_over_the_limit_gets_a_clear_page(app, signed_in, erin):
    editor = signed_in(erin)
    editor.submit("/publish/datasets/new", DETAILS)
    app.config["MAX_CONTENT_LENGTH"] = 2_000
    response = _upload(editor, b"School,Meals\n" + b"Acomb,1\n" * 1_000, title="Big")
    assert response.status_code == 413
    shown = parse_page(response)
    assert heading(shown) == "The file is too large" and "Nothing was uploaded" in lede(shown)
    back = find_link(shown, "Go back to the dataset and choose another file")
    assert back["href"] == f"{PAGE}#files"


def test_the_review_page_shows_the_evidence_before_the_decision(signed_in, erin, ada):
    _draft_in_review(signed_in(erin))
    admin = signed_in(ada)
    staff = parse_page(admin.get(PAGE))
    assert not buttons(staff).count("Approve")
    review = find_link(staff, "Review this dataset")["href"]
    assert review == f"{PAGE}/review"
    shown = parse_page(admin.get(review))
    details = summary_list(shown)
    assert details["Organisation"] == "Children, Education and Communities"
    assert details["Description"] == "Meals served in primary schools, by school."
    assert shown.select_one("dd strong").get_text() == "primary schools"  # rendered Markdown
    assert details["Licence"] == "Open Government Licence v3.0"
    assert details["Topics"] == "Education and skills"
    assert details["Tags"] == "meals, schools"
    preview = table_rows(table(shown, "First 2 rows of meals.csv"))
    assert preview[0][0] == "Acomb Primary"
    assert find_link(shown, "See the report for Meals by school")["href"].endswith("/1/report")
    assert find_link(shown, "See how the public page will look")["href"] == "#public-look"
    order = [found.get("id") for found in shown.select("h2[id], form[action$='/review']")]
    assert order == ["what-changes", "details", "files", "public-look", "decision", None]
    assert buttons(shown.select_one("form[action$='/review']")) == [
        "Approve",
        "Send back for changes",
    ]
    refused = admin.submit(review, {"decision": "reject", "comment": ""}, to=review)
    assert refused.status_code == 422
    assert heading(parse_page(refused)) == "Review School meals served"


def test_a_submit_with_no_file_is_not_reviewable_and_the_editor_sees_nothing_to_decide(
    signed_in, erin
):
    editor = signed_in(erin)
    editor.submit("/publish/datasets/new", DETAILS)
    _upload(editor, title="Meals by school")
    editor.submit(PAGE, to=f"{PAGE}/submit")
    shown = parse_page(editor.get(f"{PAGE}/review"))
    assert shown.select_one("form[action$='/review']") is None
    assert "Only an admin" in text_of(main(shown))


def _next_steps(response) -> list[tuple[str, str | None]]:
    """The staff page's "What to do next": each step and where its link goes."""
    panel = parse_page(response).find(id="next-steps").parent
    return [(text_of(item), item.a["href"] if item.a else None) for item in panel.select("li")]


def test_the_staff_page_leads_with_what_to_do_next_at_every_stage(client, signed_in, erin, ada):
    with frozen_at(MONDAY_8AM):
        editor, admin = signed_in(erin), signed_in(ada)
        created = editor.submit("/publish/datasets/new", DETAILS)
        assert _next_steps(created) == [("Upload a file", "#add-file")]
        assert parse_page(created).find(id="add-file") is not None
        rows = b"".join(b"School %d,Acomb,%d\n" % (n, n) for n in range(30))
        broken = MEALS + rows + b"Clifton Primary,Clifton,lots\n"
        uploaded = _upload(editor, broken, title="Meals by school")
        ((step, href),) = _next_steps(uploaded)
        assert step == "Fix 1 error in meals.csv" and href.endswith("/versions/1/report")
        fixed = _upload(editor, to=f"{PAGE}/files/{_file_id(uploaded)}/versions", note="Fixed")
        assert _next_steps(fixed) == [("Submit for review", "#submit-for-review")]
        submitted = editor.submit(PAGE, to=f"{PAGE}/submit")
        org = "Children, Education and Communities"
        assert _next_steps(submitted) == [(f"Waiting for review by another admin of {org}", None)]
        assert _next_steps(admin.get(PAGE)) == [("Review it", f"{PAGE}/review")]

        approved = admin.submit(PAGE, {"decision": "approve"}, to=f"{PAGE}/review")
        assert _next_steps(approved) == [("Set its release time", "#release")]
        when = parse_page(approved).select("#release ~ form input[name='when']")
        assert len(when) == 2 and not any(radio.has_attr("aria-expanded") for radio in when)
        waiting = f"Approved: waiting for an admin of {org} to publish it"
        assert _next_steps(editor.get(PAGE)) == [(waiting, None)]
        release = {"when": "later", "release-day": "2", "release-month": "6"}
        release |= {"release-year": "2025", "release_time": "09:30"}
        scheduled = admin.submit(PAGE, release, to=f"{PAGE}/publish")
        ((step, href),) = _next_steps(scheduled)
        assert step.startswith("Scheduled for 2 June 2025 at 9:30am") and href is None
        assert client.get("/datasets/school-meals").status_code == 404

    with frozen_at(RELEASE):
        published = editor.get(PAGE)
        new_data = ("Upload a new version when there is new data", "#files")
        assert _next_steps(published) == [new_data]
        version = _upload(editor, FIXED, to=f"{PAGE}/files/{_file_id(published)}/versions")
        assert _next_steps(version) == [("1 change is waiting for review", "#changes")]
        assert parse_page(version).find(id="changes") is not None
        _check_long_lists_are_collapsed(parse_page(version))


def _check_long_lists_are_collapsed(shown) -> None:
    """The activity log, each file's columns and its upload form are folded away."""
    history = shown.find("caption", string="Activity log").find_parent("details")
    assert not history.has_attr("open")
    assert text_of(history.summary).startswith("Activity log (")
    columns = shown.find("caption", string=re.compile("columns found")).find_parent("details")
    assert text_of(columns.summary).startswith("Columns (3)") and not columns.has_attr("open")
    upload = shown.select_one("form[action$='/versions']").find_parent("details")
    assert not upload.has_attr("open")
    assert text_of(upload.summary).startswith("Upload a corrected or new version of")


def _file_id(response) -> str:
    form = parse_page(response).select_one("form[action$='/versions']")
    return form["action"].split("/files/")[1].split("/")[0]
