"""The demo catalogue shipped in catalog/demo is complete, valid and consistent.

The demo data is a set of fixed files: catalogue.json (organisations and topics) and one
Frictionless Data Package per dataset under packages/. These tests read the files as they are
committed, so a broken edit to any of them fails here before the demo loader ever sees it.
"""

import csv
import json
import re
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import frictionless
import pytest
from frictionless import system

DEMO = Path(__file__).resolve().parents[2] / "catalog" / "demo"
PACKAGES = DEMO / "packages"
PACKAGE_DIRS = sorted(p for p in PACKAGES.iterdir() if p.is_dir()) if PACKAGES.is_dir() else []

THEMES_2023_27 = [
    "Health and wellbeing",
    "Education and skills",
    "Economy and good employment",
    "Transport",
    "Housing",
    "Sustainability",
    "How the Council will operate",
]
OGL = {
    "name": "OGL-UK-3.0",
    "path": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
    "title": "Open Government Licence v3.0",
}
FREQUENCIES = {"monthly", "quarterly", "annual", "one-off", "irregular"}
MEDIA_TYPES = {
    "csv": "text/csv",
    "json": "application/json",
    "geojson": "application/geo+json",
    "pdf": "application/pdf",
}
TEXT_FORMATS = {"csv", "json", "geojson"}
FIELD_TYPES = {"string", "integer", "number", "date", "year", "boolean"}
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KEYWORD = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TEAM_EMAIL = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*@example\.gov\.uk$")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
MAX_DEMO_BYTES = 3 * 1024 * 1024


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def parse_timestamp(value: str) -> datetime:
    assert TIMESTAMP.match(value), f"not an ISO 8601 UTC timestamp: {value!r}"
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


@pytest.fixture(scope="module")
def catalogue() -> dict:
    return read_json(DEMO / "catalogue.json")


@pytest.fixture(scope="module")
def descriptors() -> dict[str, dict]:
    return {p.name: read_json(p / "datapackage.json") for p in PACKAGE_DIRS}


def all_resources(descriptors: dict[str, dict]):
    for name, desc in descriptors.items():
        for resource in desc["resources"]:
            yield name, resource


# (a) catalogue.json


def test_catalogue_lists_the_seven_council_plan_2023_27_themes(catalogue):
    assert [t["title"] for t in catalogue["topics"]] == THEMES_2023_27


def test_catalogue_has_four_to_seven_organisations(catalogue):
    assert 4 <= len(catalogue["organisations"]) <= 7


@pytest.mark.parametrize("kind", ["organisations", "topics"])
def test_catalogue_entries_have_unique_slug_title_and_description(catalogue, kind):
    entries = catalogue[kind]
    names = [e["name"] for e in entries]
    assert len(names) == len(set(names))
    for entry in entries:
        assert set(entry) == {"name", "title", "description"}
        assert SLUG.match(entry["name"]), entry["name"]
        assert entry["title"].strip()
        assert len(entry["description"]) > 40


def test_every_organisation_and_topic_a_package_uses_is_in_the_catalogue(catalogue, descriptors):
    organisations = {o["name"] for o in catalogue["organisations"]}
    topics = {t["name"] for t in catalogue["topics"]}
    for name, desc in descriptors.items():
        assert desc["organisation"] in organisations, name
        assert set(desc["topics"]) <= topics, name


def test_every_organisation_and_topic_has_at_least_one_package(catalogue, descriptors):
    used_orgs = {d["organisation"] for d in descriptors.values()}
    used_topics = {t for d in descriptors.values() for t in d["topics"]}
    assert used_orgs == {o["name"] for o in catalogue["organisations"]}
    assert used_topics == {t["name"] for t in catalogue["topics"]}


# (b) and (e) how many packages, and their names


def test_there_are_at_least_30_packages():
    assert len(PACKAGE_DIRS) >= 30


def test_package_names_are_unique_slugs_matching_their_folders(descriptors):
    names = [d["name"] for d in descriptors.values()]
    assert len(names) == len(set(names))
    for folder, desc in descriptors.items():
        assert desc["name"] == folder
        assert SLUG.match(folder), folder


