"""Publishing runs: from a source, through the hooks, into the catalogue, all or nothing.

A run reads the source's batch, passes it through every transform (disclosure control among
them) and every check, and only when no check objects writes anything. The writing goes
through the catalogue's services (create or update each indicator, record its figures,
publish it), which only flush; the run is the edge of that unit of work and commits it once,
so a failure half way leaves the catalogue as it was (`catalog.transactions`). Running again
with nothing new in the source changes nothing: no activity, no file version. A changed figure
becomes a revision with a note (the service's rule). A dry run does all of this, rules and
permissions included, and then rolls it back.

The run's record in the log is a second, small unit, committed after the notifiers have been
told of the release, so it says which of them failed; a failed run leaves only that record.
Give a run a session with nothing of its own pending: the run commits and rolls it back.
New files wait in a staging folder until the unit has committed (`publishers.staged_store`),
and the tables their checks load are dropped if it does not, so a failed run or a dry run
leaves no file, version or row behind.

An indicator the source supplied last time and no longer does (no longer approved, included or
in the store) is reported on every run while its figures stay published; it is never withdrawn
here, since taking figures down is a person's decision with a reason.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

import pluggy
from sqlalchemy.orm import Session

from catalog.clock import utcnow
from catalog.indicators.scorecard import figures_ever_released, published_figures
from catalog.indicators.series import (
    find_indicator,
    indicator_create,
    indicator_publish,
    indicator_update,
    observations_record,
    published_dataset,
)
from catalog.permissions import Actor
from catalog.storage import FileStore
from catalog.transactions import all_or_nothing
from publishers.batches import Batch, Problem, Series
from publishers.manager import call_impl, each_impl, plugin_manager
from publishers.policy import release_actor
from publishers.run_log import last_supplied, record_run
from publishers.sources import Source
from publishers.staged_store import StagedStore
from publishers.summary import (
    DONE,
    DRY_RUN,
    FAILED,
    REFUSED,
    DroppedIndicator,
    IndicatorOutcome,
    RunSummary,
)

if TYPE_CHECKING:
    from catalog.models import Indicator

log = logging.getLogger(__name__)


def publish_source(
    session: Session,
    *,
    store: FileStore,
    source: Source,
    actor: Actor | None,
    dry_run: bool = False,
    pm: pluggy.PluginManager | None = None,
    progress: Callable[[IndicatorOutcome], None] | None = None,
) -> RunSummary:
    """Run one source; return what happened. Never raises for a failed run: the error is in
    the summary and (unless a dry run) in the run log. `progress` hears of each indicator as
    it is done. It acts as the source itself only if a site administrator stored a policy
    allowing it to publish without review (`publishers.policy`); read afresh on every run."""
    pm = pm or plugin_manager()
    say = progress or (lambda _outcome: None)
    summary = RunSummary(
        source=source.name,
        source_title=source.title,
        actor=getattr(actor, "name", ""),
        dry_run=dry_run,
        started_at=utcnow(),
    )
    run_actor = actor or Actor.system(f"{source.title} source")
    try:
        run_actor = release_actor(session, source, actor)
        summary.actor = run_actor.name
        batch = source.read()
        batch.released = _released(session, store, batch)
        batch = _transformed(pm, source, batch)
        summary.dropped = _dropped(session, source, batch)
        summary.problems = [
            *batch.problems,
            *_problems(pm, source, batch),
            *_already_public(session, store, batch),
        ]
        if any(problem.blocking for problem in summary.problems):
            summary.status = REFUSED
        else:
            summary.release_at = pm.hook.opendata_release_time(source=source, batch=batch)
            _write(session, store, source, run_actor, batch, summary, say)
            summary.status = DRY_RUN if dry_run else DONE
    except Exception as error:  # a hook, the source or a service: nothing was written
        log.exception("Publishing run of %s failed", source.name)
        session.rollback()
        summary.status, summary.error = FAILED, _describe(error)
        summary.indicators = []
    summary.finished_at = utcnow()
    if summary.status == DONE and summary.published:
        _after_release(pm, source, summary)
    if not dry_run:
        with all_or_nothing(session):
            record_run(session, actor=run_actor, summary=summary)
    return summary


def _dropped(session: Session, source: Source, batch: Batch) -> list[DroppedIndicator]:
    """Published indicators the source supplied before and does not supply now."""
    supplied, gone = last_supplied(session, source.name)
    present = {series.ref for series in batch.series}
    found = []
    for ref in sorted((supplied | gone) - present):
        indicator = find_indicator(session, ref=ref)
        if indicator is None:
            continue
        dataset = published_dataset(indicator)
        if dataset is not None:
            found.append(
                DroppedIndicator(ref, indicator.title, dataset.name, dataset.id, ref not in gone)
            )
    return found


def _already_public(session: Session, store: FileStore, batch: Batch) -> list[Problem]:
    """Periods withheld now whose figure the indicator's released file already shows.
    Withholding cannot take a released file back, so a person is told and decides whether
    to withdraw it; the run goes ahead, as the new file withholds it from here on."""
    found = []
    for series in batch.series:
        indicator = find_indicator(session, ref=series.ref)
        if indicator is None or not series.suppressed:
            continue
        shown = {f.period for f in published_figures(indicator, store) if f.value is not None}
        for period in sorted(shown.intersection(series.suppressed)):
            message = (
                f"{series.ref} {period}: withheld from now on, but the file released earlier "
                "shows its figure, and withholding cannot take that back. Decide whether to "
                "withdraw the dataset."
            )
            found.append(Problem("disclosure-already-public", message, series.ref, period, False))
    return found


def _released(session: Session, store: FileStore, batch: Batch) -> dict:
    """What the released files of the batch's indicators have shown, old versions included."""
    found: dict[tuple[str, str], set[float]] = {}
    for series in batch.series:
        indicator = find_indicator(session, ref=series.ref)
        if indicator is not None:
            shown = figures_ever_released(indicator, store)
            found |= {(series.ref, period): values for period, values in shown.items()}
    return found


