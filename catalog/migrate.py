"""Database schema changes, through Alembic, for `opendata init` and `opendata db upgrade`.

Alembic is imported by the functions that use it: every command imports this module, and
Alembic took 0.1 to 0.3 s of each one's start, though only `init`, `restore` and a fault
that might be an upgrade not yet run need it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def _config(connection) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations. On SQLite a table change rebuilds the table, and dropping the old copy
    would cascade into every child table, so foreign keys are off while migrating and checked
    after; a migration that leaves a broken reference is rolled back."""
    from alembic import command

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
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def out_of_step(engine: Engine) -> str | None:
    """The database's revision when it is not the newest this code has (None when it is), so a
    failing query can be put down to an upgrade not yet run rather than to a fault."""
    with engine.connect() as connection:
        current = _current(connection)
    return None if current == head_revision() else (current or "none")


def _current(connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    revision = MigrationContext.configure(connection).get_current_revision()
    connection.rollback()
    return revision


def new_revision(engine: Engine, message: str) -> None:
    """Write a migration for model changes; a developer's command, reviewed before commit."""
    from alembic import command

    with engine.begin() as connection:
        command.revision(_config(connection), message=message, autogenerate=True)