def test_resource_names_are_unique_slugs_within_each_package(descriptors):
    for name, desc in descriptors.items():
        resource_names = [r["name"] for r in desc["resources"]]
        assert len(resource_names) == len(set(resource_names)), name
        for resource_name in resource_names:
            assert SLUG.match(resource_name), (name, resource_name)


# (c) Frictionless validation


@pytest.mark.parametrize("package_dir", PACKAGE_DIRS, ids=lambda p: p.name)
def test_package_passes_frictionless_validation(package_dir):
    with system.use_context(trusted=True):
        report = frictionless.validate(str(package_dir / "datapackage.json"))
    errors = [e.message for e in report.errors]
    errors += [f"{t.name}: {e.message}" for t in report.tasks for e in t.errors]
    assert report.valid, errors[:10]
    assert len(report.tasks) == len(read_json(package_dir / "datapackage.json")["resources"])


# (d) custom properties and licence


def test_packages_use_the_open_government_licence(descriptors):
    for name, desc in descriptors.items():
        assert desc["licenses"] == [OGL], name


def test_packages_have_title_and_markdown_description(descriptors):
    for name, desc in descriptors.items():
        assert desc["title"].strip(), name
        assert 150 <= len(desc["description"]) <= 1500, name
        assert desc["description"] == desc["description"].strip(), name


def test_some_descriptions_use_markdown_lists_or_links(descriptors):
    bullet = re.compile(r"^- ", re.M)
    link = re.compile(r"\]\(https?://")
    rich = [
        n
        for n, d in descriptors.items()
        if bullet.search(d["description"]) or link.search(d["description"])
    ]
    assert len(rich) >= 2


def test_keywords_are_lowercase_tags_reused_across_packages(descriptors):
    counts = Counter()
    for name, desc in descriptors.items():
        keywords = desc["keywords"]
        assert 2 <= len(keywords) <= 6, name
        assert len(keywords) == len(set(keywords)), name
        for keyword in keywords:
            assert KEYWORD.match(keyword), (name, keyword)
        counts.update(keywords)
    assert sum(1 for n in counts.values() if n > 1) >= 10


def test_topics_frequency_and_spatial_coverage(descriptors):
    for name, desc in descriptors.items():
        topics = desc["topics"]
        assert 1 <= len(topics) <= 2 and len(set(topics)) == len(topics), name
        assert desc["frequency"] in FREQUENCIES, name
        assert isinstance(desc["spatial"], str) and desc["spatial"].strip(), name


def test_temporal_coverage_is_an_ordered_pair_of_dates(descriptors):
    for name, desc in descriptors.items():
        temporal = desc["temporal"]
        assert set(temporal) == {"start", "end"}, name
        start = date.fromisoformat(temporal["start"])
        end = date.fromisoformat(temporal["end"])
        assert start <= end, name


def test_contact_is_a_team_mailbox(descriptors):
    for name, desc in descriptors.items():
        contact = desc["contact"]
        assert set(contact) == {"name", "email"}, name
        assert contact["name"].strip(), name
        assert TEAM_EMAIL.match(contact["email"]), (name, contact["email"])


def test_created_and_modified_are_distinct_utc_timestamps_spread_over_years(descriptors):
    created = [parse_timestamp(d["created"]) for d in descriptors.values()]
    modified = [parse_timestamp(d["modified"]) for d in descriptors.values()]
    assert len(set(created)) == len(created)
    assert len(set(modified)) == len(modified)
    for name, desc in descriptors.items():
        assert parse_timestamp(desc["created"]) < parse_timestamp(desc["modified"]), name
    for stamp in created + modified:
        assert 2019 <= stamp.year <= 2026
    assert len({s.year for s in created}) >= 5
    assert len({s.year for s in modified}) >= 4
    newest = sorted(descriptors, key=lambda n: descriptors[n]["created"])[-5:]
    recently_updated = sorted(descriptors, key=lambda n: descriptors[n]["modified"])[-5:]
    assert newest != recently_updated


# Resources and files


