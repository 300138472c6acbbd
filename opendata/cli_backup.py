"""`opendata backup` and `opendata restore`: the whole instance (database, files, datastore)
in one archive, and back into an empty instance."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from catalog.distribution.backup import backup_instance, restore_instance
from catalog.errors import CatalogError
from catalog.migrate import upgrade


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Write the catalogue database, the file store and the datastore to one archive."""
    catalog = current_app.extensions["catalog"]
    try:
        manifest = backup_instance(catalog["engine"], catalog["store"], path)
    except CatalogError as error:
        raise click.ClickException(error.message) from error
    rows = sum(table["rows"] for table in manifest["tables"].values())
    click.echo(f"Backed up {rows} rows and {len(manifest['files'])} files to {path}.")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace everything in an instance with content.")
@with_appcontext
def restore_command(path: Path, force: bool) -> None:
    """Restore a backup into this (empty) instance, then rebuild its search index."""
    catalog = current_app.extensions["catalog"]
    upgrade(catalog["engine"])
    try:
        restored = restore_instance(
            catalog["sessions"], catalog["store"], catalog["search"], path, replace=force
        )
    except CatalogError as error:
        raise click.ClickException(error.message) from error
    click.echo(
        f"Restored {restored.datasets} datasets ({restored.rows} rows) and "
        f"{restored.files} files; {restored.tables_reloaded} datastore tables reloaded; "
        "search index rebuilt."
    )


def init_app(app: Flask) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
