"""What a resident sees on each page."""

from __future__ import annotations

import re

import pytest

from catalog.permissions import Actor
from catalog.publishing.datasets import DatasetInput, dataset_update


@pytest.fixture
def school_places(catalogue):
    catalogue.topic("housing", "Housing")
    return catalogue.dataset(
        "school-places",
        title="School places and pupil numbers",
        description="Places in each **primary school**.\n\n<script>alert(1)</script>\n\n"
        "- One row per school\n- [Department for Education](https://www.gov.uk/)",
        topics=["education-and-skills"],
        tags=["schools", "pupils"],
        frequency="annual",
        spatial="City of York",
        contact_name="School Admissions team",
        contact_email="admissions@example.gov.uk",
        files={
            "places.csv": b"School,Places,Pupils\nAcomb Primary,210,198\nClifton Green,315,301\n"
        },
    )


def test_home_page_shows_search_topics_and_newest(client, school_places):
    page = client.get("/").text
    assert 'role="search"' in page
    assert re.search(r"Education and skills</a></h3>\s*<p[^>]*>1 dataset<", page)
    assert re.search(r"Housing</a></h3>\s*<p[^>]*>0 datasets<", page)
    assert page.count("School places and pupil numbers") == 2


def test_dataset_page_shows_what_a_reuser_needs(client, school_places):
    response = client.get("/datasets/school-places")
    page = response.text
    assert response.status_code == 200
    assert '<h1 class="govuk-heading-xl">School places and pupil numbers</h1>' in page
    assert "<strong>primary school</strong>" in page
    assert "<script>alert(1)</script>" not in page
    assert 'href="https://www.gov.uk/"' in page
    for text in [
        "Children, Education and Communities",
        "Education and skills",
        "schools",
        "Open Government Licence v3.0",
        "Contains public sector information licensed under the Open Government Licence v3.0.",
        "Annual",
        "City of York",
        "admissions@example.gov.uk",
        "places.csv",
    ]:
        assert text in page, text


def test_resource_page_previews_the_table_with_header_cells(client, school_places):
    resource = school_places.resources[0]
    page = client.get(f"/datasets/school-places/resources/{resource.id}").text
    assert "<caption" in page and "First 2 rows of places.csv" in page
    assert '<th scope="col" class="govuk-table__header" aria-sort="none">' in page
    assert '<a class="govuk-link" href="?sort=Pupils#preview">Pupils</a></th>' in page
    assert '<td class="govuk-table__cell">Acomb Primary</td>' in page
    assert "integer" in page
    assert "Version 1" in page


def test_old_ckan_urls_redirect(client, school_places):
    response = client.get("/dataset/school-places")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/datasets/school-places")


def test_renamed_dataset_redirects_from_its_old_name(client, catalogue, school_places):
    data = DatasetInput.from_dataset(school_places, name="primary-school-places")
    dataset_update(catalogue.session, actor=Actor.system("test"), dataset=school_places, data=data)
    response = client.get("/datasets/school-places")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/datasets/primary-school-places")


def test_topic_and_organisation_pages_list_their_datasets(client, school_places):
    topic = client.get("/topics/education-and-skills").text
    assert "School places and pupil numbers" in topic
    assert "1 dataset found" in topic
    organisation = client.get("/organisations/children-education").text
    assert "School places and pupil numbers" in organisation
    assert client.get("/topics/housing").text.count("No datasets match") == 1


def test_statements(client, app):
    licence = client.get("/licence").text
    assert "Open Government Licence v3.0" in licence
    assert "What you must do" in licence
    accessibility = client.get("/accessibility").text
    assert "WCAG" in accessibility or "Web Content Accessibility Guidelines" in accessibility
