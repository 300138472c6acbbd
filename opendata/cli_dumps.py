"""`opendata dump`: remake the bulk dumps of the public catalogue, for cron.

Visitors never need it (a dump that could be out of date is remade when asked for); running it
nightly only keeps the first download of the day fast."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from opendata.web.dumps import make_dumps


@click.command("dump")
@with_appcontext
def dump_command() -> None:
    """Write the public catalogue as JSON Lines and as a zip of Data Packages."""
    with current_app.extensions["catalog"]["sessions"]() as session:
        manifest = make_dumps(session)
    click.echo(f"{manifest.datasets} public datasets dumped into the file store:")
    for name, found in manifest.files.items():
        click.echo(f"  {name}  {found.size} bytes  sha256 {found.sha256}")


def init_app(app: Flask) -> None:
    app.cli.add_command(dump_command)
