"""`opendata load`: a Frictionless Data Package folder becomes a dataset, all or nothing.

Every table is checked as it loads, and the command says what each check found: rows loaded,
errors and warnings by kind. A file whose check it did not pass is held back (not public until
its errors are fixed or accepted on the site). Unless `--allow-held` accepts that, a held file
makes the load fail, and a load that fails writes nothing: no dataset, no stored file, no
loaded table, so the same command can simply run again once the files are fixed. The files go
to a staging folder of the store (`publishers.staged_store`) and move in only after the commit.
A local load has its own size limit (OPENDATA_MAX_LOAD_BYTES), not the web upload's.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import Flask, current_app, url_for
from flask.cli import with_appcontext

from catalog.errors import CatalogError
from catalog.models import Dataset, DatasetState, DataTable, ResourceVersion, TableStatus
from catalog.permissions import Actor
from catalog.publishing.packages import load_package
from catalog.tables.reports import grouped
from catalog.transactions import all_or_nothing
from opendata.database import get_store
from publishers.staged_store import StagedStore

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar

CLI_ACTOR = Actor.system("command line")
PROGRESS_BYTES = 4 * 1024 * 1024  # a file this large shows a progress bar as it is checked
SAMPLE_BYTES = 1024 * 1024
HINTS = {"organisation": "Name one with --organisation NAME."}
LATER_INDEXES = (
    "Its other columns' indexes are being built in the background: sorting by them will be "
    "quick in a moment, and answers correctly meanwhile."
)


@click.command("load")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--organisation", help="Publish under this organisation (its URL name).")
@click.option("--draft", is_flag=True, help="Keep the dataset as a draft instead of publishing.")
@click.option(
    "--allow-held",
    is_flag=True,
    help="Load even when a file fails its check: it is held back, not public, until its "
    "errors are fixed or accepted on the site.",
)
@with_appcontext
def load_command(path: Path, organisation: str | None, draft: bool, allow_held: bool) -> None:
    """Import a Frictionless Data Package folder (datapackage.json and its files) as a dataset."""
    settings = current_app.config["SETTINGS"]
    store = StagedStore(get_store(), max_bytes=settings.max_load_bytes)
    bars = _Bars()
    try:
        with current_app.extensions["catalog"]["sessions"]() as session, all_or_nothing(session):
            try:
                dataset = load_package(
                    session,
                    store=store,
                    actor=CLI_ACTOR,
                    folder=path,
                    organisation=organisation,
                    publish=not draft,
                    link_rules=settings.link_rules,
                    watch=bars.watch,
                )
            except CatalogError as error:
                raise click.ClickException(_refusal(error)) from error
            finally:
                bars.close()
            held = _held(dataset)
            _tell(dataset, written=allow_held or not held)
            if held and not allow_held:
                one = len(held) == 1
                raise click.ClickException(
                    f"Nothing was loaded: {_files(len(held))} did not pass "
                    f"{'its' if one else 'their'} check ({', '.join(held)}). Fix "
                    f"{'it' if one else 'them'} and load again, or load with --allow-held to "
                    f"hold {'it' if one else 'them'} back for review on the site."
                )
            _tell_dataset(dataset, draft=draft)
            store.keep()  # before the commit: see `publishers.staged_store`
    finally:
        store.discard()


def _refusal(error: CatalogError) -> str:
    where = f" ({error.field})" if error.field else ""
    hint = HINTS.get(error.field or "")
    return f"{error.message}{where}" + (f" {hint}" if hint else "")


def _held(dataset: Dataset) -> list[str]:
    """The files held back: tables that did not pass their check."""
    return [
        version.filename
        for resource in dataset.resources
        for version in resource.versions
        if not version.cleared
    ]


def _tell(dataset: Dataset, *, written: bool) -> None:
    """Say what each file's check found, and where the report of each file held back is."""
    for resource in dataset.resources:
        if resource.link_url is not None:
            click.echo(f"{resource.title}: a link to {resource.link_url}")
        for version in resource.versions:
            table = version.data_table
            if table is None:
                click.echo(f"{version.filename}: stored ({_size(version.size)}), not a table")
                continue
            click.echo(f"{version.filename}: {_outcome(table, written)}")
            for line in _kinds(table):
                click.echo(f"  {line}")
            if written and any(column.get("indexing") for column in table.columns):
                click.echo(f"  {LATER_INDEXES}")
            if written and not version.cleared:
                click.echo(f"  Held back, not public until fixed or accepted: {_report(version)}")


