"""`opendata publish`, `opendata sources` and `opendata worker`: publishing runs from the shell.

A run goes through `publishers.runs.publish_source`, the same path a scheduled job takes. A
source publishes without review only if a site administrator allowed it with
`opendata sources policy SOURCE --auto-approve`; otherwise the run needs `--as EMAIL`, a
person's account, and its new indicators go for review.
"""

from __future__ import annotations

import os

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from catalog.accounts.source_policies import get_policy, policy_set, who_and_when
from catalog.accounts.users import actor_for, find_account
from catalog.errors import CatalogError, NotAllowed
from catalog.permissions import Actor
from catalog.transactions import all_or_nothing
from opendata.background import enqueue_job
from opendata.cli_indexes import resume_index_builds
from publishers.demo_store import build_demo_store
from publishers.jobs import JobQueue
from publishers.kpi_store import store_url
from publishers.manager import plugin_manager
from publishers.policy import release_actor
from publishers.run_log import recent_runs
from publishers.runs import publish_source
from publishers.sources import SourceConfig, all_sources, find_source
from publishers.summary import DroppedIndicator, IndicatorOutcome

DEMO_SOURCE = "kpi-machine"
ROW_PROBLEM = "row-"  # the code of every problem with a row of a source
DEMO_ACTOR = Actor.system("demo loader")
REVIEW = "Needs --as EMAIL; new indicators go for review"


def _catalog():
    return current_app.extensions["catalog"]


def _config() -> SourceConfig:
    return SourceConfig(instance=current_app.config["SETTINGS"].instance, environ=os.environ)


def _refuse(error: CatalogError) -> click.ClickException:
    return click.ClickException(error.message)


@click.command("publish")
@click.argument("source_name", metavar="SOURCE")
@click.option("--dry-run", is_flag=True, help="Show what would change, and write nothing.")
@click.option("--as", "account_email", metavar="EMAIL", help="Run as this publisher's account.")
@click.option("--background", is_flag=True, help="Hand the run to the job queue.")
@with_appcontext
def publish_command(source_name: str, dry_run: bool, account_email: str | None, background):
    """Publish a source's approved figures (see `opendata sources`)."""
    if background:
        ticket = enqueue_job(publish_job, source_name, dry_run=dry_run, account_email=account_email)
        if ticket.queued:
            click.echo(f"Queued as job {ticket.id}; an `opendata worker` will run it.")
            return
        _report(ticket.result, progress_shown=False)
        return
    pm = plugin_manager()
    with _catalog()["sessions"]() as session:
        try:
            source = find_source(pm, _config(), source_name)
            actor = _account_actor(session, account_email)
            run_as = release_actor(session, source, actor).name
        except CatalogError as error:
            raise _refuse(error) from error
        doing = "Dry run (nothing will be written) of" if dry_run else "Publishing"
        click.echo(f"{doing} {source.title} as {run_as}:")
        summary = publish_source(
            session,
            store=_catalog()["store"],
            source=source,
            actor=actor,
            dry_run=dry_run,
            pm=pm,
            progress=_show,
        )
    _report(summary.as_dict(), progress_shown=True)


def publish_job(source_name: str, *, dry_run: bool = False, account_email: str | None = None):
    """A publishing run as a background job (`opendata.background.enqueue_job`); returns the
    run summary as plain data. The run commits at its own edge."""
    pm = plugin_manager()
    with _catalog()["sessions"]() as session:
        source = find_source(pm, _config(), source_name)
        actor = _account_actor(session, account_email)
        summary = publish_source(
            session, store=_catalog()["store"], source=source, actor=actor, dry_run=dry_run, pm=pm
        )
    return summary.as_dict()


def _account_actor(session, email: str | None):
    return actor_for(find_account(session, email)) if email else None


def _show(outcome: IndicatorOutcome) -> None:
    click.echo(f"  {outcome.line()}")
    for detail in outcome.details():
        click.echo(f"      {detail}")


def _report(summary: dict, *, progress_shown: bool) -> None:
    """Per indicator (unless shown as it happened): what was, or would be, added, revised and
    left unchanged; then the problems, indicators no longer in the store, any notifier that
    failed, and the headline. A run that
    failed or was refused exits with status 1."""
    if not progress_shown:
        for data in summary["indicators"]:
            _show(IndicatorOutcome(**data))
    rows = [p for p in summary["problems"] if p["code"].startswith(ROW_PROBLEM)]
    if rows:
        click.echo(
            f"{len(rows)} row{'s' if len(rows) != 1 else ''} of the store need correcting "
            "before anything can be published (indicator | period as written | value | what "
            "is wrong):"
        )
        for problem in rows:
            where = [problem["ref"] or "", problem["period"] or "-", problem["value"] or "-"]
            click.echo(f"  {' | '.join(where)} | {problem['message']}")
    for problem in summary["problems"]:
        if problem in rows:
            continue
        kind = "Problem" if problem["blocking"] else "Warning"
        click.echo(f"{kind} [{problem['code']}]: {problem['message']}")
    for dropped in summary["dropped"]:
        click.echo(f"Warning: {DroppedIndicator(**dropped).line()}")
    for failure in summary["notification_errors"]:
        click.echo(f"A notifier failed after the release (the release stands): {failure}")
    click.echo(summary["headline"])
    if summary["status"] not in ("done", "dry_run"):
        raise SystemExit(1)


