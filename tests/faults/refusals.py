"""A database that refuses one particular write, as a broken constraint makes it: a trigger on
the real table (SQLite or PostgreSQL) that aborts the statement with an integrity error. A test
uses it to make the second of two writes fail for real and then look for the first."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text

NAME = "refused_by_the_test"


@contextmanager
def database_refuses(engine: Engine, *, table: str, event: str, when: str) -> Iterator[None]:
    """While the block runs, `event` ("INSERT" or "UPDATE") on `table` fails whenever the SQL
    condition `when` (on NEW) holds; the trigger is gone afterwards."""
    with engine.begin() as connection:
        for statement in _create(engine.dialect.name, table, event, when):
            connection.execute(text(statement))
    try:
        yield
    finally:
        with engine.begin() as connection:
            for statement in _drop(engine.dialect.name, table):
                connection.execute(text(statement))


def _create(dialect: str, table: str, event: str, when: str) -> list[str]:
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER {NAME} BEFORE {event} ON {table} WHEN {when} "
            f"BEGIN SELECT RAISE(ABORT, '{NAME}'); END"
        ]
    return [
        f"CREATE FUNCTION {NAME}() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN RAISE EXCEPTION '{NAME}' USING ERRCODE = 'check_violation'; END $$",
        f"CREATE TRIGGER {NAME} BEFORE {event} ON {table} FOR EACH ROW WHEN ({when}) "
        f"EXECUTE FUNCTION {NAME}()",
    ]


def _drop(dialect: str, table: str) -> list[str]:
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {NAME}"]
    return [f"DROP TRIGGER IF EXISTS {NAME} ON {table}", f"DROP FUNCTION IF EXISTS {NAME}()"]