def test_packages_have_one_to_three_well_described_resources(descriptors):
    for name, desc in descriptors.items():
        assert 1 <= len(desc["resources"]) <= 3, name
    for name, resource in all_resources(descriptors):
        assert resource["title"].strip() and resource["description"].strip(), name
        assert resource["format"] in MEDIA_TYPES, name
        assert resource["mediatype"] == MEDIA_TYPES[resource["format"]], name
        if resource["format"] in TEXT_FORMATS:
            assert resource["encoding"] == "utf-8", name
        path = resource["path"]
        assert isinstance(path, str) and not path.startswith("/") and ".." not in path, name
        assert (PACKAGES / name / path).is_file(), (name, path)


def test_every_csv_has_a_described_table_schema(descriptors):
    for name, resource in all_resources(descriptors):
        if resource["format"] != "csv":
            continue
        fields = resource["schema"]["fields"]
        for field in fields:
            assert field["type"] in FIELD_TYPES, (name, field["name"])
            assert field["title"].strip() and field["description"].strip(), (name, field["name"])
        field_names = [f["name"] for f in fields]
        header = csv_rows(PACKAGES / name / resource["path"])[0]
        assert header == field_names, (name, resource["path"])
        for key in resource["schema"].get("primaryKey", []):
            assert key in field_names, (name, key)


def test_csv_files_have_between_10_and_2000_rows(descriptors):
    for name, resource in all_resources(descriptors):
        if resource["format"] == "csv":
            rows = csv_rows(PACKAGES / name / resource["path"])
            assert 10 <= len(rows) - 1 <= 2000, (name, resource["path"], len(rows) - 1)


def test_json_and_geojson_resources_parse(descriptors):
    seen = Counter()
    for name, resource in all_resources(descriptors):
        if resource["format"] not in ("json", "geojson"):
            continue
        data = read_json(PACKAGES / name / resource["path"])
        seen[resource["format"]] += 1
        if resource["format"] == "geojson":
            assert data["type"] == "FeatureCollection", name
            assert data["features"], name
            for feature in data["features"]:
                lon, lat = feature["geometry"]["coordinates"]
                assert -1.3 < lon < -0.8 and 53.8 < lat < 54.1, (name, lon, lat)
    assert seen["geojson"] >= 1 and seen["json"] >= 1


def test_previous_versions_point_at_older_files_oldest_first(descriptors):
    with_history = 0
    for name, resource in all_resources(descriptors):
        versions = resource.get("previous_versions")
        if versions is None:
            continue
        with_history += 1
        assert versions, name
        stamps = []
        for version in versions:
            assert set(version) == {"path", "note", "created"}, name
            assert version["path"] != resource["path"], name
            assert (PACKAGES / name / version["path"]).is_file(), (name, version["path"])
            assert version["note"].strip(), name
            stamps.append(parse_timestamp(version["created"]))
        assert stamps == sorted(stamps), name
        package = descriptors[name]
        assert parse_timestamp(package["created"]) <= stamps[0], name
        assert stamps[-1] <= parse_timestamp(package["modified"]), name
    assert with_history >= 3


def test_package_folders_hold_only_described_files(descriptors):
    for name, desc in descriptors.items():
        expected = {"datapackage.json"}
        for resource in desc["resources"]:
            expected.add(resource["path"])
            expected.update(v["path"] for v in resource.get("previous_versions", []))
        actual = {str(p.relative_to(PACKAGES / name)) for p in (PACKAGES / name).rglob("*")}
        assert actual == expected, name


def test_some_files_look_like_real_world_exports(descriptors):
    raw = [
        (PACKAGES / name / r["path"]).read_bytes()
        for name, r in all_resources(descriptors)
        if r["format"] == "csv"
    ]
    assert any(data.startswith(b"\xef\xbb\xbf") for data in raw), "no CSV with a UTF-8 BOM"
    assert any(b"\r\n" in data for data in raw), "no CSV with Windows line endings"


def test_demo_data_is_small_and_holds_no_code():
    files = [DEMO / "catalogue.json", *(p for p in PACKAGES.rglob("*") if p.is_file())]
    assert sum(p.stat().st_size for p in files) < MAX_DEMO_BYTES
    assert not [p for p in files if p.suffix in {".py", ".pyc", ".sh"}]
