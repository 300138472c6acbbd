"""Full exports read the same rows as the pages: types kept, filters of every kind applied."""

from __future__ import annotations

import json

import pytest

CSV = (
    "ward,visits,open,opened_on\n"
    "Guildhall,10,true,2024-04-01\n"
    "Micklegate,,false,2024-04-02\n"
    "Heworth,7,,2024-04-03\n"
    "Clifton,3,true,\n"
)


@pytest.fixture
def resource_id(catalogue):
    dataset = catalogue.dataset("ward-openings", files={"openings.csv": CSV.encode()})
    return dataset.resources[0].id


def test_json_exports_keep_booleans_numbers_and_missing_values(client, resource_id):
    rows = client.get(f"/api/data/{resource_id}.json").get_json()
    assert rows[0] == {"ward": "Guildhall", "visits": 10, "open": True, "opened_on": "2024-04-01"}
    assert rows[1]["visits"] is None and rows[1]["open"] is False
    assert rows[2]["open"] is None and rows[3]["opened_on"] is None
    page = client.get(f"/api/data/{resource_id}").get_json()["rows"]
    assert page == rows


def test_exports_apply_lists_ranges_and_sorts(client, resource_id):
    url = f"/api/data/{resource_id}.ndjson?ward__in=Guildhall,Heworth,Clifton&visits__gte=5"
    lines = client.get(url + "&_sort_desc=visits").text.splitlines()
    assert [json.loads(line)["ward"] for line in lines] == ["Guildhall", "Heworth"]
    csv_text = client.get(f"/api/data/{resource_id}.csv?open=true&_col=ward").text
    assert csv_text.splitlines() == ["ward", "Guildhall", "Clifton"]
