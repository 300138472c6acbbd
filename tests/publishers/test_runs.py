"""Publishing runs as an administrator sees them: all or nothing, idempotent, revisions with
notes, dry runs that write nothing, and review unless auto-approval was allowed."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from catalog.models import Activity, Dataset, Indicator, Release
from catalog.search import SearchQuery
from publishers.batches import Batch, Series
from publishers.hookspecs import hookimpl
from publishers.kpi_store import KpiIndicator
from publishers.run_log import recent_runs
from publishers.sources import Source
from tests.pages import heading, mentions, parse_page
from tests.publishers.conftest import counts, looked_after, stored_files


@pytest.fixture
def filled(kpi_store):
    looked_after(kpi_store)
    return kpi_store


def test_running_twice_publishes_nothing_new(run, filled, places, client):
    first = run()
    assert first.status == "done" and first.changed
    assert [o.ref for o in first.published] == ["CLA01", "CLA01a", "CLA01b", "CLA01c"]
    before, files = counts(places.session), stored_files(places)
    second = run()
    assert second.status == "done" and not second.changed
    assert all(o.unchanged and not o.new_version for o in second.indicators)
    after = counts(places.session)
    assert after == before | {"activity": before["activity"] + 1}  # only the run's own record
    assert stored_files(places) == files
    assert "nothing new" in second.headline()


def test_a_changed_approved_figure_becomes_a_revision_with_a_note(run, filled, places, client):
    run()
    filled.change("CLA01c", "Q3 2017/18", value=190)
    filled.change("CLA01", "Q3 2017/18", value=212)
    summary = run()
    revised = {o.ref: o.revised for o in summary.indicators if o.revised}
    assert revised == {"CLA01": ["2017/18 Q3"], "CLA01c": ["2017/18 Q3"]}
    assert all(o.new_version for o in summary.indicators if o.revised)
    rows = client.get("/api/indicators/CLA01c").get_json()["observations"]
    q3 = [row for row in rows if row["period"] == "2017/18 Q3"][0]
    assert q3["value"] == 190 and q3["status"] == "revised"
    assert "Revised from 192.0 to 190.0" in q3["note"]
    dataset = places.session.scalar(select(Dataset).where(Dataset.name == "indicator-cla01c"))
    assert [v.note for v in dataset.resources[0].versions] == ["", "Observations updated"]


def test_a_figure_revised_below_five_is_withheld_without_repeating_it(run, filled, client):
    run()
    filled.change("CLA01a", "Q1 2017/18", value=2)
    summary = run()
    outcome = [o for o in summary.indicators if o.ref == "CLA01a"][0]
    assert outcome.revised == ["2017/18 Q1"] and "2017/18 Q1" in outcome.suppressed
    rows = client.get("/api/indicators/CLA01a").get_json()["observations"]
    q1 = [row for row in rows if row["period"] == "2017/18 Q1"][0]
    assert (q1["value"], q1["symbol"], q1["status"]) == (None, "[c]", "revised")
    assert "2" not in q1["note"].replace("2017", "")


class Exploding:
    """A plugin that fails at one stage of the run."""

    def __init__(self, stage: str) -> None:
        self.stage = stage

    @hookimpl
    def opendata_transform(self, source, batch):
        if self.stage == "transform":
            raise RuntimeError("transform exploded")

    @hookimpl
    def opendata_check(self, source, batch):
        if self.stage == "check":
            raise RuntimeError("check exploded")
        return []


class HalfGood(Source):
    """A source whose third indicator names a theme the catalogue does not have, so the
    services refuse it after two indicators have been created and published."""

    name, title = "test-source", "Test source"

    def __init__(self, good: Batch) -> None:
        self.good = good

    def read(self) -> Batch:
        bad = Series(indicator=self.good.series[0].indicator, observations=[])
        bad.indicator = type(bad.indicator)(**{**vars(bad.indicator), "ref": "BAD1"})
        bad.indicator.theme = "no-such-theme"
        bad.observations = list(self.good.series[0].observations)
        return Batch([*self.good.series[:2], bad])


@pytest.mark.parametrize("stage", ["transform", "check", "services"])
def test_a_failure_anywhere_leaves_the_catalogue_unchanged(
    run, filled, source, places, pm, client, stage
):
    before, files = counts(places.session), stored_files(places)
    if stage == "services":
        summary = run(HalfGood(source.read()))
        assert "no theme called 'no-such-theme'" in summary.error
    else:
        pm.register(Exploding(stage), "exploding")
        summary = run()
        assert f"{stage} exploded" in summary.error
        assert stored_files(places) == files
    assert summary.status == "failed" and summary.indicators == []
    after = counts(places.session)
    assert after == before | {"activity": before["activity"] + 1}  # the failure is recorded
    assert after["indicators"] == after["datasets"] == after["versions"] == 0
    assert places.search.search(SearchQuery(text="looked", include_unpublished=True)).total == 0
    assert client.get("/indicators/CLA01").status_code == 404


def test_a_dry_run_writes_nothing(run, filled, places, client):
    before, files = counts(places.session), stored_files(places)
    summary = run(dry_run=True)
    assert summary.status == "dry_run" and summary.changed
    assert {o.ref: len(o.added) for o in summary.indicators} == dict.fromkeys(
        ["CLA01", "CLA01a", "CLA01b", "CLA01c"], 3
    )
    assert counts(places.session) == before
    assert stored_files(places) == files
    assert client.get("/indicators/CLA01").status_code == 404
    assert not mentions(parse_page(client.get("/datasets?q=looked")), "Children looked after")


def test_without_auto_approval_an_account_run_sends_new_indicators_for_review(
    run, filled, places, admin, client
):
    summary = run(actor=admin, auto_approve=False)
    assert summary.status == "done" and summary.actor == "Ann Admin"
    assert {o.state for o in summary.indicators} == {"in_review"}
    assert client.get("/indicators/CLA01").status_code == 404
    assert places.session.scalars(select(Release)).all() == []
    assert summary.headline().endswith("0 indicators released, 4 awaiting review.")


def test_without_auto_approval_a_system_actor_is_refused_and_the_refusal_recorded(
    run, filled, places
):
    summary = run(auto_approve=False)
    assert summary.status == "failed" and "may not publish without review" in summary.error
    assert counts(places.session)["indicators"] == 0
    [logged] = recent_runs(places.session, "kpi-machine")
    assert logged.action == "publishing.failed" and "without review" in logged.summary


def test_an_allowed_source_releases_as_itself_and_says_so(run, filled, places, client):
    summary = run()
    assert summary.actor == "KPI Machine source, allowed by test publisher"
    releases = places.session.scalars(select(Release)).all()
    assert {r.source for r in releases} == {"kpi-machine"}
    assert {r.approved_by for r in releases} == {
        "KPI Machine source, allowed by test publisher (no review: trusted source)"
    }
    assert client.get("/indicators/CLA01").status_code == 200
    assert places.search.search(SearchQuery(text="looked")).total == 1
    [logged] = recent_runs(places.session, "kpi-machine")
    assert logged.actor == summary.actor and logged.after["status"] == "done"
    assert logged.after["indicators"][1]["suppressed"] == ["2017/18 Q2"]


def test_a_changed_definition_updates_the_indicator(run, filled, places, client):
    run()
    filled_title = "Children looked after at the end of the quarter"
    with filled.engine.begin() as connection:
        connection.execute(
            update(KpiIndicator).where(KpiIndicator.ref == "CLA01").values(title=filled_title)
        )
    summary = run()
    [changed] = [o for o in summary.indicators if o.changed]
    assert changed.ref == "CLA01" and changed.definition_changed and not changed.added
    places.session.expire_all()
    indicator = places.session.scalar(select(Indicator).where(Indicator.ref == "CLA01"))
    assert indicator.title == filled_title
    assert heading(parse_page(client.get("/indicators/CLA01"))) == filled_title
    logged = places.session.scalar(select(Activity).where(Activity.action == "indicator.update"))
    assert logged.after == {"title": filled_title}
