"""Every tabular upload is checked and loaded; only a cleared version is ever public."""

from __future__ import annotations

import io
from datetime import date

from sqlalchemy import text

from catalog.models import TableStatus
from catalog.publishing.resources import Upload, version_add
from catalog.tables.checks import check_version
from catalog.tables.datastore.engine import datastore_at, datastore_for
from catalog.tables.datastore.loading import TableWriter, new_table_name
from catalog.tables.datastore.tables import columns_for
from catalog.visibility import latest_public, version_is_public
from tests.conftest import ACTOR

GOOD = b"ward,count\nGuildhall,12\nMicklegate,7\n"
BAD = b"ward,count\nGuildhall,12\nMicklegate,seven\n"


def test_a_valid_upload_is_loaded_into_a_typed_table_and_cleared(catalogue, session):
    dataset = catalogue.dataset("ward-counts", files={"counts.csv": GOOD})
    version = dataset.resources[0].latest
    table = version.data_table
    assert table.status == TableStatus.LOADED and table.error_count == 0
    assert version.cleared and version_is_public(version)
    assert [c["name"] for c in table.columns] == ["ward", "count"]
    datastore = datastore_for(session)
    with datastore.engine.connect() as connection:
        name = f'{datastore.schema}."{table.table_name}"' if datastore.schema else table.table_name
        rows = connection.execute(text(f"SELECT _row, c0, c1 FROM {name} ORDER BY _row")).all()
    assert [tuple(row) for row in rows] == [(2, "Guildhall", 12), (3, "Micklegate", 7)]
    assert table.report["valid"] is True and table.report["tasks"][0]["stats"]["rows"] == 2


def test_a_correction_with_errors_stays_hidden_until_its_issues_are_noted(catalogue, session):
    dataset = catalogue.dataset("ward-counts", files={"counts.csv": GOOD})
    resource = dataset.resources[0]
    schema = resource.latest.table_schema
    bad = version_add(
        session,
        store=catalogue.store,
        actor=ACTOR,
        resource=resource,
        upload=Upload(io.BytesIO(BAD), "counts.csv"),
        table_schema=schema,
        note="Corrected Micklegate",
    )
    assert bad.data_table.status == TableStatus.LOADED
    assert bad.data_table.error_count == 1 and not bad.cleared
    assert latest_public(resource).number == 1
    error = bad.data_table.report["tasks"][0]["errors"][0]
    assert (error["type"], error["rowNumber"], error["fieldName"]) == ("type-error", 3, "count")


def test_an_unreadable_file_fails_its_check_and_leaves_no_table(catalogue, session):
    dataset = catalogue.dataset("ward-counts", files={"counts.csv": GOOD})
    resource = dataset.resources[0]
    datastore = datastore_for(session)
    tables_before = datastore.table_names()
    broken = version_add(
        session,
        store=catalogue.store,
        actor=ACTOR,
        resource=resource,
        upload=Upload(io.BytesIO(b"ward,count\n" + b'"' + b"x" * 100 + b"\n"), "counts.csv"),
        table_schema=resource.latest.table_schema,
        check_now=False,
    )
    assert broken.data_table.status == TableStatus.QUEUED and not broken.cleared
    broken.table_schema = {"fields": [{"name": "ward", "type": "string"}], "primaryKey": "nope"}
    session.commit()
    table = check_version(session, catalogue.store, broken)
    assert table.status == TableStatus.FAILED
    assert "primary key" in table.failure
    [error] = table.report["tasks"][0]["errors"]
    assert (error["type"], error["message"]) == ("schema-error", table.failure)
    assert not broken.cleared and latest_public(resource).number == 1
    tables_after = datastore.table_names()
    assert tables_after == tables_before


def test_checking_again_replaces_the_table_only_when_the_new_one_is_complete(catalogue, session):
    dataset = catalogue.dataset("ward-counts", files={"counts.csv": GOOD})
    version = dataset.resources[0].latest
    first = version.data_table.table_name
    check_version(session, catalogue.store, version)
    second = version.data_table.table_name
    assert second != first and version.data_table.status == TableStatus.LOADED
    datastore = datastore_for(session)
    assert {first, second} <= datastore.table_names()  # the first is served until the commit
    catalogue.saved()
    names = datastore.table_names()
    assert second in names and first not in names


def test_a_check_inside_a_unit_that_rolls_back_leaves_the_served_table(catalogue, session):
    dataset = catalogue.dataset("ward-counts", files={"counts.csv": GOOD})
    version = dataset.resources[0].latest
    served = version.data_table.table_name
    check_version(session, catalogue.store, version)
    loaded = version.data_table.table_name
    session.rollback()
    assert version.data_table.table_name == served
    names = datastore_for(session).table_names()
    assert served in names and loaded not in names


