"""Database schema changes, through Alembic, for `opendata init` and `opendata db upgrade`."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def _config(connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations. On SQLite a table change rebuilds the table, and dropping the old copy
    would cascade into every child table, so foreign keys are off while migrating and checked
    after; a migration that leaves a broken reference is rolled back."""
    with engine.connect() as connection:
        if revision == "head" and _current(connection) == head_revision():
            return
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                command.upgrade(_config(connection), revision)
                if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
                    raise RuntimeError("The migration left rows pointing at missing rows.")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


@cache
def head_revision() -> str | None:
    """The newest migration; reading the scripts costs more than checking the database."""
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def out_of_step(engine: Engine) -> str | None:
    """The database's revision when it is not the newest this code has (None when it is), so a
    failing query can be put down to an upgrade not yet run rather than to a fault."""
    with engine.connect() as connection:
        current = _current(connection)
    return None if current == head_revision() else (current or "none")


def _current(connection) -> str | None:
    revision = MigrationContext.configure(connection).get_current_revision()
    connection.rollback()
    return revision


def new_revision(engine: Engine, message: str) -> None:
    """Write a migration for model changes; a developer's command, reviewed before commit."""
    with engine.begin() as connection:
        command.revision(_config(connection), message=message, autogenerate=True)
