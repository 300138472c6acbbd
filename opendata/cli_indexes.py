"""What `opendata init` and `opendata worker` do as they start for the large tables whose later
indexes a restart stopped (see `catalog.tables.datastore.later_indexes`)."""

from __future__ import annotations

import click
from flask import current_app

from catalog.tables.datastore.later_indexes import resume


def resume_index_builds() -> None:
    """Build again, each in a process of its own, the indexes still waiting."""
    with current_app.extensions["catalog"]["sessions"]() as session:
        resumed = resume(session)
    if resumed:
        click.echo(f"Building the indexes still waiting for {resumed} large tables.")
