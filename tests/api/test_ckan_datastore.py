"""CKAN's datastore_search answers from the datastore, with CKAN's envelope and errors."""

from __future__ import annotations

ROWS = "ward,visits\n" + "".join(f"Ward {n % 5},{n}\n" for n in range(1, 26))


def _search(client, **params):
    return client.post("/api/3/action/datastore_search", json=params)


def _resource_id(catalogue, name="ward-visits", publish=True):
    dataset = catalogue.dataset(name, files={"visits.csv": ROWS.encode()}, publish=publish)
    return dataset.resources[0].id


def test_filters_sort_fields_and_offset_page_through_every_row(client, catalogue):
    resource_id = _resource_id(catalogue)
    seen = []
    for offset in range(0, 30, 10):
        page = _search(client, resource_id=resource_id, limit=10, offset=offset, sort="visits desc")
        body = page.get_json()
        assert page.status_code == 200 and body["success"] is True
        assert body["result"]["total"] == 25
        seen += [record["visits"] for record in body["result"]["records"]]
    assert seen == list(range(25, 0, -1))
    filtered = _search(
        client, resource_id=resource_id, filters={"ward": ["Ward 1", "Ward 2"]}, fields="visits"
    ).get_json()["result"]
    assert filtered["fields"] == [{"id": "visits", "type": "int"}]
    assert sorted(r["visits"] for r in filtered["records"]) == [
        n for n in range(1, 26) if n % 5 in (1, 2)
    ]


def test_bad_input_is_a_validation_error_naming_the_field(client, catalogue):
    resource_id = _resource_id(catalogue)
    unknown = _search(client, resource_id=resource_id, filters={"ward'; DROP TABLE x": "1"})
    assert unknown.status_code == 409
    error = unknown.get_json()["error"]
    assert error["__type"] == "Validation Error" and "filters" in error
    bad_sort = _search(client, resource_id=resource_id, sort="nothing")
    assert bad_sort.status_code == 409 and "sort" in bad_sort.get_json()["error"]
    bad_value = _search(client, resource_id=resource_id, filters={"visits": "many"})
    assert bad_value.status_code == 409


def test_a_draft_table_is_not_found(client, catalogue):
    resource_id = _resource_id(catalogue, "draft-visits", publish=False)
    missing = _search(client, resource_id=resource_id)
    assert missing.status_code == 404
    assert missing.get_json()["error"]["__type"] == "Not Found Error"
