"""Database schema changes, through Alembic, for `opendata init` and `opendata db upgrade`."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
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


def new_revision(engine: Engine, message: str) -> None:
    """Write a migration for model changes; a developer's command, reviewed before commit."""
    with engine.begin() as connection:
        command.revision(_config(connection), message=message, autogenerate=True)
