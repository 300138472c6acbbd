"""package_search as CKAN clients query it: `q`, `fq` and `fq_list` in CKAN's query language,
the sorts and paging a harvester uses, and a clear 409 for what cannot be read. Whatever the
query, only public datasets are found or counted: a NOT, a `-` or `state:draft` never brings
out a draft, an embargoed or a withdrawn dataset."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from catalog.clock import frozen_at, utcnow
from catalog.permissions import Actor
from catalog.publishing.datasets import DatasetInput, dataset_update
from catalog.publishing.groups import get_organisation
from catalog.publishing.workflow import dataset_withdraw

SETUP = Actor.system("test setup")
CSV = b"ward,count\nGuildhall,12\n"
JSON = b'[{"ward": "Guildhall", "count": 12}]'
CHILDREN, CORPORATE = "children-education", "customer-corporate"
PUBLIC = ["council-tax", "road-safety", "safer-roads", "school-places", "spend-over-500"]
CREATED = ["school-places", "council-tax", "road-safety", "safer-roads", "spend-over-500"]
BY_TITLE = ["council-tax", "spend-over-500", "road-safety", "safer-roads", "school-places"]


@pytest.fixture(scope="module")
def client(shared_app):
    return shared_app.test_client()


@pytest.fixture(scope="module")
def site(shared_catalogue):
    """Five public datasets made through 2025, one changed since, and a draft, an embargoed
    and a withdrawn one that share their words, tags and organisations."""
    made = shared_catalogue
    made.organisation(CORPORATE, "Customer and Corporate Services")
    made.topic("transport", "Transport")
    datasets = [
        (datetime(2025, 1, 5), "school-places", "School places", CHILDREN, ["schools"], "csv"),
        (datetime(2025, 3, 10), "council-tax", "Council tax bands", CORPORATE, ["finance"], "json"),
        (datetime(2025, 6, 1), "road-safety", "Road safety", CORPORATE, ["roads"], "csv"),
        (datetime(2025, 8, 15), "safer-roads", "Roads and schemes", CHILDREN, ["roads"], "csv"),
        (
            datetime(2025, 11, 2),
            "spend-over-500",
            "Payments over £500",
            CORPORATE,
            ["finance"],
            "csv",
        ),
    ]
    notes = {"safer-roads": "Where the road safety money goes.", "road-safety": "Collisions."}
    made_at = {}
    for moment, name, title, organisation, tags, extension in datasets:
        with frozen_at(moment):
            made_at[name] = made.dataset(
                name,
                title=title,
                organisation=organisation,
                tags=tags,
                topics=["transport"] if "roads" in tags else [],
                description=notes.get(name, ""),
                files={f"data.{extension}": CSV if extension == "csv" else JSON},
            )
    school = made_at["school-places"]
    with frozen_at(datetime(2025, 9, 1)):
        changed = DatasetInput.from_dataset(school, description="Places and pupils, by school.")
        made.saved(dataset_update(made.session, actor=SETUP, dataset=school, data=changed))
    hidden = {"tags": ["roads", "finance"], "organisation": CHILDREN, "files": {"d.csv": CSV}}
    made.dataset("secret-draft", title="Road safety draft", publish=False, **hidden)
    made.dataset("embargoed", title="Road safety soon", publish=utcnow() + timedelta(1), **hidden)
    gone = made.dataset("gone", title="Road safety gone", **hidden)
    made.saved(dataset_withdraw(made.session, actor=SETUP, dataset=gone, reason="Wrong."))
    return made


def search(client, **params):
    response = client.post("/api/3/action/package_search", json={"rows": 1000, **params})
    assert response.status_code == 200, response.json
    return response.json["result"]


def names(client, **params) -> list[str]:
    found = search(client, **params)
    listed = sorted(p["name"] for p in found["results"])
    assert found["count"] == len(listed)
    return listed


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, PUBLIC),
        ({"q": "*:*"}, PUBLIC),
        ({"q": "*:*", "fq": "+dataset_type:dataset"}, PUBLIC),
        ({"fq": "state:active"}, PUBLIC),
        ({"q": "title:payment"}, ["spend-over-500"]),
        ({"q": '"road safety"'}, ["road-safety", "safer-roads"]),
        ({"q": 'title:"road safety"'}, ["road-safety"]),
        ({"q": 'notes:"road safety"'}, ["safer-roads"]),
        ({"q": "roads"}, ["road-safety", "safer-roads"]),
        ({"q": "organization:children-education"}, ["safer-roads", "school-places"]),
        ({"q": "tags:finance"}, ["council-tax", "spend-over-500"]),
        ({"q": "groups:transport"}, ["road-safety", "safer-roads"]),
        ({"q": "name:road-safety"}, ["road-safety"]),
        ({"fq": "res_format:json"}, ["council-tax"]),
        ({"fq": f"owner_org:{CORPORATE}"}, ["council-tax", "road-safety", "spend-over-500"]),
        ({"fq": "owner_org:nowhere"}, []),
        (
            {"fq": "tags:finance OR tags:roads"},
            ["council-tax", "road-safety", "safer-roads", "spend-over-500"],
        ),
        (
            {"q": "tags:finance AND organization:customer-corporate"},
            ["council-tax", "spend-over-500"],
        ),
        (
            {"q": "(tags:finance OR tags:schools) -name:council-tax"},
            ["school-places", "spend-over-500"],
        ),
        ({"fq_list": ["tags:finance", "-name:council-tax"]}, ["spend-over-500"]),
        ({"q": "tags:roads", "fq": "organization:children-education"}, ["safer-roads"]),
    ],
)
def test_queries_find_what_ckan_would(client, site, params, expected):
    assert names(client, **params) == expected


@pytest.mark.parametrize(
    "params",
    [
        {"fq": f"-organization:{CORPORATE}"},
        {"q": "NOT tags:schools"},
        {"q": "-name:nothing"},
        {"fq": "state:draft"},
        {"fq": "-state:active"},
        {"q": "road safety"},
        {"q": '"road safety"'},
        {"fq": "tags:roads OR tags:finance"},
        {"fq": "metadata_modified:[* TO *]"},
        {"fq": "metadata_created:[NOW-1DAY TO *]"},
    ],
)
def test_no_query_brings_out_an_unpublished_dataset(client, site, params):
    found = search(client, **params)
    listed = {p["name"] for p in found["results"]}
    assert listed <= set(PUBLIC)
    assert found["count"] == len(listed)
    facets = search(client, **params, **{"facet.field": '["tags", "organization"]'})["facets"]
    assert sum(facets["organization"].values()) == found["count"]


def test_a_harvesters_own_requests(client, site):
    """ckanext-harvest's CKAN harvester: `rows=100&start=0&sort=id asc`, then the next page
    until one is empty; on its next run only what changed since its last (less an hour)."""
    first = client.get("/api/3/action/package_search?rows=100&start=0&sort=id+asc")
    assert first.status_code == 200
    ids = [p["id"] for p in first.json["result"]["results"]]
    assert ids == sorted(ids) and len(ids) == len(PUBLIC)
    since = "metadata_modified:[2025-08-01T00:00:00.000001Z TO *]"
    orgs = f"organization:{CHILDREN} OR organization:{CORPORATE}"
    changed = client.get(
        "/api/3/action/package_search",
        query_string={"rows": 100, "start": 0, "sort": "id asc", "fq": f"{orgs} {since}"},
    )
    assert changed.status_code == 200, changed.json
    found = sorted(p["name"] for p in changed.json["result"]["results"])
    assert found == ["safer-roads", "school-places", "spend-over-500"]


def test_paging_by_id_walks_every_public_dataset_once(client, site):
    seen, start = [], 0
    while page := search(client, rows=2, start=start, sort="id asc")["results"]:
        seen += [p["name"] for p in page]
        start += 2
    assert sorted(seen) == PUBLIC and len(seen) == len(PUBLIC)


@pytest.mark.parametrize(
    ("fq", "expected"),
    [
        (
            "metadata_modified:[2025-06-01T00:00:00Z TO *]",
            ["road-safety", "safer-roads", "school-places", "spend-over-500"],
        ),
        (
            "metadata_modified:{2025-06-01T00:00:00Z TO *]",
            ["safer-roads", "school-places", "spend-over-500"],
        ),
        (
            "metadata_created:[2025-06-01T00:00:00Z TO *]",
            ["road-safety", "safer-roads", "spend-over-500"],
        ),
        (
            "metadata_created:[2025-01-01T00:00:00Z TO 2025-06-30T23:59:59Z]",
            ["council-tax", "road-safety", "school-places"],
        ),
        ("metadata_created:[* TO NOW]", PUBLIC),
        ("metadata_modified:[NOW-1DAY TO NOW]", []),
        ("metadata_modified:[2025-01-01T00:00:00Z TO 2025-01-31T23:59:59Z]", []),
    ],
)
def test_changed_and_created_since(client, site, fq, expected):
    assert names(client, fq=fq) == expected


def test_modified_times_match_what_package_show_says(client, site):
    shown = search(client, q="name:school-places")["results"][0]
    assert shown["metadata_modified"].startswith("2025-09-01")
    moment = shown["metadata_modified"]
    assert names(client, fq=f"metadata_modified:[{moment}Z TO {moment}Z]") == ["school-places"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name asc", PUBLIC),
        ("metadata_created desc", CREATED[::-1]),
        ("metadata_created asc", CREATED),
        ("title_string asc", BY_TITLE),
        ("title_string desc", BY_TITLE[::-1]),
        (
            "metadata_modified desc",
            ["spend-over-500", "school-places", "safer-roads", "road-safety", "council-tax"],
        ),
        (
            "metadata_modified asc",
            ["council-tax", "road-safety", "safer-roads", "school-places", "spend-over-500"],
        ),
        (
            "score desc, metadata_modified desc",
            ["spend-over-500", "school-places", "safer-roads", "road-safety", "council-tax"],
        ),
    ],
)
def test_sorts(client, site, sort, expected):
    found = search(client, sort=sort)
    assert [p["name"] for p in found["results"]] == expected
    assert found["sort"] == sort


def test_name_asc_sorts_by_the_url_name_not_the_title(client, site):
    """spend-over-500 is "Payments over £500": last by URL name, second by title."""
    by_name = search(client, sort="name asc", rows=2, start=3)["results"]
    assert [p["name"] for p in by_name] == ["school-places", "spend-over-500"]
    second = search(client, sort="title_string asc", rows=1, start=1)["results"][0]
    assert second["title"] == "Payments over £500"


def test_fq_list_in_a_get_is_the_parameter_repeated_or_a_json_list(client, site):
    repeated = client.get(
        "/api/3/action/package_search?fq_list=tags:finance&fq_list=-name:council-tax"
    )
    as_json = client.get(
        '/api/3/action/package_search?fq_list=["tags:finance","-name:council-tax"]'
    )
    for response in (repeated, as_json):
        assert [p["name"] for p in response.json["result"]["results"]] == ["spend-over-500"]
    one = client.get("/api/3/action/package_search?fq_list=tags:finance")
    assert one.json["result"]["count"] == 2


def test_owner_org_takes_the_organisations_ckan_id(client, site):
    organisation = get_organisation(site.session, CORPORATE)
    shown = search(client, q="name:council-tax")["results"][0]
    assert shown["owner_org"] == organisation.uuid
    assert names(client, fq=f"owner_org:{shown['owner_org']}") == [
        "council-tax",
        "road-safety",
        "spend-over-500",
    ]


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"q": "title:("}, "never closed"),
        ({"fq": "metadata_modified:[2026 TO"}, "never closed"),
        ({"fq": "metadata_modified:[2026 TO *]"}, "Cannot read the date '2026'"),
        ({"q": "foo:bar"}, "Unknown field 'foo'"),
        ({"q": '"road safety'}, "quote at character 1 is never closed"),
        ({"fq_list": ["tags:finance", "tags:("]}, "never closed"),
    ],
)
def test_what_cannot_be_read_is_a_409_naming_it(client, site, params, problem):
    response = client.post("/api/3/action/package_search", json=params)
    assert response.status_code == 409
    error = response.json["error"]
    assert error["__type"] == "Search Error"
    assert error["message"].startswith("Search error: ")
    assert problem in error["message"]
    (field,) = params
    assert problem in error[field][0]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"sort": "random()"}, "sort"),
        ({"fq_list": {"tags": "x"}}, "fq_list"),
        ({"fq_list": "[1, 2"}, "fq_list"),
    ],
)
def test_bad_parameters_are_validation_errors(client, site, params, field):
    response = client.post("/api/3/action/package_search", json=params)
    assert response.status_code == 409
    assert response.json["error"]["__type"] == "Validation Error"
    assert field in response.json["error"]
