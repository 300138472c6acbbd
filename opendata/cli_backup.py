"""`opendata backup` and `opendata restore`: the whole instance (database, files, datastore)
in one archive, and back into an empty instance. The archive is a local path or an object in
S3-compatible storage (`s3://bucket/key`)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from catalog.distribution.backup import backup_instance, restore_instance
from catalog.errors import CatalogError
from catalog.migrate import upgrade
from catalog.storage.archives import archive_to_read, archive_to_write


@click.command("backup")
@click.argument("path")
@with_appcontext
def backup_command(path: str) -> None:
    """Write the catalogue database, the file store and the datastore to one archive at PATH
    (a file, or s3://bucket/key)."""
    catalog = current_app.extensions["catalog"]
    try:
        with archive_to_write(path, scratch=_scratch()) as archive:
            manifest = backup_instance(catalog["engine"], catalog["store"], archive)
    except CatalogError as error:
        raise click.ClickException(error.message) from error
    rows = sum(table["rows"] for table in manifest["tables"].values())
    click.echo(f"Backed up {rows} rows and {len(manifest['files'])} files to {path}.")


@click.command("restore")
@click.argument("path")
@click.option("--force", is_flag=True, help="Replace everything in an instance with content.")
@with_appcontext
def restore_command(path: str, force: bool) -> None:
    """Restore the backup at PATH (a file, or s3://bucket/key) into this (empty) instance,
    then rebuild its search index."""
    catalog = current_app.extensions["catalog"]
    upgrade(catalog["engine"])
    try:
        with archive_to_read(path, scratch=_scratch()) as archive:
            restored = restore_instance(
                catalog["sessions"], catalog["store"], catalog["search"], archive, replace=force
            )
    except CatalogError as error:
        raise click.ClickException(error.message) from error
    click.echo(
        f"Restored {restored.datasets} datasets ({restored.rows} rows) and "
        f"{restored.files} files; {restored.tables_reloaded} datastore tables reloaded; "
        "search index rebuilt."
    )


def _scratch() -> Path:
    scratch: Path = current_app.config["SETTINGS"].scratch_path
    return scratch


def init_app(app: Flask) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
