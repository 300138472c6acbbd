"""A reviewer sees the dataset's public page as it will be once approved, before anyone
outside its organisation can: the same page, bannered as a preview, never cached nor indexed."""

from __future__ import annotations

from catalog.clock import frozen_at
from tests.pages import (
    banners,
    find_link,
    heading,
    mentions,
    parse_page,
    summary_list,
    table,
    table_rows,
    texts,
)
from tests.web.test_publishing import FIXED, MONDAY_8AM, PAGE, _dataset, _draft_in_review, _upload

PREVIEW = f"{PAGE}/preview"


def _preview_of(response):
    """The preview page's banner, and the page under it."""
    shown = parse_page(response)
    banner = shown.select_one(".app-preview-banner")
    return banner, shown


def test_the_review_page_links_to_a_preview_of_the_public_page(client, signed_in, erin, ada):
    _draft_in_review(signed_in(erin))
    admin = signed_in(ada)
    review = parse_page(admin.get(f"{PAGE}/review"))
    link = find_link(review, "Preview the public page")
    assert link["href"] == PREVIEW
    decision = review.select_one("form[action$='/review']")
    assert decision in link.find_all_next()  # the evidence, then the decision

    response = admin.get(PREVIEW)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "noindex" in response.headers["X-Robots-Tag"]
    banner, shown = _preview_of(response)
    assert shown.find("meta", attrs={"name": "robots"})["content"].startswith("noindex")
    assert texts(banner, ".govuk-notification-banner__title") == ["Preview — not yet public"]
    assert find_link(banner, "Back to the review")["href"] == f"{PAGE}/review"
    assert heading(shown) == "School meals served"
    assert shown.select_one(".app-prose strong").get_text() == "primary schools"
    files = table_rows(table(shown, "Files in this dataset"))
    assert [row[:2] for row in files] == [["Meals by school", "CSV"]]
    about = summary_list(shown.find("aside"))
    assert about["Publisher"] == "Children, Education and Communities"
    assert about["First published"] == "On its release"
    assert find_link(shown.find("aside"), "Open Government Licence v3.0")
    assert find_link(shown.find("aside"), "Education and skills")

    assert client.get("/datasets/school-meals").status_code == 404


def test_the_preview_is_for_the_datasets_staff_only(client, catalogue, people, signed_in, erin):
    _draft_in_review(signed_in(erin))
    assert signed_in(erin).get(PREVIEW).status_code == 200
    anonymous = client.get(PREVIEW)
    assert anonymous.status_code == 302 and anonymous.location.startswith("/login")
    assert not mentions(parse_page(client.get(PREVIEW, follow_redirects=True)), "School meals")
    outsider = signed_in(people.make("Olu Outsider"))
    assert outsider.get(PREVIEW).status_code == 404
    catalogue.organisation("place", "Place")
    other = people.make("Pat Planner", "admin", organisation="place")
    refused = signed_in(other).get(PREVIEW)
    assert refused.status_code == 404
    assert refused.headers["Cache-Control"] == "private, no-store"
    assert not mentions(parse_page(refused), "School meals served")


def test_a_new_version_waiting_for_review_shows_in_the_preview_only(
    client, catalogue, signed_in, erin, ada
):
    with frozen_at(MONDAY_8AM):
        editor = signed_in(erin)
        _draft_in_review(editor)
        admin = signed_in(ada)
        admin.submit(PAGE, {"decision": "approve"}, to=f"{PAGE}/review")
        admin.submit(PAGE, {"when": "now"}, to=f"{PAGE}/publish")
        resource_id = _dataset(catalogue).resources[0].id
        fixed = _upload(editor, FIXED, to=f"{PAGE}/files/{resource_id}/versions", note="Fixed")
        assert banners(parse_page(fixed))[0].startswith("Version 2 of Meals by school uploaded")
        added = _upload(editor, title="Meals by ward")
        assert mentions(parse_page(added), "Meals by ward")

        public = parse_page(client.get("/datasets/school-meals"))
        assert [row[0] for row in table_rows(table(public, "Files"))] == ["Meals by school"]
        _, shown = _preview_of(admin.get(PREVIEW))
        previewed = table_rows(table(shown, "Files in this dataset"))
        assert [row[0] for row in previewed] == ["Meals by school", "Meals by ward"]
