"""A resource's dialect: read from a Data Package in either of frictionless's forms, found on
upload when title rows sit above the header, honoured by every read, and published again."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from frictionless import Dialect as FrictionlessDialect
from frictionless import Package, Resource, system, validate
from openpyxl import Workbook

from catalog.errors import Invalid
from catalog.publishing.datapackage import datapackage_for
from catalog.publishing.packages import load_package
from catalog.publishing.resources import Upload, resource_create, version_header_set
from catalog.tables.dialects import Dialect, detect_header_row
from catalog.tables.quick_check import quick_check
from catalog.tables.reading import detect_dialect, preview, read_table
from catalog.visibility import public_view
from tests.conftest import ACTOR

YORK = (
    "City of York Council\r\n"
    "\r\n"
    "Spend over £500, April 2026\r\n"
    "body_name,date,supplier_name,net_amount\r\n"
    "City of York Council,2026-04-01,Rufforth Minibus Co-operative,2937.88\r\n"
    "City of York Council,2026-04-01,Ainsty Children's Homes Ltd,23139.33\r\n"
).encode()
YORK_SCHEMA = {
    "fields": [
        {"name": "body_name", "type": "string"},
        {"name": "date", "type": "date"},
        {"name": "supplier_name", "type": "string"},
        {"name": "net_amount", "type": "number"},
    ]
}


@pytest.mark.parametrize(
    "descriptor, expected",
    [
        ({"delimiter": ";", "headerRows": [3]}, {"delimiter": ";", "headerRows": [3]}),
        ({"csv": {"delimiter": ";"}, "headerRows": [3]}, {"delimiter": ";", "headerRows": [3]}),
        ({"delimiter": ",", "quoteChar": '"', "header": True}, {"delimiter": ","}),
        ({"excel": {"sheet": 2}}, {"sheetNumber": 2, "excel": {"sheet": 2}}),
        ({"sheetName": "Data"}, {"sheetName": "Data", "excel": {"sheet": "Data"}}),
        ({"commentChar": "#", "commentRows": [2, 5]}, {"commentChar": "#", "commentRows": [2, 5]}),
        ({"header": False}, {"header": False}),
    ],
)
def test_a_dialect_is_read_in_either_form_and_published_in_the_data_package_s(descriptor, expected):
    assert Dialect.from_descriptor(descriptor).to_descriptor() == expected


@pytest.mark.parametrize(
    "descriptor, words",
    [
        ({"headerRows": [0]}, "headerRows must list row numbers from 1"),
        ({"headerRows": [3, 2]}, "headerRows must list rows in order"),
        ({"delimiter": ";;"}, "delimiter must be one character"),
        ({"header": "no"}, "header must be true or false"),
        ({"excel": {"sheet": 0}}, "sheet is a sheet's name, or its number from 1"),
        ("semicolons", "A dialect must be a JSON object"),
    ],
)
def test_a_wrong_dialect_is_refused_naming_what_is_wrong(descriptor, words):
    with pytest.raises(Invalid, match=words) as refused:
        Dialect.from_descriptor(descriptor)
    assert refused.value.field == "dialect"


def test_several_header_rows_are_joined_as_frictionless_joins_them(tmp_path):
    path = tmp_path / "two-headers.csv"
    path.write_text("Spend,Spend,Supplier\nnet,vat,\n1,2,Acme\n", encoding="utf-8")
    for descriptor in ({"headerRows": [1, 2]}, {"headerRows": [1, 2], "headerJoin": "_"}):
        with read_table(path, "csv", Dialect.from_descriptor(descriptor)) as (labels, rows):
            data = list(rows)
        dialect = FrictionlessDialect.from_descriptor(descriptor)
        with system.use_context(trusted=True), Resource(str(path), dialect=dialect) as theirs:
            assert labels == theirs.labels
            assert data == [["1", "2", "Acme"]]


@pytest.mark.parametrize(
    "lines, header_row",
    [
        (["City of York Council", "", "Period: April 2026", "a,b,c", "1,2,3"], 4),
        (["Spend,,", "a,b,c", "1,2,3", "4,5,6"], 2),
        (["a,b,c", "1,2,3"], 1),
        (["1,2,3", "4,5,6"], 1),  # no header at all: nothing to move to
        (["only one column", "1", "2"], 1),
        (["name,,notes", "Acme,York,on time"], 1),  # a blank label is not a title row
    ],
)
def test_the_header_is_found_under_title_rows(tmp_path, lines, header_row):
    path = tmp_path / "file.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert detect_header_row([line.split(",") for line in lines]) == header_row
    expected = {"headerRows": [header_row]} if header_row > 1 else {}
    assert detect_dialect(path, "csv").to_descriptor() == expected


def test_an_upload_with_title_rows_keeps_the_dialect_that_skips_them(catalogue, session):
    dataset = catalogue.dataset("spend", files={"spend.csv": YORK})
    version = dataset.resources[0].latest
    assert version.dialect == {"headerRows": [4]}
    assert version.column_names == ["body_name", "date", "supplier_name", "net_amount"]
    assert version.cleared and version.data_table.row_count == 2
    assert version.data_table.report["valid"]
    path = catalogue.store.path_for(version.sha256)
    shown = preview(path, "csv", dialect=Dialect.from_descriptor(version.dialect))
    assert shown.header == ["body_name", "date", "supplier_name", "net_amount"]
    assert shown.rows[1][2] == "Ainsty Children's Homes Ltd"


def test_the_quick_pass_gives_way_to_the_exact_pass_for_a_dialect_it_cannot_read(tmp_path):
    path = tmp_path / "spend.csv"
    path.write_bytes(YORK)
    titled = Dialect.from_descriptor({"headerRows": [4]})
    assert quick_check(path, "csv", YORK_SCHEMA, dialect=titled) is None
    plain = tmp_path / "plain.csv"
    plain.write_text("a;b\n'x;y';1\n'z';2\n", encoding="utf-8")
    schema = {"fields": [{"name": "a", "type": "string"}, {"name": "b", "type": "integer"}]}
    quoted = Dialect.from_descriptor({"delimiter": ";", "quoteChar": "'"})
    checked = quick_check(plain, "csv", schema, dialect=quoted)
    assert checked is not None and checked.valid and checked.rows == 2


def test_a_missing_sheet_is_refused_naming_the_sheets_there_are(tmp_path):
    book = Workbook()
    book.active.title = "About"
    book.create_sheet("Data")
    path = tmp_path / "book.xlsx"
    book.save(path)
    with (
        pytest.raises(Invalid, match="no sheet named 'Spend'; its sheets are 'About', 'Data'"),
        read_table(path, "xlsx", Dialect(sheet="Spend")),
    ):
        pass


def _york_package(folder: Path) -> Path:
    folder.mkdir()
    (folder / "spend.csv").write_bytes(YORK)
    package = {
        "name": "spend-over-500",
        "title": "Spend over £500",
        "organisation": "children-education",
        "resources": [
            {
                "name": "spend",
                "title": "Spend, April 2026",
                "path": "spend.csv",
                "format": "csv",
                "dialect": {"headerRows": [4]},
                "schema": YORK_SCHEMA,
            }
        ],
    }
    (folder / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    return folder


def test_a_package_s_dialect_is_honoured_as_frictionless_honours_it(catalogue, session, tmp_path):
    folder = _york_package(tmp_path / "package")
    with system.use_context(trusted=True):
        assert validate(str(folder / "datapackage.json")).valid
    dataset = load_package(session, store=catalogue.store, actor=ACTOR, folder=folder)
    catalogue.saved()
    version = dataset.resources[0].latest
    assert version.dialect == {"headerRows": [4]}
    assert version.data_table.error_count == 0 and version.cleared
    assert version.data_table.row_count == 2


def test_a_wrong_dialect_in_a_package_is_refused_before_anything_is_written(
    catalogue, session, tmp_path
):
    folder = _york_package(tmp_path / "package")
    package = json.loads((folder / "datapackage.json").read_text())
    package["resources"][0]["dialect"] = {"headerRows": "4"}
    (folder / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    with pytest.raises(Invalid, match="spend.csv: The dialect's headerRows") as refused:
        load_package(session, store=catalogue.store, actor=ACTOR, folder=folder)
    assert refused.value.field == "dialect"


def test_the_data_package_publishes_each_file_s_dialect_for_frictionless(
    catalogue, session, tmp_path
):
    book = Workbook()
    book.active.append(["About this file"])
    data = book.create_sheet("Data")
    data.append(["Spend over £500"])
    data.append(["supplier", "amount"])
    data.append(["Acme", 12.5])
    buffer = io.BytesIO()
    book.save(buffer)
    dataset = catalogue.dataset("spend", files={"spend.csv": YORK})
    resource_create(
        session,
        store=catalogue.store,
        actor=ACTOR,
        dataset=dataset,
        title="Spend workbook",
        upload=Upload(io.BytesIO(buffer.getvalue()), "spend.xlsx"),
        dialect={"sheetName": "Data", "headerRows": [2]},
    )
    catalogue.saved()
    package = datapackage_for(
        public_view(dataset),
        store=catalogue.store,
        homepage="https://data.york.gov.uk/datasets/spend",
        download_url=lambda resource, version: version.filename,
    )
    csv_file, workbook = package["resources"]
    assert csv_file["dialect"] == {"headerRows": [4]}
    assert workbook["dialect"] == {
        "headerRows": [2],
        "sheetName": "Data",
        "excel": {"sheet": "Data"},
    }
    (tmp_path / "spend.csv").write_bytes(YORK)
    (tmp_path / "spend.xlsx").write_bytes(buffer.getvalue())
    (tmp_path / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    with system.use_context(trusted=True):
        report = validate(str(tmp_path / "datapackage.json"))
        assert report.valid, report.flatten(["type", "note"])
        rows = Package(str(tmp_path / "datapackage.json")).resources[1].read_rows()
    assert [dict(row) for row in rows] == [{"supplier": "Acme", "amount": 12.5}]


def test_moving_the_header_works_the_columns_out_again(catalogue, session):
    dataset = catalogue.dataset("spend", files={"spend.csv": YORK}, publish=False)
    version = dataset.resources[0].latest
    version_header_set(session, store=catalogue.store, actor=ACTOR, version=version, header_row=3)
    catalogue.saved()
    assert version.dialect == {"headerRows": [3]}
    assert version.column_names == ["Spend over £500", "April 2026"]
    version_header_set(session, store=catalogue.store, actor=ACTOR, version=version, header_row=1)
    catalogue.saved()
    assert version.dialect is None
    assert version.column_names == ["City of York Council"]
