"""The API description as a developer's tools read it: valid OpenAPI 3.1 JSON; every CKAN
action documented with each parameter it reads; every documented bound and choice enforced
as documented (a valid value accepted, one outside refused naming the parameter); every
listed path answering; and the docs page showing each operation with its bounds."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator
from schemathesis.specs.openapi.definitions import OPENAPI_31

from catalog.permissions import Actor
from opendata.api.ckan import ACTIONS, WRITES
from opendata.api.ckan_declared import READS
from opendata.api.ckan_declared import WRITES as DECLARED_WRITES
from opendata.api.openapi_document import PATHS
from tests.open_metadata import publish_examples
from tests.pages import column, main, parse_page, row_of, table, text_of

ACTOR = Actor.system("test publisher")
SCHEMA_KEYS = ("schema", "items", "additionalProperties")
# Values that depend on the example table (school, pupils) or series (2016/17 Q1).
VALID = {
    "_sort": "school",
    "_sort_desc": "pupils",
    "_col": "school",
    "from": "2016/17 Q1",
    "to": "2016/17 Q1",
}


@pytest.fixture(scope="module")
def client(shared_app):
    return shared_app.test_client()


@pytest.fixture(scope="module")
def described(shared_catalogue):
    """Published once for the module: every test here only reads."""
    return publish_examples(shared_catalogue)


@pytest.fixture(scope="module")
def document(client) -> dict:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return json.loads(response.data)


@pytest.mark.one_database
def test_the_document_is_openapi_3_1(client, document):
    Draft202012Validator(OPENAPI_31).validate(document)
    for schema in _schemas(document):
        Draft202012Validator.check_schema(schema)
    assert document["openapi"] == "3.1.0"
    assert document["servers"][0]["url"] == client.application.config["SETTINGS"].base_url
    for must in ("/api/indicators", "/api/indicators/{ref}", "/api/me", "/catalog.jsonld"):
        assert must in document["paths"]
    for item in document["paths"].values():
        for operation in item.values():
            assert "200" in operation["responses"]


def _schemas(found) -> list[dict]:
    """Every JSON Schema in the document: parameters', bodies', responses' and components'."""
    schemas = []
    if isinstance(found, dict):
        for key, value in found.items():
            if key in SCHEMA_KEYS and isinstance(value, dict):
                schemas.append(value)
            schemas += _schemas(value)
    elif isinstance(found, list):
        for value in found:
            schemas += _schemas(value)
    return schemas


def test_every_ckan_action_is_declared_and_documented(document):
    assert set(DECLARED_WRITES) == WRITES
    assert set(READS) == set(ACTIONS) - WRITES
    for name in ACTIONS:
        item = document["paths"][f"/api/3/action/{name}"]
        assert set(item) == ({"post"} if name in WRITES else {"get", "post"}), name
        for operation in item.values():
            assert operation["description"], name
            assert {"403", "404", "409"} <= set(operation["responses"]), name
    errors = document["components"]["schemas"]["CkanError"]["properties"]["error"]
    assert set(errors["properties"]["__type"]["enum"]) >= {"Validation Error", "Search Error"}


@pytest.mark.parametrize("name", sorted(READS))
def test_every_parameter_of_a_ckan_read_is_read_as_documented(client, document, name):
    """A value the description allows is never refused for that parameter; a value outside
    a documented bound or choice is a 409 naming it."""
    parameters = document["paths"][f"/api/3/action/{name}"]["get"]["parameters"]
    needed = {p["name"]: _sent(p, _valid(p)) for p in parameters if p["required"]}
    for parameter in parameters:
        query = {**needed, parameter["name"]: _sent(parameter, _valid(parameter))}
        answer = client.get(f"/api/3/action/{name}", query_string=query)
        assert answer.status_code in (200, 403, 404, 409), (name, parameter["name"])
        if answer.status_code == 409:
            assert parameter["name"] not in answer.json["error"], (name, answer.json)
        if (wrong := _invalid(_schema(parameter))) is not None:
            query = {**needed, parameter["name"]: _sent(parameter, wrong)}
            refused = client.get(f"/api/3/action/{name}", query_string=query)
            assert refused.status_code == 409, (name, parameter["name"], wrong)
            assert parameter["name"] in refused.json["error"], (name, refused.json)


def _schema(parameter: dict) -> dict:
    """A parameter's schema, or the schema of the JSON it carries as text."""
    if "content" in parameter:
        return parameter["content"]["application/json"]["schema"]
    return parameter["schema"]


