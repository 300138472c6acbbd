"""`opendata load` says what each file's check found, holds back only what it is told to, and
writes nothing at all when it fails, so the same command can run again once a file is fixed."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from catalog.models import Dataset, DatasetState, DataTable, ResourceVersion
from catalog.tables.datastore import indexes
from catalog.tables.datastore.engine import datastore_for
from tests.pages import heading, parse_page

BAD_AMOUNTS = {5: "TBC", 18: "n/a", 40: "see note"}  # data row: cell


def _spend(rows: int = 60, bad: dict[int, str] | None = None) -> tuple[str, Decimal]:
    """Spend with money as a finance system writes it, and the sum of the good amounts."""
    bad = BAD_AMOUNTS if bad is None else bad
    lines, total = ["Date,Supplier,Amount"], Decimal(0)
    for row in range(1, rows + 1):
        pounds = Decimal((row * 7919) % 900_000 + 50_000) / 100
        total += 0 if row in bad else pounds
        amount = bad.get(row) or f"£{pounds:,.2f}"
        lines.append(f'2026-04-{row % 28 + 1:02d},Supplier {row % 7},"{amount}"')
    return "\n".join(lines) + "\n", total


def _package(folder, files: dict[str, str | bytes], **changes):
    """A data package folder as a publisher writes one; each file a resource, its columns
    worked out from the file."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    descriptor = {
        "name": "spend-2026-27",
        "title": "Spend 2026/27",
        "organisation": "children-education",
        "resources": [
            {"name": name.split(".")[0], "path": name, "title": f"File {name}"} for name in files
        ],
        **changes,
    }
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    return folder


@pytest.fixture
def written(app, session):
    """Everything a load could leave behind: rows, stored files and loaded tables."""

    def now():
        session.expire_all()
        store = app.config["SETTINGS"].store_path
        return (
            session.scalar(select(func.count(Dataset.id))),
            session.scalar(select(func.count(ResourceVersion.id))),
            sorted(str(path) for path in store.rglob("*") if path.is_file()),
            datastore_for(session).table_names(),
        )

    return now


def _held_lines(output: str) -> list[str]:
    return [line.strip() for line in output.splitlines() if "Held back" in line]


def test_a_held_file_fails_the_load_and_nothing_is_written(runner, catalogue, written, tmp_path):
    content, _total = _spend()
    before = written()
    result = runner.invoke(args=["load", str(_package(tmp_path / "pkg", {"spend.csv": content}))])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "spend.csv: 60 rows checked, 3 errors, 0 warnings" in lines
    assert any(
        line.strip().startswith("Values of the wrong type: 3 (first: Row 6") for line in lines
    )
    assert "Nothing was loaded: 1 file did not pass its check (spend.csv)" in result.output
    assert "--allow-held" in result.output
    assert written() == before


def test_allowing_held_files_keeps_them_back_with_their_report_address(
    runner, client, catalogue, session, tmp_path
):
    content, total = _spend()
    good = "Ward,Count\nGuildhall,12\nMicklegate,7\n"
    package = _package(tmp_path / "pkg", {"spend.csv": content, "wards.csv": good})
    result = runner.invoke(args=["load", "--allow-held", str(package)])
    assert result.exit_code == 0, result.output
    assert "wards.csv: 2 rows loaded, 0 errors, 0 warnings" in result.output.splitlines()
    dataset = session.scalar(select(Dataset))
    spend = dataset.resources[0].latest
    address = (
        f"http://127.0.0.1:5000/publish/datasets/spend-2026-27/files/{spend.resource_id}"
        "/versions/1/report"
    )
    assert _held_lines(result.output) == [
        f"Held back, not public until fixed or accepted: {address}"
    ]
    assert "Loaded spend-2026-27 with 2 files." in result.output
    assert dataset.state == DatasetState.PUBLISHED
    assert client.get("/datasets/spend-2026-27").status_code == 200
    table = spend.data_table
    datastore = datastore_for(session)
    name = f'{datastore.schema}."{table.table_name}"' if datastore.schema else table.table_name
    with datastore.engine.connect() as connection:
        count, summed = connection.execute(text(f"SELECT COUNT(*), SUM(c2) FROM {name}")).one()
    assert (count, round(Decimal(str(summed)), 2)) == (60, total)


