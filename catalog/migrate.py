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
    with engine.begin() as connection:
        command.upgrade(_config(connection), revision)


def new_revision(engine: Engine, message: str) -> None:
    """Write a migration for model changes; a developer's command, reviewed before commit."""
    with engine.begin() as connection:
        command.revision(_config(connection), message=message, autogenerate=True)