def test_an_excel_workbook_is_checked_and_loaded_like_a_csv(catalogue, session):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["ward", "count", "counted_on"])
    sheet.append(["Guildhall", 12, date(2024, 4, 1)])
    sheet.append(["Micklegate", "seven", date(2024, 4, 2)])
    buffer = io.BytesIO()
    book.save(buffer)
    dataset = catalogue.dataset("ward-counts", files={"counts.xlsx": buffer.getvalue()})
    table = dataset.resources[0].latest.data_table
    assert table.status == TableStatus.LOADED and table.row_count == 2
    fields = dataset.resources[0].latest.table_schema["fields"]
    assert [field["name"] for field in fields] == ["ward", "count", "counted_on"]
    assert table.report["tasks"][0]["stats"]["rows"] == 2


def test_a_table_whose_indexing_fails_after_its_rows_are_committed_is_still_dropped(
    catalogue, session
):
    datastore = datastore_for(session)
    before = datastore.table_names()
    columns = columns_for(
        [{"name": "ward", "type": "string"}, {"name": "count", "type": "integer"}]
    )
    writer = TableWriter(datastore, new_table_name(99), columns)
    writer.write_rows([1, 2], [["Guildhall", "Micklegate"], [12, 7]])
    writer.commit()
    writer.index(2)
    assert datastore.table_names() == before | {writer.table.name}
    writer.discard()
    assert datastore.table_names() == before


def _served_rows(session, table) -> list[tuple]:
    datastore = datastore_for(session)
    name = f'{datastore.schema}."{table.table_name}"' if datastore.schema else table.table_name
    with datastore.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(f"SELECT * FROM {name}")).all()]


def test_a_repeat_found_only_at_the_end_is_reported_and_every_row_loaded_once(catalogue, session):
    """The quick pass learns of a repeated key only after writing every row; the exact pass
    then starts again from the top, and nothing the quick pass wrote is kept twice."""
    rows = 30_000
    body = b"".join(b"%d,Ward %d,%d\n" % (n, n, n % 97) for n in range(1, rows + 1))
    upload = b"id,ward,count\n" + body + b"17,Ward again,5\n"
    schema = {
        "fields": [
            {"name": "id", "type": "integer"},
            {"name": "ward", "type": "string"},
            {"name": "count", "type": "integer"},
        ],
        "primaryKey": ["id"],
    }
    dataset = catalogue.dataset("ward-counts", files={"counts.csv": GOOD})
    version = version_add(
        session,
        store=catalogue.store,
        actor=ACTOR,
        resource=dataset.resources[0],
        upload=Upload(io.BytesIO(upload), "counts.csv"),
        table_schema=schema,
        note="Every ward",
    )
    table = version.data_table
    assert table.status == TableStatus.LOADED and not version.cleared
    errors = table.report["tasks"][0]["errors"]
    assert [(e["type"], e["rowNumber"]) for e in errors] == [("primary-key", rows + 2)]
    loaded = _served_rows(session, table)
    assert len(loaded) == rows + 1
    assert sorted(row[0] for row in loaded) == list(range(2, rows + 3))


def _sqlite_table(tmp_path, rows: int):
    datastore = datastore_at(f"sqlite:///{tmp_path / 'catalogue.sqlite'}")
    columns = columns_for(
        [{"name": "ward", "type": "string"}, {"name": "count", "type": "integer"}]
    )
    writer = TableWriter(datastore, new_table_name(rows), columns)
    wards = ["Guildhall", "Micklegate", "Clifton", "Heworth"]
    writer.write_rows(
        list(range(2, rows + 2)), [[wards[n % 4] for n in range(rows)], [*range(rows)]]
    )
    writer.commit()
    writer.index(rows)
    return datastore, writer.table.name


def _plan_and_statistics(datastore, name: str) -> tuple[str, int]:
    with datastore.engine.connect() as connection:
        plan = connection.execute(text(f"EXPLAIN QUERY PLAN SELECT * FROM {name} WHERE c1 = 7"))
        has_stats = connection.execute(
            text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        ).scalar_one()
        stats = 0
        if has_stats:
            stats = connection.execute(
                text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = :name"), {"name": name}
            ).scalar_one()
    return " ".join(row[-1] for row in plan), stats


def test_a_small_sqlite_table_is_served_by_its_indexes_without_statistics(tmp_path):
    """SQLite's ANALYZE reloads every table's statistics, so it is kept for large tables: a
    council's thousands of small tables would otherwise make each new upload slower."""
    small, small_name = _sqlite_table(tmp_path, 200)
    plan, stats = _plan_and_statistics(small, small_name)
    assert stats == 0 and f"USING INDEX ix_{small_name}_c1" in plan
    large, large_name = _sqlite_table(tmp_path, 10_000)
    plan, stats = _plan_and_statistics(large, large_name)
    assert stats > 0 and f"USING INDEX ix_{large_name}_c1" in plan