def test_a_dataset_with_no_public_file_is_never_published(
    runner, client, catalogue, session, tmp_path
):
    content, _total = _spend()
    package = _package(tmp_path / "pkg", {"spend.csv": content})
    result = runner.invoke(args=["load", "--allow-held", str(package)])
    assert result.exit_code == 0, result.output
    assert "as a draft: none of its files passed its check" in result.output
    assert session.scalar(select(Dataset.state)) == DatasetState.DRAFT
    assert client.get("/datasets/spend-2026-27").status_code == 404


def test_a_package_without_an_organisation_says_to_name_one(runner, catalogue, written, tmp_path):
    content, _total = _spend(bad={})
    package = _package(tmp_path / "pkg", {"spend.csv": content}, organisation="")
    before = written()
    result = runner.invoke(args=["load", str(package)])
    assert result.exit_code == 1
    assert "names no organisation" in result.output and "--organisation NAME" in result.output
    assert written() == before
    named = runner.invoke(args=["load", "--organisation", "children-education", str(package)])
    assert named.exit_code == 0, named.output


@pytest.mark.parametrize(
    "broken, message",
    [
        ({"spend.xlsx": b"not a workbook"}, "spend.xlsx"),
        ({"spend.csv": None}, "The resource file 'spend.csv' is not in"),
        ({"spend.csv": "x" * 5000}, "larger than the 4,096 byte limit"),
    ],
    ids=["bad file", "missing file", "too large"],
)
def test_a_failed_load_writes_nothing_and_can_simply_run_again(
    app, runner, catalogue, written, tmp_path, broken, message
):
    app.config["SETTINGS"] = replace(app.config["SETTINGS"], max_load_bytes=4096)
    content, _total = _spend(bad={})
    files = {"first.csv": content, **{k: v for k, v in broken.items() if v is not None}}
    package = _package(tmp_path / "pkg", files)
    if None in broken.values():
        descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
        descriptor["resources"].append({"name": "spend", "path": "spend.csv"})
        (package / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    before = written()
    failed = runner.invoke(args=["load", str(package)])
    assert failed.exit_code == 1
    assert message in failed.output
    assert written() == before

    fixed = _package(tmp_path / "pkg", {"first.csv": content})
    again = runner.invoke(args=["load", str(fixed)])
    assert again.exit_code == 0, again.output
    assert "Loaded spend-2026-27 with 1 files." in again.output


def test_a_local_load_is_not_bound_by_the_web_upload_limit(
    app, runner, client, catalogue, tmp_path
):
    app.config["SETTINGS"] = replace(app.config["SETTINGS"], max_upload_bytes=100)
    content, _total = _spend(bad={})
    result = runner.invoke(args=["load", str(_package(tmp_path / "pkg", {"spend.csv": content}))])
    assert result.exit_code == 0, result.output
    assert heading(parse_page(client.get("/datasets/spend-2026-27"))).startswith("Spend 2026/27")


def test_a_large_file_shows_its_progress_and_gets_its_indexes_after(
    runner, catalogue, session, tmp_path
):
    rows = 150_000
    body = "".join(f"2026-04-{n % 28 + 1:02d},Supplier {n % 7},{n}.50\n" for n in range(rows))
    package = _package(tmp_path / "pkg", {"big.csv": "Date,Supplier,Amount\n" + body})
    result = runner.invoke(args=["load", str(package)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Checking big.csv (4.")
    assert f"big.csv: {rows:,} rows loaded, 0 errors, 0 warnings" in result.output
    # Served before its indexes: they are built by a process the command leaves behind.
    assert "Its other columns' indexes are being built in the background" in result.output
    table = session.scalars(select(DataTable)).one()
    assert all(column["indexed"] or column["indexing"] for column in table.columns)
    assert all(column["indexed"] for column in _once_indexed(session, table.version_id))


def test_a_large_held_file_fails_the_load_and_leaves_no_index_to_build(
    runner, catalogue, written, tmp_path, monkeypatch
):
    monkeypatch.setattr(indexes, "LATER_FROM_ROWS", 10)
    content, _total = _spend()
    before = written()
    result = runner.invoke(args=["load", str(_package(tmp_path / "pkg", {"spend.csv": content}))])
    assert result.exit_code == 1
    assert "spend.csv: 60 rows checked, 3 errors, 0 warnings" in result.output.splitlines()
    assert written() == before


def _once_indexed(session, version_id: int) -> list[dict]:
    """The table's columns once the process building its indexes has recorded the last."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        session.expire_all()
        columns = session.get(DataTable, version_id).columns
        if not any(column.get("indexing") for column in columns):
            return columns
        time.sleep(0.1)
    raise AssertionError("The table's indexes were not all built.")
