"""The commands of `opendata`: set up an instance, load the demo, serve, rebuild the search index;
`init_app` adds them, and those of the other `cli_*` modules, to the app.

Each command is the edge of its unit of work: the services it calls only flush, and the
command commits once when it has done everything, or nothing when it is refused
(`all_or_nothing`). The `opendata` program itself is `opendata.cli`.
"""

from __future__ import annotations

import gc

import click
from flask import Flask, current_app
from flask.cli import ScriptInfo, pass_script_info, with_appcontext
from werkzeug.serving import run_simple

from catalog.demo import load_demo
from catalog.licences import ensure_licences
from catalog.migrate import upgrade
from catalog.search.finder import reindex_all
from catalog.transactions import all_or_nothing
from opendata import cli_backup, cli_dumps, cli_links, cli_load, cli_publish, cli_users
from opendata.cli_indexes import resume_index_builds
from opendata.request_log import RedactingRequestHandler


def _catalog():
    return current_app.extensions["catalog"]


def _session():
    return _catalog()["sessions"]()


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Create or upgrade the database and the instance folder."""
    _migrate()
    click.echo(f"Instance ready in {current_app.config['SETTINGS'].instance}")


@click.group("db")
def db_group() -> None:
    """Database schema commands."""


@db_group.command("upgrade")
@with_appcontext
def db_upgrade_command() -> None:
    """Apply every migration that has not yet run."""
    _migrate()
    click.echo("Database is up to date.")


def _migrate() -> None:
    """Bring the database, and a search index made by an older version, up to date, and start
    again the index builds a restart stopped."""
    upgrade(_catalog()["engine"])
    with _session() as session, all_or_nothing(session):
        ensure_licences(session)
    resume_index_builds()
    if _catalog()["search"].rebuild_needed:
        with _session() as session, all_or_nothing(session):
            click.echo(
                f"Search index rebuilt: {reindex_all(session, _catalog()['search'])} datasets."
            )


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load the demo catalogue (York organisations, Council Plan themes, 30+ datasets)."""
    _migrate()
    with _session() as session, all_or_nothing(session):
        added = load_demo(session, store=_catalog()["store"])
    click.echo(f"Demo catalogue loaded: {added} datasets added.")
    click.echo(cli_publish.build_demo_kpi_machine())


@click.command("reindex")
@with_appcontext
def reindex_command() -> None:
    """Rebuild the search index from the database."""
    with _session() as session, all_or_nothing(session):
        count = reindex_all(session, _catalog()["search"])
    click.echo(f"Indexed {count} datasets.")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@pass_script_info
def serve_command(info: ScriptInfo, host: str, port: int) -> None:
    """Serve the site with the built-in threaded server (use gunicorn in production)."""
    app = info.load_app()
    gc.freeze()
    run_simple(host, port, app, threaded=True, request_handler=RedactingRequestHandler)


def init_app(app: Flask) -> None:
    commands = (init_command, db_group, demo_command, reindex_command, serve_command)
    for command in commands:
        app.cli.add_command(command)
    cli_load.init_app(app)
    cli_users.init_app(app)
    cli_publish.init_app(app)
    cli_dumps.init_app(app)
    cli_backup.init_app(app)
    cli_links.init_app(app)
