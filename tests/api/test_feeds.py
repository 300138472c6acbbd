"""The Atom feed, sitemap and robots.txt as a feed reader and a search engine see them: valid
XML in the right namespaces, newest releases first, absolute public URLs, and nothing that is
not yet (or no longer) public."""

from __future__ import annotations

from datetime import datetime, timedelta
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import select

from catalog.clock import frozen_at, utcnow
from catalog.models import Dataset
from catalog.publishing.resources import resource_link_create
from catalog.publishing.workflow import dataset_withdraw
from tests.open_metadata import ACTOR, BASE_URL, CSV, seed
from tests.pages import find_link, parse_page, texts

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ATOM_TYPE = "application/atom+xml"


@pytest.fixture
def seeded(app, catalogue):
    return seed(app, catalogue)


def _feed(client) -> ET.Element:
    response = client.get("/feeds/releases.atom")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.data)
    assert root.tag == f"{ATOM}feed"
    return root


def _entry_links(feed: ET.Element) -> list[str]:
    return [e.find(f"{ATOM}link[@rel='alternate']").get("href") for e in feed.iter(f"{ATOM}entry")]


def _sitemap_urls(client) -> list[str]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.data)
    assert root.tag == f"{SITEMAP}urlset"
    return [loc.text for loc in root.iter(f"{SITEMAP}loc")]


def test_the_feed_is_atom_with_required_elements(client, seeded):
    feed = _feed(client)
    for name in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{name}") is not None
    (entry,) = feed.findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}id").text.startswith("tag:data.york.example,")
    assert entry.find(f"{ATOM}title").text == "Published: School census"
    updated = entry.find(f"{ATOM}updated").text
    assert updated.endswith("Z")
    datetime.fromisoformat(updated)
    assert _entry_links(feed) == [f"{BASE_URL}/datasets/school-census"]


def test_entries_are_newest_first_and_ids_stay_the_same(client, catalogue, seeded):
    later = catalogue.dataset("library-visits", files={"visits.csv": CSV})
    with frozen_at(utcnow() + timedelta(hours=2)):
        catalogue.add_file(later, "branches.csv", CSV)
    with frozen_at(utcnow() + timedelta(hours=3)):
        feed = _feed(client)
        times = [e.find(f"{ATOM}updated").text for e in feed.iter(f"{ATOM}entry")]
        assert times == sorted(times, reverse=True)
        assert len(times) == 3
        titles = [e.find(f"{ATOM}title").text for e in feed.iter(f"{ATOM}entry")]
        assert titles[0].startswith("New file branches.csv")
        ids = [e.find(f"{ATOM}id").text for e in feed.iter(f"{ATOM}entry")]
        again = [e.find(f"{ATOM}id").text for e in _feed(client).iter(f"{ATOM}entry")]
    assert ids == again and len(set(ids)) == 3


def test_a_link_added_after_publication_is_an_entry_and_a_draft_dataset_s_link_is_not(
    client, catalogue, seeded
):
    public = catalogue.session.scalar(select(Dataset).where(Dataset.name == "school-census"))
    draft = catalogue.session.scalar(select(Dataset).where(Dataset.name == "draft-plans"))
    with frozen_at(utcnow() + timedelta(hours=1)):
        for dataset in (public, draft):
            resource_link_create(
                catalogue.session,
                actor=ACTOR,
                dataset=dataset,
                title="Pupil projections",
                url="http://93.184.215.14/projections.xlsx",
            )
    with frozen_at(utcnow() + timedelta(hours=2)):
        feed = _feed(client)
        page = parse_page(client.get("/datasets/school-census"))
    history = texts(page, ".app-history li")
    assert any(entry.endswith(": Added a link to Pupil projections.") for entry in history)
    titles = [e.find(f"{ATOM}title").text for e in feed.iter(f"{ATOM}entry")]
    assert titles[0] == f"New link to Pupil projections in {public.title}"
    assert _entry_links(feed)[:1] == [f"{BASE_URL}/datasets/school-census"]
    assert not any("draft-plans" in link for link in _entry_links(feed))