def _outcome(table: DataTable, written: bool) -> str:
    if table.status != TableStatus.LOADED:
        return f"could not be checked: {table.failure}"
    return (
        f"{table.row_count:,} rows {'loaded' if written else 'checked'}, "
        f"{_count(table.error_count, 'error')}, "
        f"{_count(table.warning_count, 'warning')}"
    )


def _kinds(table: DataTable) -> list[str]:
    """Each kind of error with its count and the first one found; then the warnings."""
    if table.report is None:
        return []
    lines = [
        f"{group.heading}: {group.count:,} (first: {group.lines[0].message})"
        for group in grouped(table.report)
    ]
    if table.warning_count:
        lines.append(f"Cells a spreadsheet could run as a formula: {table.warning_count:,}")
    return lines


def _report(version: ResourceVersion) -> str:
    """The staff address of a held file's report (a held file has no public one)."""
    settings = current_app.config["SETTINGS"]
    with current_app.test_request_context(base_url=settings.base_url):
        return url_for(
            "checks.staff_report",
            name=version.resource.dataset.name,
            resource_id=version.resource_id,
            number=version.number,
            _external=True,
        )


def _tell_dataset(dataset: Dataset, *, draft: bool) -> None:
    files = len(dataset.resources)
    if draft:
        click.echo(f"Loaded {dataset.name} with {files} files, as a draft.")
    elif dataset.state == DatasetState.PUBLISHED:
        click.echo(f"Loaded {dataset.name} with {files} files.")
    else:
        click.echo(
            f"Loaded {dataset.name} with {files} files, as a draft: none of its files passed "
            "its check, and a dataset is published only with a public file."
        )


class _Bars:
    """A progress bar, with rows a second and the time left, for each large file checked."""

    def __init__(self) -> None:
        self.bar: ProgressBar[str | None] | None = None

    def watch(self, path: Path) -> Callable[[int], None] | None:
        self.close()
        size = path.stat().st_size
        if size < PROGRESS_BYTES:
            return None
        if path.suffix.lower() == ".xlsx":  # compressed: its size tells nothing of its rows
            click.echo(f"Checking {path.name} ({_size(size)})...")
            return None
        bar: ProgressBar[str | None] = click.progressbar(
            length=_rows_guessed(path, size),
            label=f"Checking {path.name} ({_size(size)})",
            show_eta=True,
            item_show_func=lambda rate: rate,
        )
        self.bar = bar.__enter__()
        started, seen = time.monotonic(), 0

        def rows_read(rows: int) -> None:
            nonlocal seen
            bar.length = max(bar.length or 0, rows + 1)
            rate = rows / max(time.monotonic() - started, 1e-6)
            bar.update(rows - seen, f"{rows:,} rows, {rate:,.0f} rows/s")
            seen = rows

        return rows_read

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _rows_guessed(path: Path, size: int) -> int:
    """About how many rows a file holds, from the lines in its first megabyte."""
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    return max(1, round(size * max(sample.count(b"\n"), 1) / max(len(sample), 1)))


def _size(size: int) -> str:
    return f"{size / 1024**2:,.1f} MB" if size >= 1024**2 else f"{size:,} bytes"


def _count(number: int, word: str) -> str:
    return f"{number:,} {word}{'' if number == 1 else 's'}"


def _files(number: int) -> str:
    return "1 file" if number == 1 else f"{number} files"


def init_app(app: Flask) -> None:
    app.cli.add_command(load_command)
