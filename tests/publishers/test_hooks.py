"""Every hook, as a plugin author uses it; and a test that fails when a hook has no test.

Each hook's tests are named `test_hook_<hook name>...`, so a new hook without one is caught
(as in Datasette's test suite).
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from catalog.models import Dataset
from publishers import hookspecs
from publishers.batches import Batch, Problem
from publishers.hookspecs import hookimpl
from publishers.manager import BUILT_IN, plugin_names
from publishers.sources import Source, SourceConfig, all_sources, find_source
from tests.pages import heading, parse_page
from tests.publishers.conftest import counts, looked_after

HOOKS = sorted(name for name in dir(hookspecs) if name.startswith("opendata_"))


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_a_test(hook):
    tests = "".join(path.read_text() for path in Path(__file__).parent.glob("test_*.py"))
    assert f"def test_hook_{hook}" in tests, f"The {hook} hook has no test_hook_{hook}... test."


def test_built_in_plugins_are_registered_like_any_other(pm):
    assert set(BUILT_IN) <= set(plugin_names(pm))
    for name in BUILT_IN:
        assert pm.get_plugin(name).__name__ == name


@pytest.fixture
def filled(kpi_store):
    looked_after(kpi_store)
    return kpi_store


class OneSeries(Source):
    name, title = "test-source", "Test source"

    def __init__(self, batch: Batch) -> None:
        self.batch = batch

    def read(self) -> Batch:
        return self.batch


class Offers:
    def __init__(self, *sources) -> None:
        self.sources = list(sources)

    @hookimpl
    def opendata_sources(self, config):
        return self.sources


def test_hook_opendata_sources(pm, tmp_path, filled, source, run, client):
    config = SourceConfig(instance=tmp_path)
    assert list(all_sources(pm, config)) == ["kpi-machine"]
    extra = OneSeries(source.read())
    pm.register(Offers(extra), "offers")
    assert find_source(pm, config, "test-source") is extra
    summary = run(find_source(pm, config, "test-source"))
    assert summary.status == "done" and client.get("/indicators/CLA01").status_code == 200
    pm.register(Offers(OneSeries(Batch())), "offers-again")
    with pytest.raises(ValueError, match="Two plugins offer a source called 'test-source'"):
        all_sources(pm, config)


class Retitles:
    @hookimpl
    def opendata_transform(self, source, batch):
        for series in batch.series:
            series.indicator.title = f"{series.indicator.title} (York)"
        return None  # changed in place


class Drops:
    @hookimpl(tryfirst=True)
    def opendata_transform(self, batch):  # a plugin may ask for fewer arguments
        return Batch([s for s in batch.series if s.ref != "CLA01c"])


def test_hook_opendata_transform(pm, filled, run, client):
    pm.register(Retitles(), "retitles")
    pm.register(Drops(), "drops")
    summary = run()
    assert [o.ref for o in summary.indicators] == ["CLA01", "CLA01a", "CLA01b"]
    assert heading(parse_page(client.get("/indicators/CLA01"))) == "Children looked after (York)"
    # Disclosure control ran last, on the batch the others left: CLA01b was the next smallest.
    assert summary.indicators[2].suppressed == ["2017/18 Q2"]


class ReturnsJunk:
    @hookimpl
    def opendata_transform(self, source, batch):
        return ["not", "a", "batch"]


def test_hook_opendata_transform_must_return_a_batch(pm, filled, run, places):
    pm.register(ReturnsJunk(), "junk")
    summary = run()
    assert summary.status == "failed" and "'junk' did not return a Batch" in summary.error
    assert counts(places.session)["indicators"] == 0


class Objects:
    def __init__(self, blocking: bool) -> None:
        self.blocking = blocking

    @hookimpl
    def opendata_check(self, source, batch):
        return [Problem("needs-sign-off", "CLA01 needs sign-off.", "CLA01", None, self.blocking)]


def test_hook_opendata_check_vetoes_the_run(pm, filled, run, places):
    pm.register(Objects(blocking=True), "objects")
    summary = run()
    assert summary.status == "refused" and [p.code for p in summary.problems] == ["needs-sign-off"]
    assert counts(places.session)["indicators"] == 0
    assert "refused by checks" in summary.headline()


def test_hook_opendata_check_warnings_do_not_stop_it(pm, filled, run):
    pm.register(Objects(blocking=False), "warns")
    summary = run()
    assert summary.status == "done" and summary.problems[0].code == "needs-sign-off"


class Undoes:
    """A careless transform that runs after disclosure control and puts a figure back."""

    @hookimpl(trylast=True)
    def opendata_transform(self, source, batch):
        observation = batch.find("CLA01a").observations[1]
        observation.value, observation.symbol = 3, None


def test_hook_opendata_check_built_in_disclosure_vetoes_what_a_transform_undid(pm, filled, run):
    pm.register(Undoes(), "undoes")
    summary = run()
    assert summary.status == "refused"
    assert {p.code for p in summary.problems} == {
        "disclosure-small-count",
        "disclosure-total-reveals",
    }


class Embargo:
    def __init__(self, at: datetime) -> None:
        self.at = at

    @hookimpl
    def opendata_release_time(self, source, batch):
        return self.at


class NoOpinion:
    @hookimpl(tryfirst=True)
    def opendata_release_time(self, source, batch):
        return None


def test_hook_opendata_release_time(pm, filled, run, client, places):
    pm.register(Embargo(datetime(2099, 4, 1, 9, 30)), "later")
    pm.register(Embargo(datetime(2098, 4, 1, 9, 30)), "sooner")  # registered last: asked first
    pm.register(NoOpinion(), "no-opinion")
    summary = run()
    assert summary.release_at == datetime(2098, 4, 1, 9, 30)
    assert client.get("/indicators/CLA01").status_code == 404  # embargoed until then
    dataset = places.session.scalar(select(Dataset).where(Dataset.name == "indicator-cla01"))
    assert dataset.published_at == datetime(2098, 4, 1, 9, 30)


class Notifies:
    def __init__(self) -> None:
        self.heard = []

    @hookimpl
    def opendata_after_release(self, source, release_summary):
        self.heard.append((source.name, release_summary.headline()))


class Broken:
    @hookimpl(tryfirst=True)
    def opendata_after_release(self, release_summary):
        raise ConnectionError("mail server down")


def test_hook_opendata_after_release(pm, filled, run, client, caplog):
    notifier = Notifies()
    pm.register(notifier, "notifies")
    pm.register(Broken(), "broken")
    with caplog.at_level(logging.INFO, logger="opendata.releases"):
        summary = run()
    assert notifier.heard == [("kpi-machine", summary.headline())]
    assert summary.notification_errors == ["broken: ConnectionError: mail server down"]
    assert summary.status == "done" and client.get("/indicators/CLA01").status_code == 200
    assert "4 indicators released" in caplog.text  # the built-in release log
    run()  # nothing new: nobody is told
    run(dry_run=True)
    assert len(notifier.heard) == 1


def test_hook_opendata_after_release_not_for_changes_that_only_went_for_review(
    pm, filled, run, admin
):
    notifier = Notifies()
    pm.register(notifier, "notifies")
    summary = run(actor=admin, auto_approve=False)
    assert summary.status == "done" and len(summary.in_review) == 4
    assert notifier.heard == []
