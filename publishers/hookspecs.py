"""The publisher hooks: the whole plugin surface, one signature each.

A publishing run reads a batch from a source, passes it through every `opendata_transform`,
asks every `opendata_check` for problems, and only then writes to the catalogue; after a
release that changed something it calls every `opendata_after_release`. Built-in plugins
(the KPI Machine source, disclosure control, the release log) implement these exactly as an
installed package does through the `opendata.publishers` entry point group.
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("opendata")
hookimpl = pluggy.HookimplMarker("opendata")


@hookspec
def opendata_sources(config):
    """Where data comes from. Called whenever sources are listed or looked up by name; return a
    list of `publishers.sources.Source` objects (or an empty list). `config` is a SourceConfig."""


@hookspec
def opendata_transform(source, batch):
    """Before checks and before anything is written, once per run, each plugin in turn with the
    batch the previous one left. Return a changed `Batch`, or None to keep it (changing it in
    place is fine). Disclosure control suppresses small counts here."""


@hookspec
def opendata_check(source, batch):
    """After every transform and before anything is written. Return a list of
    `publishers.batches.Problem`; one blocking problem vetoes the run and nothing is written."""


@hookspec(firstresult=True)
def opendata_release_time(source, batch):
    """Before writing: when the release should become public. The first plugin to answer with a
    naive UTC datetime wins (an embargo, such as 09:30 on the next working day); None means now."""


@hookspec
def opendata_after_release(source, release_summary):
    """After a run has released something to the public, now or at a scheduled time (never
    after a dry run, a veto, a failure, or a run whose changes only went for review), with its
    `RunSummary`. For notifications; an error here is recorded but undoes nothing."""
