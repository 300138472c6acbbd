"""A quarterly upload to a dataset meeting a Transparency Code requirement is checked against the
requirement's schema, names of private individuals included, before it can be published."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog.errors import Invalid
from catalog.publishing.known_issues import accept_known_issues
from catalog.publishing.readiness import blocking_files
from catalog.publishing.requirements import REQUIREMENTS, requirement_set
from catalog.publishing.resources import INFER
from catalog.tables.reading import read_table
from catalog.tables.redaction import looks_like_a_person, people_in
from catalog.tables.reports import grouped
from catalog.tables.schemas import SCHEMAS, load_schema
from catalog.tables.validation import check_table
from tests.conftest import ACTOR

DATA = Path(__file__).resolve().parents[2] / "data" / "transparency"
DEMO = Path(__file__).resolve().parents[3] / "catalog" / "demo" / "packages"


def upload(catalogue, filename: str, *, key="spend-over-500", table_schema=None):
    dataset = catalogue.dataset("spend-over-500-2026-27", publish=False)
    requirement_set(catalogue.session, actor=ACTOR, dataset=dataset, key=key)
    resource = catalogue.add_file(
        dataset,
        filename,
        (DATA / filename).read_bytes(),
        title="Spend over £500, October to December 2026",
        table_schema=table_schema,
    )
    return resource.latest


def messages(version) -> list[str]:
    return [error["message"] for error in version.data_table.report["tasks"][0]["errors"]]


def test_every_requirement_for_data_has_its_schema_and_the_constitution_none():
    tabular = {requirement.schema for requirement in REQUIREMENTS if requirement.tabular}
    assert tabular <= {path.stem for path in SCHEMAS.glob("*.json")}
    assert [r.key for r in REQUIREMENTS if r.schema is None] == ["constitution"]


def test_a_good_quarterly_file_passes_the_requirements_schema(catalogue):
    version = upload(catalogue, "spend-2026-27-q3.csv")
    assert version.table_schema["name"] == "spend-over-500"
    assert version.data_table.error_count == 0 and version.cleared
    assert version.data_table.row_count == 5


def test_bad_values_are_reported_by_row_and_column_and_block_the_release(catalogue):
    version = upload(catalogue, "spend-2026-27-q3-bad-values.csv")
    assert not version.cleared
    assert messages(version) == [
        "Row 3, column \u201cdate\u201d: \u201c14/10/2026\u201d is not a date written as "
        "YYYY-MM-DD, such as 2024-03-31.",
        "Row 4, column \u201cbody\u201d: \u201cYork\u201d does not match the pattern "
        "E(0[6-9]|10)[0-9]{6}.",
        "Row 4, column \u201cnet_amount\u201d: \u201cseven hundred\u201d is not a number, such "
        "as 1234.56.",
        "Row 5, column \u201cexpense_area\u201d: this cell is empty, but a value is required.",
    ]
    assert blocking_files(version.resource.dataset) == [
        "Spend over £500, October to December 2026 has 4 errors. Upload a corrected file, or "
        "record why it can be published with its known issues."
    ]


def test_the_requirements_schema_is_used_even_when_asked_to_work_columns_out(catalogue):
    version = upload(catalogue, "spend-2026-27-q3-own-columns.csv", table_schema=INFER)
    assert version.table_schema["name"] == "spend-over-500"
    assert not version.cleared
    assert messages(version)[0] == (
        "Column 1 is headed \u201cdate\u201d but the schema calls it \u201cbody_name\u201d."
    )


def test_choosing_another_schema_for_a_requirement_dataset_is_refused(catalogue):
    with pytest.raises(Invalid, match="checked against the Spend over £500 schema") as refused:
        upload(
            catalogue,
            "spend-2026-27-q3.csv",
            table_schema=load_schema("procurement-card-transactions"),
        )
    assert refused.value.field == "schema"


def test_private_individuals_names_are_errors_that_a_note_alone_never_releases(catalogue):
    version = upload(catalogue, "spend-2026-27-q3-unredacted.csv")
    assert not version.cleared
    assert messages(version) == [
        "Row 3, column \u201csupplier_name\u201d: \u201cMr J Smith\u201d looks like a private "
        "individual\u2019s name. Replace it with \u201cRedacted - personal data\u201d, or, if it "
        "is not a person, ask an admin who did not upload the file to confirm so.",
        "Row 4, column \u201csupplier_name\u201d: \u201cMrs A Jones\u201d looks like a private "
        "individual\u2019s name. Replace it with \u201cRedacted - personal data\u201d, or, if it "
        "is not a person, ask an admin who did not upload the file to confirm so.",
    ]
    [group] = grouped(version.data_table.report)
    assert (group.heading, group.count) == (
        "Names of private individuals that should be redacted",
        2,
    )
    with pytest.raises(Invalid) as refused:
        accept_known_issues(
            catalogue.session,
            actor=ACTOR,
            version=version,
            note="Both are sole traders paid for respite care, named with their consent.",
        )
    assert refused.value.field == "note" and "2 cells look like" in refused.value.message
    assert not version.cleared and version.issues_note == ""


@pytest.mark.parametrize(
    "cell",
    ["Mr J Smith", "Mrs A Jones", "MRS ANN JONES", "Dr. K. L. Patel", "Miss E Brown", "J Smith",
     "Smith, John", "Mx Sam O'Neill"],
)  # fmt: skip
def test_names_of_people_are_spotted(cell):
    assert looks_like_a_person(cell)


@pytest.mark.parametrize(
    "cell",
    ["Redacted - personal data", "J Smith & Sons Ltd", "Dr Foster Associates", "Acme Ltd",
     "Mr Fixit Building Services", "LNER", "FTE", "York Citizens Advice Bureau and Trust",
     "Lord Mayor's Walk Surgery", ""],
)  # fmt: skip
def test_organisations_named_after_people_are_not(cell):
    assert not looks_like_a_person(cell)


def test_a_column_is_searched_once_and_only_people_are_listed():
    cells = ["Acme Ltd", "Mr J Smith", None, "Foss Valley Cleaning Ltd", "  Mrs A Jones  "]
    assert people_in(cells) == [1, 4]
    assert people_in(["Acme Ltd", "Bootham Digital Ltd"]) == []


def test_a_column_without_the_redaction_rule_is_not_checked():
    schema = {"fields": [{"name": "supplier", "type": "string"}]}
    checked = check_table(["supplier"], iter([["Mr J Smith"]]), schema)
    assert checked.valid
    marked = {"fields": [{"name": "supplier", "type": "string", "redaction": "Withheld"}]}
    checked = check_table(["supplier"], iter([["Mr J Smith"]]), marked)
    assert [finding.message for finding in checked.errors] == [
        "Row 2, column \u201csupplier\u201d: \u201cMr J Smith\u201d looks like a private "
        "individual\u2019s name. Replace it with \u201cWithheld\u201d, or, if it is not a "
        "person, ask an admin who did not upload the file to confirm so."
    ]


def demo_files():
    """Every CSV, current and previous, of every demo dataset marked with a requirement."""
    for folder in sorted(DEMO.iterdir()):
        descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        key = descriptor.get("transparency_requirement")
        for resource in descriptor["resources"] if key else []:
            older = [version["path"] for version in resource.get("previous_versions", [])]
            for path in [resource["path"], *older] if resource["format"] == "csv" else []:
                yield pytest.param(key, folder / path, id=f"{folder.name}/{path}")


@pytest.mark.parametrize(("key", "path"), list(demo_files()))
def test_every_demo_transparency_file_passes_its_requirements_schema(key, path):
    with read_table(path, "csv") as (labels, rows):
        checked = check_table(labels, rows, load_schema(key))
    assert checked.valid, [finding.message for finding in checked.errors[:5]]