def _transformed(pm: pluggy.PluginManager, source: Source, batch: Batch) -> Batch:
    """Each transform gets the batch the one before it left."""
    for impl in each_impl(pm, "opendata_transform"):
        changed = call_impl(impl, source=source, batch=batch)
        if changed is not None and not isinstance(changed, Batch):
            raise TypeError(f"The transform of plugin '{impl.plugin_name}' did not return a Batch.")
        batch = changed or batch
    return batch


def _problems(pm: pluggy.PluginManager, source: Source, batch: Batch) -> list[Problem]:
    found: list[Problem] = []
    for impl in each_impl(pm, "opendata_check"):
        try:
            found.extend(call_impl(impl, source=source, batch=batch) or [])
        except Exception as error:
            raise RuntimeError(
                f"The check of plugin '{impl.plugin_name}' failed: {error}"
            ) from error
    return found


def _write(session, store, source, actor, batch, summary, say) -> None:
    """Everything or nothing: rows and release records in one unit of work, and new files
    staged until it is about to commit (the file store, like the datastore, is outside it)."""
    staged = StagedStore(store)
    try:
        with all_or_nothing(session, keep=not summary.dry_run):
            for series in batch.series:
                outcome = _write_series(session, staged, source, actor, series, summary.release_at)
                outcome.rehearsed = summary.dry_run
                summary.indicators.append(outcome)
                say(outcome)
            if not summary.dry_run:
                staged.keep()  # before the commit: see `publishers.staged_store`
    finally:
        staged.discard()


def _write_series(
    session: Session,
    store: FileStore,
    source: Source,
    actor: Actor,
    series: Series,
    at: datetime | None,
) -> IndicatorOutcome:
    outcome = IndicatorOutcome(series.ref, series.indicator.title, suppressed=series.suppressed)
    indicator = find_indicator(session, ref=series.ref)
    if indicator is None:
        indicator = indicator_create(session, actor=actor, data=series.indicator)
        outcome.created = True
    else:
        outcome.definition_changed = indicator_update(
            session, actor=actor, indicator=indicator, data=series.indicator
        )
    recorded = observations_record(
        session, actor=actor, indicator=indicator, rows=series.observations
    )
    outcome.added, outcome.revised = recorded.added, recorded.revised
    outcome.unchanged = recorded.unchanged
    if outcome.changed or indicator.dataset is None:
        before = _latest_version(indicator)
        indicator_publish(
            session,
            store=store,
            actor=actor,
            indicator=indicator,
            at=at,
            source=source.name,
        )
        outcome.new_version = _latest_version(indicator) != before
    outcome.state = str(indicator.dataset.state) if indicator.dataset else "draft"
    return outcome


def _latest_version(indicator: Indicator) -> int:
    if indicator.dataset is None or not indicator.dataset.resources:
        return 0
    latest = indicator.dataset.resources[0].latest
    return latest.number if latest else 0


def _after_release(pm: pluggy.PluginManager, source: Source, summary: RunSummary) -> None:
    """Each notifier on its own: one failing neither stops the others nor undoes the release."""
    for impl in each_impl(pm, "opendata_after_release"):
        try:
            call_impl(impl, source=source, release_summary=summary)
        except Exception as error:
            log.exception("After-release hook of %s failed", impl.plugin_name)
            summary.notification_errors.append(f"{impl.plugin_name}: {_describe(error)}")


def _describe(error: Exception) -> str:
    message = getattr(error, "message", None) or str(error) or "no message"
    return f"{type(error).__name__}: {message}"
