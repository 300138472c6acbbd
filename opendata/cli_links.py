"""`opendata links check`: check every linked resource still answers, for cron.

Each result goes into the activity log; the public page of a link shows the latest one."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from catalog.permissions import Actor
from catalog.publishing.link_checker import links_check
from catalog.transactions import all_or_nothing

CHECKER = Actor.system("link checker")


@click.group("links")
def links_group() -> None:
    """Linked resources: files listed here but hosted elsewhere."""


@links_group.command("check")
@with_appcontext
def check_command() -> None:
    """Fetch every linked file's address (safely) and record whether it works."""
    rules = current_app.config["SETTINGS"].link_rules
    with current_app.extensions["catalog"]["sessions"]() as session, all_or_nothing(session):
        results = links_check(session, actor=CHECKER, rules=rules)
    for resource, found in results:
        click.echo(f"{found.status:6}  {resource.link_url}  {found.reason}")
    broken = sum(1 for _, found in results if not found.ok)
    click.echo(f"Checked {len(results)} links: {broken} broken.")


def init_app(app: Flask) -> None:
    app.cli.add_command(links_group)