def test_nothing_unreleased_or_withdrawn_is_in_feed_or_sitemap(client, seeded):
    links, urls = _entry_links(_feed(client)), _sitemap_urls(client)
    for name in ("draft-plans", "exam-results", "old-admissions"):
        assert f"{BASE_URL}/datasets/{name}" not in links
        assert f"{BASE_URL}/datasets/{name}" not in urls


def test_a_scheduled_release_appears_when_its_time_passes(client, seeded):
    with frozen_at(seeded.release_at - timedelta(seconds=1)):
        assert f"{BASE_URL}/datasets/exam-results" not in _entry_links(_feed(client))
    with frozen_at(seeded.release_at):
        assert _entry_links(_feed(client))[0] == f"{BASE_URL}/datasets/exam-results"
        assert f"{BASE_URL}/datasets/exam-results" in _sitemap_urls(client)


def test_a_withdrawn_dataset_leaves_feed_and_sitemap(client, catalogue, seeded):
    assert f"{BASE_URL}/datasets/school-census" in _sitemap_urls(client)
    dataset_withdraw(catalogue.session, actor=ACTOR, dataset=seeded.public, reason="Errors found")
    assert f"{BASE_URL}/datasets/school-census" not in _sitemap_urls(client)
    assert _entry_links(_feed(client)) == []


def test_the_sitemap_lists_public_pages_with_the_base_url(client, seeded):
    urls = _sitemap_urls(client)
    pages = ("/", "/datasets", "/topics", "/organisations", "/transparency", "/calendar")
    for path in (*pages, "/datasets/school-census"):
        assert f"{BASE_URL}{path}" in urls
    assert f"{BASE_URL}/topics/education-and-skills" in urls
    assert all(url.startswith(BASE_URL) for url in urls)
    root = ET.fromstring(client.get("/sitemap.xml").data)
    dataset = next(
        u
        for u in root.iter(f"{SITEMAP}url")
        if u.find(f"{SITEMAP}loc").text.endswith("/school-census")
    )
    assert dataset.find(f"{SITEMAP}lastmod").text == f"{utcnow():%Y-%m-%d}"


def test_robots_allows_all_but_publishing_and_points_to_the_sitemap(client, seeded):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /publish" in lines
    assert "Disallow: /account" in lines
    assert "Disallow: /*?" in lines
    assert f"Sitemap: {BASE_URL}/sitemap.xml" in lines


def test_pages_link_to_the_feed(client, seeded):
    page = parse_page(client.get("/"))
    feeds = page.find_all("link", rel="alternate", type=ATOM_TYPE)
    assert [feed["href"] for feed in feeds] == ["/feeds/releases.atom"]


def _links_of(client, path: str) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    assert feed.find(f"{ATOM}id").text == BASE_URL + path
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == BASE_URL + path
    return _entry_links(feed)


def test_each_publisher_and_topic_has_a_feed_of_its_own_public_releases(client, catalogue, seeded):
    catalogue.organisation("housing", "Housing and Communities")
    catalogue.dataset("council-homes", files={"homes.csv": CSV}, organisation="housing")
    census, homes = f"{BASE_URL}/datasets/school-census", f"{BASE_URL}/datasets/council-homes"

    assert _links_of(client, "/feeds/organisations/children-education.atom") == [census]
    assert _links_of(client, "/feeds/organisations/housing.atom") == [homes]
    assert _links_of(client, "/feeds/topics/education-and-skills.atom") == [census]
    with frozen_at(seeded.release_at):
        exams = f"{BASE_URL}/datasets/exam-results"
        assert _links_of(client, "/feeds/organisations/children-education.atom")[0] == exams
        assert exams not in _links_of(client, "/feeds/topics/education-and-skills.atom")

    assert client.get("/feeds/organisations/nobody.atom").status_code == 404
    assert client.get("/feeds/topics/nothing.atom").status_code == 404
    page = parse_page(client.get("/organisations/housing"))
    follow = find_link(page, "Follow new releases from this publisher (Atom feed)")
    assert follow["href"] == "/feeds/organisations/housing.atom"
    topic = parse_page(client.get("/topics/education-and-skills"))
    feeds = [link["href"] for link in topic.find_all("link", rel="alternate", type=ATOM_TYPE)]
    assert "/feeds/topics/education-and-skills.atom" in feeds
