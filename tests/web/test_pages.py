"""What a resident sees on each page."""

from __future__ import annotations

import json

import pytest

from catalog.permissions import Actor
from catalog.publishing.datasets import DatasetInput, dataset_update
from tests.pages import (
    element,
    find_link,
    heading,
    listed_datasets,
    main,
    parse_page,
    results_count,
    summary_list,
    table,
    table_headings,
    table_rows,
    text_of,
    texts,
)


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


def test_home_page_shows_search_topics_and_recent_releases(client, school_places):
    page = parse_page(client.get("/"))
    search = element(page, "form[role=search]")
    assert search["action"] == "/datasets" and search.find("input", attrs={"name": "q"})
    topics = {
        text_of(item.find("h3")): texts(item, "p")[0]
        for item in page.select(".app-topic-grid__item")
    }
    assert topics["Education and skills"] == "1 dataset"
    assert topics["Housing"] == "0 datasets"
    assert listed_datasets(page) == ["School places and pupil numbers"]


def test_dataset_page_shows_what_a_reuser_needs(client, school_places):
    response = client.get("/datasets/school-places")
    page = parse_page(response)
    assert response.status_code == 200
    assert heading(page) == "School places and pupil numbers"
    description = element(page, ".app-prose")
    assert text_of(description.find("strong")) == "primary school"
    assert texts(description, "li") == ["One row per school", "Department for Education"]
    assert description.find("script") is None
    for script in page.find_all("script"):  # none runs it, and the data stays inside its block
        if script.get("type") == "application/ld+json":
            assert "alert(1)" in json.loads(script.string)["description"]
        else:
            assert "alert(1)" not in script.get_text()
    assert find_link(description, "Department for Education")["href"] == "https://www.gov.uk/"
    about = page.find("aside")
    details = summary_list(about)
    assert details["Publisher"] == "Children, Education and Communities"
    assert details["Update frequency"] == "Annual"
    assert details["Area covered"] == "City of York"
    assert details["Contact"] == "School Admissions team admissions@example.gov.uk"
    assert find_link(about, "Education and skills")["href"] == "/topics/education-and-skills"
    assert find_link(about, "schools")["href"] == "/datasets?tag=schools"
    assert find_link(about, "Open Government Licence v3.0")["rel"] == ["license"]
    assert (
        "Contains public sector information licensed under the Open Government Licence v3.0."
        in text_of(about)
    )
    files = table(page, "Files in this dataset")
    assert table_rows(files)[0][:2] == ["places.csv", "CSV"]


def test_resource_page_previews_the_table_with_header_cells(client, school_places):
    resource = school_places.resources[0]
    page = parse_page(client.get(f"/datasets/school-places/resources/{resource.id}"))
    preview = table(page, "First 2 rows of places.csv")
    assert table_headings(preview) == ["School", "Places", "Pupils"]
    headers = preview.select("thead th")
    assert all(th["scope"] == "col" and th["aria-sort"] == "none" for th in headers)
    assert find_link(headers[2], "Pupils")["href"] == "?sort=Pupils#preview"
    assert table_rows(preview) == [["Acomb Primary", "210", "198"], ["Clifton Green", "315", "301"]]
    assert all(cell.name == "td" for cell in preview.select("tbody tr")[0].find_all(["td", "th"]))
    dictionary = table(page, "columns in this file holds")
    assert table_rows(dictionary)[2][1] == "Whole number integer"
    assert summary_list(main(page))["Version"].startswith("1 of 1")


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
    topic = parse_page(client.get("/topics/education-and-skills"))
    assert listed_datasets(topic) == ["School places and pupil numbers"]
    assert results_count(topic) == "1 dataset found"
    organisation = parse_page(client.get("/organisations/children-education"))
    assert listed_datasets(organisation) == ["School places and pupil numbers"]
    housing = parse_page(client.get("/topics/housing"))
    assert texts(housing, "h2").count("No datasets match your search") == 1
    assert listed_datasets(housing) == []


def test_statements(client, app):
    licence = parse_page(client.get("/licence"))
    assert find_link(main(licence), "the full text of the Open Government Licence v3.0")
    assert "What you must do" in texts(licence, "h2")
    accessibility = text_of(main(parse_page(client.get("/accessibility"))))
    assert "WCAG" in accessibility or "Web Content Accessibility Guidelines" in accessibility
