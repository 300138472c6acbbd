"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from catalog.db import Base


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
