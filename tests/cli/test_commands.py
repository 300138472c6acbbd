"""The `opendata` command as an administrator uses it."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from whoosh import index
from whoosh.fields import ID, TEXT, Schema

from catalog.models import Dataset, ResourceVersion
from tests.conftest import initialised_app
from tests.pages import heading, listed_datasets, mentions, parse_page, summary_list

SPEND = "Date,Supplier,Amount\n2024-04-03,Acme Gritting Ltd,1250.00\n2024-04-09,Ouse Buses,780.20\n"


def _package(folder, **changes):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "spend.csv").write_text(SPEND, encoding="utf-8")
    descriptor = {
        "name": "spend-over-500",
        "title": "Spending over £500",
        "description": "Every payment over **£500**.",
        "licenses": [{"name": "OGL-UK-3.0"}],
        "keywords": ["spending", "transparency"],
        "organisation": "children-education",
        "topics": ["education-and-skills"],
        "frequency": "quarterly",
        "temporal": {"start": "2024-04-01", "end": "2024-06-30"},
        "resources": [
            {
                "name": "spend",
                "path": "spend.csv",
                "title": "Spend April to June 2024",
                "format": "csv",
                "schema": {
                    "fields": [
                        {"name": "Date", "type": "date", "title": "Date paid"},
                        {"name": "Supplier", "type": "string"},
                        {
                            "name": "Amount",
                            "type": "number",
                            "description": "Pounds, excluding VAT",
                        },
                    ]
                },
            }
        ],
        **changes,
    }
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    return folder


def test_load_imports_a_data_package_as_a_published_dataset(runner, client, catalogue, tmp_path):
    result = runner.invoke(args=["load", str(_package(tmp_path / "pkg"))])
    assert result.exit_code == 0, result.output
    assert "Loaded spend-over-500 with 1 files" in result.output
    page = parse_page(client.get("/datasets/spend-over-500"))
    assert heading(page).startswith("Spending over £500")
    assert summary_list(page.find("aside"))["Update frequency"] == "Quarterly"
    found = client.get("/datasets?q=supplier").text
    assert "Spending over £500" in found
    resource = catalogue.session.scalar(select(Dataset)).resources[0]
    columns = client.get(f"/datasets/spend-over-500/resources/{resource.id}").text
    assert "Pounds, excluding VAT" in columns and "Date paid" in columns


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"resources": [{"path": "missing.csv", "format": "csv"}]}, "missing.csv"),
        ({"resources": [{"path": "../../etc/passwd", "format": "csv"}]}, "not in"),
        ({"resources": [{"path": "spend.csv", "format": "exe"}]}, "not accepted"),
        ({"organisation": "nobody"}, "no organisation called 'nobody'"),
        ({"created": "last tuesday"}, "not an ISO 8601"),
        ({"resources": [{"path": "http://127.0.0.1/spend.csv", "format": "csv"}]}, "loopback"),
    ],
)
def test_a_broken_package_is_refused_and_nothing_is_written(
    runner, catalogue, tmp_path, changes, message
):
    result = runner.invoke(args=["load", str(_package(tmp_path / "pkg", **changes))])
    assert result.exit_code != 0
    assert message in result.output
    catalogue.session.expire_all()
    assert catalogue.session.scalar(select(func.count(Dataset.id))) == 0
    assert catalogue.session.scalar(select(func.count(ResourceVersion.id))) == 0


def test_load_imports_a_link_to_a_file_hosted_elsewhere(runner, client, catalogue, tmp_path):
    """Our own data packages describe a link as a resource whose `path` is its address."""
    link = {
        "name": "bus-stops",
        "title": "Bus stops (NaPTAN)",
        "path": "http://93.184.215.14/naptan/stops.csv",
        "format": "csv",
        "description": "Every stop in York.",
    }
    folder = _package(tmp_path / "pkg")
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"].append(link)
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    result = runner.invoke(args=["load", str(folder)])
    assert result.exit_code == 0, result.output
    assert "Loaded spend-over-500 with 2 files" in result.output
    exported = client.get("/datasets/spend-over-500/datapackage.json").json
    described = exported["resources"][1]
    assert (described["title"], described["path"]) == (link["title"], link["path"])


def test_load_as_draft_keeps_it_private(runner, client, catalogue, tmp_path):
    result = runner.invoke(args=["load", "--draft", str(_package(tmp_path / "pkg"))])
    assert result.exit_code == 0, result.output
    assert client.get("/datasets/spend-over-500").status_code == 404


def test_init_rebuilds_a_search_index_made_by_an_older_version(app, environ, catalogue):
    """After an upgrade that changes what the index holds, `opendata init` (run on every
    deployment) rebuilds it, so search does not come back empty."""
    catalogue.dataset("libraries", title="Library visits")
    older = Schema(id=ID(unique=True, stored=True), words=TEXT)
    folder = app.config["SETTINGS"].search_path
    folder.mkdir(exist_ok=True)
    index.create_in(str(folder), older)
    upgraded = initialised_app({**environ, "OPENDATA_SEARCH": "whoosh"})
    page = parse_page(next(upgraded).test_client().get("/datasets?q=library"))
    assert listed_datasets(page) == ["Library visits"]
    next(upgraded, None)


def test_reindex_rebuilds_search_from_the_database(runner, client, catalogue):
    catalogue.dataset("libraries", title="Library visits")
    catalogue.search.clear()
    assert not mentions(parse_page(client.get("/datasets?q=library")), "Library visits")
    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 0
    assert "Indexed 1 datasets" in result.output
    assert listed_datasets(parse_page(client.get("/datasets?q=library"))) == ["Library visits"]