@click.group("sources", invoke_without_command=True)
@with_appcontext
@click.pass_context
def sources_command(ctx: click.Context) -> None:
    """List the publisher sources, how each may publish, and its last run."""
    if ctx.invoked_subcommand is not None:
        return
    with _catalog()["sessions"]() as session:
        for name, source in all_sources(plugin_manager(), _config()).items():
            click.echo(f"{name}: {source.title}. {source.description}")
            click.echo(f"  {_policy_line(get_policy(session, name), name)}")
            runs = recent_runs(session, name, limit=1)
            if runs:
                last = runs[0]
                click.echo(f"  Last run {last.occurred_at:%Y-%m-%d %H:%M} UTC: {last.summary}")
            else:
                click.echo("  Never run.")


def _policy_line(policy, name: str) -> str:
    if policy is None:
        return (
            f"{REVIEW} (no policy set: a site administrator can allow it with "
            f"`opendata sources policy {name} --auto-approve`)."
        )
    rule = "Publishes without review" if policy.auto_approve else REVIEW
    return f"{rule} ({who_and_when(policy)}): {policy.reason}"


@sources_command.command("policy")
@click.argument("source_name", metavar="SOURCE")
@click.option(
    "--auto-approve/--review",
    "auto_approve",
    default=None,
    help="Publish without review, or send new indicators for review (the default).",
)
@click.option("--reason", required=True, help="Why: kept with the policy and in the log.")
@click.option(
    "--as", "account_email", required=True, metavar="ADMIN_EMAIL", help="A site administrator."
)
@with_appcontext
def source_policy_command(
    source_name: str, auto_approve: bool | None, reason: str, account_email: str
) -> None:
    """Decide whether a source publishes without review (site administrators only)."""
    if auto_approve is None:
        raise click.UsageError("Choose --auto-approve or --review.")
    with _catalog()["sessions"]() as session, all_or_nothing(session):
        try:
            source = find_source(plugin_manager(), _config(), source_name)
            account = find_account(session, account_email)
            if not account.active:
                raise NotAllowed(f"The account {account.email} is deactivated.")
            policy = policy_set(
                session,
                actor=actor_for(account),
                source=source.name,
                auto_approve=auto_approve,
                reason=reason,
            )
        except CatalogError as error:
            raise _refuse(error) from error
        line = _policy_line(policy, source.name)
    click.echo(f"{source.name}: {line}")
    click.echo("The new policy applies from the next run.")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
@with_appcontext
def worker_command(burst: bool) -> None:
    """Run background jobs: an RQ worker on Redis when OPENDATA_REDIS_URL is set."""
    resume_index_builds()
    queue = JobQueue.from_environ()
    if queue.in_process:
        click.echo(
            "OPENDATA_REDIS_URL is not set, so there is no queue to work: jobs run in-process, "
            "inside the command that starts them (such as `opendata publish kpi-machine "
            "--background`). Set OPENDATA_REDIS_URL=redis://host:6379/0 to run them on workers."
        )
        return
    click.echo(f"Working the '{queue.name}' queue{' until it is empty' if burst else ''}.")
    queue.worker().work(burst=burst)


def build_demo_kpi_machine() -> str:
    """Build the demo KPI Machine database (for `opendata demo`); say what was done."""
    url = store_url(current_app.config["SETTINGS"].instance)
    added = build_demo_store(url)
    allowed = _allow_demo_source()
    if not added:
        return "KPI Machine demo database already present." + allowed
    return (
        f"KPI Machine demo database built with {added} indicators: try `opendata sources`."
        + allowed
    )


def _allow_demo_source() -> str:
    """The demo's made-up figures may publish without review, so `opendata publish
    kpi-machine` shows a release at once; a policy an administrator set is left alone."""
    with _catalog()["sessions"]() as session, all_or_nothing(session):
        if get_policy(session, DEMO_SOURCE) is not None:
            return ""
        policy_set(
            session,
            actor=DEMO_ACTOR,
            source=DEMO_SOURCE,
            auto_approve=True,
            reason="Demo figures, made up: the demo shows a release without review.",
        )
    return (
        f" The demo lets {DEMO_SOURCE} publish without review "
        f"(`opendata sources policy {DEMO_SOURCE} --review` to change it)."
    )


def init_app(app: Flask) -> None:
    for command in (publish_command, sources_command, worker_command):
        app.cli.add_command(command)
