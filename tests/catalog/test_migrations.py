"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from uuid import UUID

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from catalog.db import Base, make_engine
from catalog.migrate import upgrade


def test_migrations_produce_the_models(app):
    engine = app.extensions["catalog"]["engine"]
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
        tables = set(inspect(connection).get_table_names())
    assert differences == []
    expected = {"organisation", "topic", "tag", "licence", "dataset", "resource"}
    assert expected | {"resource_version", "activity", "alembic_version"} <= tables


def test_init_is_safe_to_run_again(runner):
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0
    assert "up to date" in result.output


def test_upgrading_a_catalogue_in_use_keeps_every_row(tmp_path):
    """SQLite rebuilds a table to alter it; the rebuild must not cascade into child tables."""
    engine = make_engine(f"sqlite:///{tmp_path / 'catalogue.sqlite'}")
    upgrade(engine, "0003")
    with engine.begin() as connection:
        for statement in [
            "INSERT INTO organisation (id, name, title, description) VALUES (1, 'o', 'O', '')",
            "INSERT INTO topic (id, name, title, description) VALUES (1, 't', 'T', '')",
            "INSERT INTO licence (id, title, url, attribution) VALUES ('L', 'L', 'u', '')",
            "INSERT INTO dataset (id, name, title, description, organisation_id, licence_id,"
            " state, created_at, modified_at) VALUES ('d', 'd', 'D', '', 1, 'L', 'published',"
            " '2024-01-01', '2024-01-01')",
            "INSERT INTO dataset_topic (dataset_id, topic_id) VALUES ('d', 1)",
            "INSERT INTO resource (id, dataset_id, title, description, format, position,"
            " created_at, modified_at) VALUES ('r', 'd', 'R', '', 'csv', 0, '2024-01-01',"
            " '2024-01-01')",
            "INSERT INTO resource_version (resource_id, number, sha256, size, media_type,"
            " filename, note, created_at, created_by) VALUES ('r', 1, 'x', 1, 'text/csv',"
            " 'r.csv', '', '2024-01-01', 'me')",
        ]:
            connection.exec_driver_sql(statement)
    upgrade(engine)
    with engine.connect() as connection:
        counts = {
            table: connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()
            for table in ("dataset", "dataset_topic", "resource", "resource_version")
        }
        foreign_keys = connection.exec_driver_sql("PRAGMA foreign_keys").scalar()
    assert counts == {"dataset": 1, "dataset_topic": 1, "resource": 1, "resource_version": 1}
    assert foreign_keys == 1


def test_organisations_topics_and_tags_made_before_uuids_are_given_one_each(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'catalogue.sqlite'}")
    upgrade(engine, "0011")
    with engine.begin() as connection:
        for table in ("organisation", "topic"):
            for number in (1, 2):
                connection.exec_driver_sql(
                    f"INSERT INTO {table} (id, name, title, description)"
                    f" VALUES ({number}, '{table}-{number}', 'T', '')"
                )
        connection.exec_driver_sql("INSERT INTO tag (id, name) VALUES (7, 'schools')")
    upgrade(engine)
    with engine.connect() as connection:
        found = {
            table: dict(connection.exec_driver_sql(f"SELECT id, uuid FROM {table}").all())
            for table in ("organisation", "topic", "tag")
        }
    uuids = [value for rows in found.values() for value in rows.values()]
    assert {table: sorted(rows) for table, rows in found.items()} == {
        "organisation": [1, 2],
        "topic": [1, 2],
        "tag": [7],
    }
    assert all(str(UUID(value)) == value for value in uuids)
    assert len(set(uuids)) == len(uuids)