def _sent(parameter: dict, value):
    return json.dumps(value) if "content" in parameter else value


def _valid(parameter: dict):
    """The parameter's example, or a value its schema allows."""
    return parameter.get("example", _allowed(_schema(parameter)))


@pytest.mark.parametrize(
    ("path", "name"),
    [
        (path, param["name"])
        for path, item in PATHS.items()
        for param in item["get"]["parameters"]
        if param["in"] == "query"
    ],
)
def test_every_documented_bound_is_enforced(client, described, document, path, name):
    """Each query parameter of the other APIs: a valid value is answered, one outside its
    bounds or choices refused."""
    if path not in document["paths"]:
        pytest.skip(f"{path} is not served by this app")
    (parameter,) = [p for p in document["paths"][path]["get"]["parameters"] if p["name"] == name]
    url = path.format(**described)
    valid = VALID.get(name, _valid(parameter))
    if name == "_next":
        valid = client.get(f"/api/data/{described['resource_id']}?_size=1").json["next"]
    with client.get(url, query_string={name: valid}) as answer:
        assert answer.status_code == 200, (path, name, answer.get_data()[:300])
    if (wrong := _invalid(parameter["schema"])) is not None:
        with client.get(url, query_string={name: wrong}) as refused:
            assert refused.status_code in (400, 404), (path, name, wrong, refused.status_code)


def _allowed(schema: dict):
    """A value the schema allows (the default, the first choice, the least number)."""
    if "default" in schema:
        default = schema["default"]
        return str(default).lower() if isinstance(default, bool) else default
    if "enum" in schema:
        return next(value for value in schema["enum"] if value != "")
    if schema.get("type") == "integer":
        return schema.get("minimum", 0)
    if schema.get("type") == "boolean":
        return "true"
    if schema.get("format") == "uuid":
        return "0b7f4c52-8a7e-4c1e-9a51-6f0d2c3e4b10"
    if schema.get("type") == "array":
        return [_allowed(schema["items"])] if schema.get("minItems") else []
    if schema.get("type") == "object":
        return {}
    return "something"


def _invalid(schema: dict):
    """A value just outside the schema's bounds or choices; None when it has none."""
    if "enum" in schema:
        return "not-one-of-them"
    if schema.get("type") == "integer":
        return schema["minimum"] - 1 if "minimum" in schema else "many"
    if schema.get("type") == "boolean":
        return "maybe"
    return None


@pytest.mark.parametrize("path", list(PATHS))
def test_every_listed_path_answers(client, described, document, path):
    assert path in document["paths"]
    with client.get(path.format(**described)) as response:
        assert response.status_code not in (404, 500), (path, response.status_code)


def test_the_docs_page_shows_every_operation_with_its_bounds(client, document):
    response = client.get("/api/docs")
    assert response.status_code == 200
    page = parse_page(response)
    assert main(page).find("script") is None
    sections = {text_of(s.find("h2")): s for s in page.select(".app-api-operation")}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            section = sections[f"{method.upper()} {path}"]
            for found in section.find_all("table"):
                assert "app-table-scroll" in found.parent["class"]
            if operation.get("parameters"):
                shown = column(table(section, "Parameters"), "Name")
                for param in operation["parameters"]:
                    assert any(cell.split(" ")[0] == param["name"] for cell in shown), param
            if "requestBody" in operation and "get" in item:
                assert f"GET {path}" in text_of(section.select_one(".app-api-as-get"))
            elif "requestBody" in operation:
                fields = operation["requestBody"]["content"]["application/json"]["schema"]
                shown = column(table(section, "Body"), "Name")
                assert sorted(cell.split(" ")[0] for cell in shown) == sorted(fields["properties"])
    search = table(sections["GET /api/3/action/package_search"], "Parameters")
    assert row_of(search, "rows")[3:5] == ["0 to 2,147,483,647", "10"]
    records = table(sections["GET /api/3/action/datastore_search"], "Parameters")
    assert row_of(records, "records_format")[3] == "one of: objects, lists, csv, tsv"
    rows = table(sections["GET /api/data/{resource_id}"], "Parameters")
    assert row_of(rows, "_size")[3:5] == ["1 to 10,000", "100"]
