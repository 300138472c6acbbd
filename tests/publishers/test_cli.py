"""`opendata publish`, `opendata sources`, `opendata worker` and the demo store, as an
administrator types them."""

from __future__ import annotations

import re

import pytest

from tests.pages import parse_page, table, table_rows
from tests.publishers.conftest import counts, looked_after


@pytest.fixture
def store_env(kpi_store, places, monkeypatch):
    looked_after(kpi_store)
    monkeypatch.setenv("OPENDATA_KPI_MACHINE_URL", kpi_store.url)
    monkeypatch.delenv("OPENDATA_REDIS_URL", raising=False)
    return kpi_store


@pytest.fixture
def auto_approved(runner, sysadmin):
    """A site administrator has let the KPI Machine publish without review."""
    result = runner.invoke(
        args=[
            "sources",
            "policy",
            "kpi-machine",
            "--auto-approve",
            "--reason",
            "Checked at",
            "--as",
            "sa@york.gov.uk",
        ]
    )
    assert result.exit_code == 0, result.output


def test_a_dry_run_prints_what_would_change_and_writes_nothing(
    runner, store_env, places, auto_approved
):
    before = counts(places.session)
    result = runner.invoke(args=["publish", "kpi-machine", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert (
        "Dry run (nothing will be written) of KPI Machine as KPI Machine source, allowed by "
        "Sam Sysadmin:" in result.output
    )
    assert "CLA01a: new indicator; 3 added, 0 revised, 0 unchanged; 1 shown as [c]" in result.output
    assert "[c]: 2017/18 Q2" in result.output
    assert "would give: 4 new indicators, 12 figures added" in result.output
    assert counts(places.session) == before


def test_publish_then_publish_again(runner, store_env, client, auto_approved):
    first = runner.invoke(args=["publish", "kpi-machine"])
    assert first.exit_code == 0, first.output
    assert "KPI Machine: 4 new indicators, 12 figures added" in first.output
    assert client.get("/indicators/CLA01a").status_code == 200
    again = runner.invoke(args=["publish", "kpi-machine"])
    assert "CLA01: 0 added, 0 revised, 3 unchanged" in again.output
    assert "nothing new" in again.output


def test_without_auto_approval_it_needs_an_account_and_sends_for_review(
    runner, store_env, admin, client
):
    refused = runner.invoke(args=["publish", "kpi-machine"])
    assert refused.exit_code != 0
    assert "opendata sources policy kpi-machine --auto-approve" in refused.output
    result = runner.invoke(args=["publish", "kpi-machine", "--as", "ad@york.gov.uk"])
    assert result.exit_code == 0, result.output
    assert "as Ann Admin" in result.output and "in review" in result.output
    assert client.get("/indicators/CLA01").status_code == 404
    unknown = runner.invoke(args=["publish", "kpi-machine", "--as", "nobody@york.gov.uk"])
    assert unknown.exit_code != 0 and "no account for nobody@york.gov.uk" in unknown.output


def test_a_failed_run_is_shown_with_its_error(
    runner, store_env, auto_approved, monkeypatch, tmp_path
):
    monkeypatch.setenv("OPENDATA_KPI_MACHINE_URL", f"sqlite:///{tmp_path / 'gone.sqlite'}")
    failed = runner.invoke(args=["publish", "kpi-machine"])
    assert failed.exit_code == 1
    assert "the run failed and nothing was written" in failed.output
    listing = runner.invoke(args=["sources"]).output
    assert "kpi-machine: KPI Machine." in listing
    assert "Publishes without review" in listing
    assert re.search(r"Last run .* UTC: KPI Machine: the run failed .*gone\.sqlite", listing)


def test_an_unknown_source_is_named(runner, store_env):
    result = runner.invoke(args=["publish", "nowhere"])
    assert result.exit_code != 0
    assert "There is no source called 'nowhere'. Sources: kpi-machine." in result.output


def test_background_runs_in_process_without_redis(runner, store_env, auto_approved):
    result = runner.invoke(args=["publish", "kpi-machine", "--background"])
    assert result.exit_code == 0, result.output
    assert "CLA01b: new indicator; 3 added" in result.output
    worker = runner.invoke(args=["worker"])
    assert worker.exit_code == 0 and "jobs run in-process" in worker.output


def test_the_demo_builds_a_kpi_machine_that_publishes(runner, client, monkeypatch):
    monkeypatch.delenv("OPENDATA_KPI_MACHINE_URL", raising=False)
    demo = runner.invoke(args=["demo"])
    assert "KPI Machine demo database built with 8 indicators" in demo.output
    assert "The demo lets kpi-machine publish without review" in demo.output
    assert "Publishes without review (set by demo loader" in runner.invoke(args=["sources"]).output
    result = runner.invoke(args=["publish", "kpi-machine"])
    assert result.exit_code == 0, result.output
    assert "6 new indicators, 24 figures added, 0 revised, 5 shown as [c]" in result.output
    for ref in ("EH02", "LADO1"):  # excluded, and not for publication
        assert ref not in result.output
        assert client.get(f"/indicators/{ref}").status_code == 404
    assert "2018/19" not in client.get("/api/indicators/CLA01.csv").text  # not yet approved
    figures = table(parse_page(client.get("/indicators/RAA01")), "Figures by period")
    assert any(value.startswith("[c]") for _period, value, _target in table_rows(figures))
    assert "already present" in runner.invoke(args=["demo"]).output
