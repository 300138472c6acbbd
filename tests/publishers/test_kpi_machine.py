"""The KPI Machine source: only approved, included, publishable figures ever leave the store,
and what leaves reaches every public surface with small counts shown as [c]."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from catalog.models import Activity, Indicator, Observation
from publishers.demo_store import build_demo_store
from publishers.kpi_machine import KpiMachineSource, opendata_sources
from publishers.sources import SourceConfig, SourceUnavailable
from tests.pages import mentions, parse_page, table, table_rows
from tests.publishers.conftest import looked_after


@pytest.fixture
def officers_store(kpi_store):
    """What officers have entered: some approved, some not, some never for the public."""
    looked_after(kpi_store)
    kpi_store.value("CLA01", "Q4 2017/18", 197, approved=False)  # awaiting approval
    kpi_store.value("CLA01b", "Q4 2017/18", 11, approved=True, approved_by=None)  # no approver
    kpi_store.indicator("EH02", title="Early Help Assessments closed", include=False)
    kpi_store.value("EH02", "Q1 2017/18", 41)
    kpi_store.indicator("LADO1", title="Allegations referred", not_for_publication=True)
    kpi_store.value("LADO1", "Q1 2017/18", 2)
    kpi_store.indicator("DRAFT1", title="Nothing approved yet")
    kpi_store.value("DRAFT1", "Q1 2017/18", 12, approved=False)
    kpi_store.indicator(
        "RAA01",
        title="Adopted children who waited less than 16 months",
        unit="%",
        polarity="Up is Good",
        collection_type="YTD",
        counts_people=True,
    )
    kpi_store.value("RAA01", "Q1 2017/18", 80.0, numerator=4, denominator=5, target=70)
    kpi_store.value("RAA01", "Q2 2017/18", 75.0, numerator=9, denominator=12, target=70)
    kpi_store.indicator(
        "COMP03",
        title="Ombudsman complaints",
        directorate="Customer and Corporate Services",
        theme="How the Council will operate",
    )
    kpi_store.value("COMP03", "Q1 2017/18", 2)
    return kpi_store


def test_only_approved_included_publishable_figures_are_read(officers_store, source):
    batch = source.read()
    assert [s.ref for s in batch.series] == [
        "CLA01",
        "CLA01a",
        "CLA01b",
        "CLA01c",
        "COMP03",
        "RAA01",
    ]
    periods = {s.ref: [o.period for o in s.observations] for s in batch.series}
    assert periods["CLA01"] == ["Q1 2017/18", "Q2 2017/18", "Q3 2017/18"]
    assert periods["CLA01b"] == ["Q1 2017/18", "Q2 2017/18", "Q3 2017/18"]
    rate = batch.find("RAA01")
    assert rate.counts_people and rate.indicator.collection_type == "year_to_date"
    assert (rate.observations[0].numerator, rate.observations[0].target) == (4, 70)
    assert batch.find("CLA01a").part_of == "CLA01"
    assert batch.find("COMP03").indicator.organisation == "customer-and-corporate-services"


@pytest.mark.parametrize(
    "frequency, period, expected",
    [
        ("Quarterly", "Q3 2017/18", "Q3 2017/18"),
        ("Annual", "2017/18", "2017/18"),
        ("Academic year", "2017/18", "AY2017/18"),
        ("Monthly", "Jan 2018", "Jan 2018"),
    ],
)
def test_store_wording_becomes_the_catalogues(kpi_store, source, frequency, period, expected):
    kpi_store.indicator("X1", frequency=frequency, collection_type="Rolling 12 Month")
    kpi_store.value("X1", period, None, status="Provisional")
    series = source.read().find("X1")
    assert series.indicator.frequency in ("quarterly", "annual", "academic_year", "monthly")
    assert series.indicator.collection_type == "rolling_12_months"
    observation = series.observations[0]
    assert observation.period == expected
    assert (observation.value, observation.symbol, observation.status) == (
        None,
        "[x]",
        "provisional",
    )


def test_the_source_is_offered_with_the_store_in_the_instance_by_default(tmp_path):
    [offered] = opendata_sources(SourceConfig(instance=tmp_path, environ={}))
    assert offered.url == f"sqlite:///{tmp_path / 'kpi_machine.sqlite'}"
    [chosen] = opendata_sources(
        SourceConfig(tmp_path, {"OPENDATA_KPI_MACHINE_URL": "postgresql://kpi/store"})
    )
    assert chosen.url == "postgresql://kpi/store"


def test_a_missing_store_is_a_failed_run_that_is_recorded(run, places, tmp_path):
    missing = KpiMachineSource(f"sqlite:///{tmp_path / 'nowhere.sqlite'}")
    with pytest.raises(SourceUnavailable):
        missing.read()
    summary = run(missing)
    assert summary.status == "failed" and "no KPI Machine database" in summary.error
    assert not (tmp_path / "nowhere.sqlite").exists()
    logged = places.session.scalar(select(Activity).where(Activity.action == "publishing.failed"))
    assert "no KPI Machine database" in logged.summary


def _csv_rows(client, ref: str) -> dict[str, dict]:
    response = client.get(f"/api/indicators/{ref}.csv")
    assert response.status_code == 200
    return {row["period"]: row for row in csv.DictReader(io.StringIO(response.text))}


def test_nothing_withheld_reaches_any_page_api_or_file(run, officers_store, client, places):
    summary = run()
    assert summary.status == "done", summary.error
    never = ["EH02", "LADO1", "DRAFT1"]
    listing = client.get("/indicators").text + client.get("/api/indicators.csv").text
    listing += client.get("/api/indicators").text + client.get("/datasets").text
    for ref in never:
        assert ref not in listing
        assert client.get(f"/indicators/{ref}").status_code == 404
        assert client.get(f"/api/indicators/{ref}").status_code == 404
    assert not mentions(parse_page(client.get("/datasets?q=allegations")), "Allegations")
    assert "2017/18 Q4" not in _csv_rows(client, "CLA01")  # not yet approved
    assert "2017/18 Q4" not in _csv_rows(client, "CLA01b")  # approved by nobody

    session = places.session
    refs = set(session.scalars(select(Indicator.ref)))
    assert refs == {"CLA01", "CLA01a", "CLA01b", "CLA01c", "COMP03", "RAA01"}
    stored = b"".join(path.read_bytes() for path in places.store.root.rglob("*") if path.is_file())
    for ref in never:
        assert ref.encode() not in stored


def test_small_counts_are_published_as_c_with_a_note(run, officers_store, client, places):
    run()
    unaccompanied = _csv_rows(client, "CLA01a")
    assert (unaccompanied["2017/18 Q2"]["value"], unaccompanied["2017/18 Q2"]["symbol"]) == (
        "",
        "[c]",
    )
    assert "suppressed to protect privacy" in unaccompanied["2017/18 Q2"]["note"]
    assert unaccompanied["2017/18 Q1"]["value"] == "6.0"
    # The total (210) minus the other parts would give the 3 back, so the next smallest goes too.
    with_parents = _csv_rows(client, "CLA01b")
    assert with_parents["2017/18 Q2"]["symbol"] == "[c]"
    assert "a total cannot reveal" in with_parents["2017/18 Q2"]["note"]
    assert _csv_rows(client, "CLA01c")["2017/18 Q2"]["value"] == "193.0"
    rate = _csv_rows(client, "RAA01")["2017/18 Q1"]
    assert (rate["value"], rate["numerator"], rate["denominator"], rate["symbol"]) == (
        "",
        "",
        "5.0",
        "[c]",
    )
    # Counts that are not of people (complaints) are not withheld.
    assert _csv_rows(client, "COMP03")["2017/18 Q1"]["value"] == "2.0"
    figures = table(parse_page(client.get("/indicators/CLA01a")), "Figures by period")
    assert any(value.startswith("[c]") for _period, value, _target in table_rows(figures))
    people = select(Observation).join(Indicator).where(Indicator.ref.in_(["CLA01a", "CLA01b"]))
    for observation in places.session.scalars(people):
        assert observation.value is None or observation.value >= 5
    json_page = client.get("/api/indicators/CLA01a").get_json()
    withheld = [o for o in json_page["observations"] if o["period"] == "2017/18 Q2"][0]
    assert withheld["value"] is None and withheld["symbol"] == "[c]"


def test_the_demo_store_holds_what_must_never_leave(tmp_path):
    for name in ("one", "two"):  # a second store in the same process is just as full
        url = f"sqlite:///{tmp_path / name / 'kpi_machine.sqlite'}"
        assert build_demo_store(url) == 8
        assert build_demo_store(url) == 0
        batch = KpiMachineSource(url).read()
        assert [s.ref for s in batch.series] == [
            "CLA01", "CLA01a", "CLA01b", "CLA01c", "COMP03", "RAA01",
        ]  # fmt: skip
        assert all(len(s.observations) == 4 for s in batch.series)  # Q1 2018/19 not approved
