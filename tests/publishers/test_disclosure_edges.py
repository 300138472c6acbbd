"""The edges of disclosure control, as a reader would attack them: a true zero, year-to-date
figures whose differences are counts, totals whose other parts are not published, and an
indicator that leaves the store while its figures stay published."""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from catalog.accounts.users import account_create, membership_set
from catalog.indicators.series import IndicatorInput, ObservationInput
from catalog.models import Activity, Indicator
from catalog.publishing.groups import get_organisation
from catalog.visibility import public_versions
from publishers import disclosure
from publishers.batches import Batch, Series
from publishers.kpi_store import KpiIndicator
from tests.conftest import ACTOR
from tests.pages import column, find_link, lede, link_to, links, parse_page, table, table_rows
from tests.publishers.conftest import counts, looked_after

QUARTERS = ("2017/18 Q1", "2017/18 Q2", "2017/18 Q3", "2017/18 Q4")


def _running(collection: str, values, periods=QUARTERS, **figures) -> Series:
    return Series(
        indicator=IndicatorInput("R", "R", "count", "Neutral", collection, "quarterly", "t", "o"),
        observations=[
            ObservationInput(period=period, value=value, **figures)
            for period, value in zip(periods, values, strict=True)
        ],
        counts_people=True,
    )


def _withheld(series: Series) -> list[str]:
    return [o.period for o in series.observations if o.symbol == "[c]"]


@pytest.mark.parametrize(
    "collection, values, periods, withheld",
    [
        # 12 - 10: two people joined in Q2.
        ("YTD", (10, 12, 20, 30), QUARTERS, ["2017/18 Q2"]),
        # Q3 adds nobody, but Q3 - Q1 would still give the 2 back: Q3 goes too.
        ("YTD", (10, 12, 12, 30), QUARTERS, ["2017/18 Q2", "2017/18 Q3"]),
        ("YTD", (10, 20, 30, 33), QUARTERS, ["2017/18 Q4"]),
        ("YTD", (10, 10, 20, 20), QUARTERS, []),  # no change is nobody
        # A new financial year starts again from nothing: 6 is not a change of 2 from 4... of 40.
        ("YTD", (35, 40, 6, 11), ("2017/18 Q3", "2017/18 Q4", "2018/19 Q1", "2018/19 Q2"), []),
        # Cumulative never starts again: 42 - 40 counts two people.
        (
            "cumulative",
            (35, 40, 42, 50),
            ("2017/18 Q3", "2017/18 Q4", "2018/19 Q1", "2018/19 Q2"),
            ["2018/19 Q1"],
        ),
        ("snapshot", (10, 12, 14, 16), QUARTERS, []),  # each quarter stands alone
        # Periods written out of order are put in order first.
        (
            "YTD",
            (30, 12, 10, 20),
            ("2017/18 Q4", "2017/18 Q2", "2017/18 Q1", "2017/18 Q3"),
            ["2017/18 Q2"],
        ),
    ],
)
def test_a_small_change_in_a_running_total_is_withheld(collection, values, periods, withheld):
    series = _running(collection, values, periods)
    series.indicator.collection_type = {"YTD": "year_to_date"}.get(collection, collection)
    disclosure.opendata_transform(None, Batch([series]))
    assert sorted(_withheld(series)) == sorted(withheld)
    assert disclosure.opendata_check(None, Batch([series])) == []


def test_a_rates_numerator_and_denominator_changes_are_counts_too():
    series = _running("year_to_date", (50.0, 58.3), QUARTERS[:2])
    series.indicator.unit = "%"
    for observation, (numerator, denominator) in zip(
        series.observations, ((5, 10), (7, 12)), strict=True
    ):
        observation.numerator, observation.denominator = numerator, denominator
    disclosure.opendata_transform(None, Batch([series]))
    second = series.observations[1]
    assert (second.value, second.symbol, second.numerator, second.denominator) == (
        None,
        "[c]",
        None,
        None,  # 12 - 10 would say two more children were counted
    )
    assert series.observations[0].numerator == 5


def test_the_check_vetoes_a_small_change_left_visible():
    series = _running("year_to_date", (10, 12), QUARTERS[:2])
    [problem] = disclosure.opendata_check(None, Batch([series]))
    assert problem.code == "disclosure-small-change" and problem.period == "2017/18 Q2"
    named = problem.message.replace(problem.period, "").replace(problem.ref, "")
    assert set(re.findall(r"\d+", named)) <= {"5"}


def _total(total, *parts) -> Batch:
    def one(ref, value, part_of=None):
        indicator = IndicatorInput(ref, ref, "count", "Neutral", "Snapshot", "quarterly", "t", "o")
        observation = ObservationInput(period="2017/18 Q1", value=value)
        return Series(indicator, [observation], counts_people=True, part_of=part_of)

    series = [one("T", total)]
    series += [one(f"P{n}", value, "T") for n, value in enumerate(parts, start=1)]
    return Batch(series)


@pytest.mark.parametrize(
    "total, parts, withheld",
    [
        # The only published part: the total is all a reader needs, so the total goes.
        (20, (3,), ["T", "P1"]),
        # A published zero hides nothing: the next part above zero goes instead.
        (20, (3, 0, 17), ["P1", "P3"]),
        (20, (0, 20), []),
        (8, (3, 5), ["P1", "P2"]),
    ],
)
def test_a_total_with_unpublished_parts_never_gives_a_part_back(total, parts, withheld):
    batch = disclosure.opendata_transform(None, _total(total, *parts))
    assert [s.ref for s in batch.series if s.observations[0].symbol == "[c]"] == withheld
    assert disclosure.opendata_check(None, batch) == []


def test_the_check_vetoes_a_total_beside_its_only_withheld_part():
    batch = _total(20, None)
    batch.find("P1").observations[0].symbol = "[c]"
    [problem] = disclosure.opendata_check(None, batch)
    assert problem.code == "disclosure-total-reveals" and problem.ref == "P1"


# Runs against the real KPI Machine store, read back through every public surface.


def _set_indicator(store, ref: str, **fields) -> None:
    with Session(store.engine) as session:
        session.execute(update(KpiIndicator).where(KpiIndicator.ref == ref), fields)
        session.commit()


def _published_figures(places) -> dict[tuple[str, str], set[str]]:
    """Every figure a reader can get from any released file of any indicator, old versions
    included, as {(ref, period): {values shown}}."""
    seen: dict[tuple[str, str], set[str]] = defaultdict(set)
    places.session.expire_all()
    for indicator in places.session.scalars(select(Indicator)):
        if indicator.dataset is None:
            continue
        for version in public_versions(indicator.dataset.resources[0]):
            text = places.store.path_for(version.sha256).read_text(encoding="utf-8")
            for row in csv.DictReader(io.StringIO(text)):
                figures = (row["value"], row["numerator"], row["denominator"])
                seen[(row["indicator"], row["period"])] |= {f for f in figures if f}
    return seen


def _value(client, ref: str, period: str) -> dict:
    rows = client.get(f"/api/indicators/{ref}").get_json()["observations"]
    return next(row for row in rows if row["period"] == period)


def test_a_true_zero_is_published_as_zero(run, kpi_store, client, places):
    kpi_store.indicator("CP01", title="Children subject to a protection plan", counts_people=True)
    kpi_store.value("CP01", "Q1 2017/18", 0)
    kpi_store.value("CP01", "Q2 2017/18", 3)
    kpi_store.value("CP01", "Q3 2017/18", 9)
    summary = run()
    assert summary.status == "done", summary.headline()
    nobody = _value(client, "CP01", "2017/18 Q1")
    assert (nobody["value"], nobody["symbol"]) == (0, None)
    assert _value(client, "CP01", "2017/18 Q2")["symbol"] == "[c]"
    rows = client.get("/api/indicators/CP01.csv").text
    assert "2017/18 Q1" in rows and ",0.0," in rows
    assert summary.indicators[0].suppressed == ["2017/18 Q2"]


def test_year_to_date_changes_never_reach_a_file(run, kpi_store, client, places):
    kpi_store.indicator(
        "CIN01",
        title="Children in need referrals, year to date",
        collection_type="YTD",
        counts_people=True,
    )
    kpi_store.value("CIN01", "Q1 2017/18", 10)
    kpi_store.value("CIN01", "Q2 2017/18", 12)
    kpi_store.value("CIN01", "Q3 2017/18", 12, approved=False)
    first = run()
    assert first.status == "done", first.headline()
    kpi_store.change("CIN01", "Q3 2017/18", approved=True, approved_by="Head of Service")
    kpi_store.value("CIN01", "Q4 2017/18", 30)
    second = run()
    assert second.status == "done", second.headline()
    assert second.indicators[0].suppressed == ["2017/18 Q2", "2017/18 Q3"]

    seen = _published_figures(places)
    assert seen[("CIN01", "2017/18 Q1")] == {"10.0"}
    assert seen[("CIN01", "2017/18 Q2")] == set()  # in neither file
    assert seen[("CIN01", "2017/18 Q3")] == set()
    assert seen[("CIN01", "2017/18 Q4")] == {"30.0"}
    figures = table(parse_page(client.get("/indicators/CIN01")), "Figures by period")
    cells = [value.split()[0] for _period, value, _target in table_rows(figures) if value]
    assert "[c]" in cells and "10" in cells and not {"12", "12.0"} & set(cells)
    q2 = _value(client, "CIN01", "2017/18 Q2")
    assert q2["value"] is None and "change since the period before" in q2["note"]
    q3 = _value(client, "CIN01", "2017/18 Q3")
    assert q3["value"] is None and "figures either side" in q3["note"]


def _worked_out(seen, total: str, parts: list[str], period: str) -> float | None:
    """What a reader gets from the published files for the parts withheld in every file:
    the total less every part shown (a part never shown counts as nothing)."""
    hidden = [part for part in parts if not seen[(part, period)]]
    if not seen[(total, period)] or not hidden:
        return None
    shown = sum(float(min(seen[(part, period)])) for part in parts if part not in hidden)
    return float(min(seen[(total, period)])) - shown


@pytest.mark.parametrize("unpublished", ["not approved", "not for publication", "no figure"])
def test_a_total_with_unpublished_parts_never_gives_a_part_back_from_any_file(
    run, kpi_store, client, places, unpublished
):
    # The total is not itself marked as counting people, so only the rule for totals guards it.
    kpi_store.indicator("LAC", title="Children looked after")
    kpi_store.indicator("LACa", title="Unaccompanied", counts_people=True, total_ref="LAC")
    kpi_store.indicator(
        "LACb",
        title="Placed with parents",
        counts_people=True,
        total_ref="LAC",
        not_for_publication=unpublished == "not for publication",
    )
    kpi_store.value("LAC", "Q1 2017/18", 3)
    kpi_store.value("LACa", "Q1 2017/18", 3)
    if unpublished != "no figure":
        kpi_store.value("LACb", "Q1 2017/18", 0, approved=unpublished != "not approved")
    first = run()
    assert first.status == "done", first.headline()
    if unpublished == "not approved":
        kpi_store.change("LACb", "Q1 2017/18", approved=True, approved_by="Head of Service")
    second = run()
    assert second.status == "done", second.headline()

    seen = _published_figures(places)
    assert seen[("LACa", "2017/18 Q1")] == set()  # 3 children: in no file, old or new
    assert _worked_out(seen, "LAC", ["LACa", "LACb"], "2017/18 Q1") is None
    assert _value(client, "LAC", "2017/18 Q1")["symbol"] == "[c]"
    assert "total cannot reveal" in _value(client, "LAC", "2017/18 Q1")["note"]


def _sign_in(client, email: str) -> None:
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    data = {"email": email, "password": "a long password!", "csrf_token": token}
    assert client.post("/login", data=data).status_code == 302


def test_an_indicator_gone_from_the_store_is_reported_and_left_published(
    run, kpi_store, client, places, admin
):
    looked_after(kpi_store)
    assert run().status == "done"
    _set_indicator(kpi_store, "CLA01b", include=False)

    before = counts(places.session)
    rehearsal = run(dry_run=True)
    assert [d.ref for d in rehearsal.dropped] == ["CLA01b"]
    assert "No longer in the store: 1 indicator (CLA01b)" in rehearsal.headline()
    assert counts(places.session) == before  # a dry run writes nothing, not even the report

    summary = run()
    assert summary.status == "done" and "No longer in the store: 1 indicator" in summary.headline()
    logged = places.session.scalar(
        select(Activity).where(Activity.action == "publishing.run").order_by(Activity.id.desc())
    )
    assert "No longer in the store: 1 indicator (CLA01b)" in logged.summary
    assert logged.after["dropped"][0]["ref"] == "CLA01b"

    public = client.get("/indicators/CLA01b")
    assert public.status_code == 200  # nobody decided to withdraw it, so it stays
    _sign_in(client, "ad@york.gov.uk")
    staff = parse_page(client.get("/publish/datasets/indicator-cla01b"))
    history = column(table(staff, "Activity log"), "What")
    assert any(
        "no longer in the store" in what and "withdraws the dataset" in what for what in history
    )
    assert (
        find_link(parse_page(client.get("/publish")), "Publishing runs")["href"] == "/publish/runs"
    )
    runs = table(parse_page(client.get("/publish/runs")), "Publishing runs")
    assert any(
        "No longer in the store: 1 indicator (CLA01b)" in what
        for what in column(runs, "What happened")
    )
    run_page = parse_page(client.get(f"/publish/runs/{logged.id}"))
    dropped = run_page.find("h2", string="No longer in the store: 1 indicator")
    assert link_to(dropped.find_next("ul"), "/publish/datasets/indicator-cla01b")
    assert client.get("/publish/runs/999999").status_code == 404

    again = run()  # still reported on every run, but told on its page only once
    assert [d.ref for d in again.dropped] == ["CLA01b"]
    notes = places.session.scalars(select(Activity).where(Activity.action == "indicator.dropped"))
    assert [note.object_id for note in notes] == ["CLA01b"]

    _set_indicator(kpi_store, "CLA01b", include=True)
    back = run()
    assert back.dropped == [] and "No longer in the store" not in back.headline()


def test_the_command_line_reports_indicators_gone_from_the_store(
    run, kpi_store, places, runner, monkeypatch
):
    looked_after(kpi_store)
    assert run().status == "done"
    _set_indicator(kpi_store, "CLA01c", not_for_publication=True)
    monkeypatch.setenv("OPENDATA_KPI_MACHINE_URL", kpi_store.url)
    result = runner.invoke(args=["publish", "kpi-machine", "--dry-run"])
    assert "Warning: CLA01c: no longer in the store" in result.output
    assert "No longer in the store: 1 indicator (CLA01c)" in result.output


def test_withholding_a_figure_already_released_warns_that_it_cannot_be_taken_back(
    run, kpi_store, client, places
):
    looked_after(kpi_store)
    kpi_store.change("CLA01", "Q2 2017/18", approved=False)  # no total yet: the parts stand
    assert run().status == "done"
    assert _value(client, "CLA01b", "2017/18 Q2")["value"] == 14

    kpi_store.change("CLA01", "Q2 2017/18", approved=True)
    summary = run()
    assert summary.status == "done", summary.headline()  # the new file withholds it from now on
    [warning] = [p for p in summary.problems if p.code == "disclosure-already-public"]
    assert (warning.ref, warning.period, warning.blocking) == ("CLA01b", "2017/18 Q2", False)
    assert "cannot take that back" in warning.message and "14" not in warning.message
    assert _value(client, "CLA01b", "2017/18 Q2")["symbol"] == "[c]"
    assert client.get("/api/indicators/CLA01b").status_code == 200  # not withdrawn for anyone


def test_only_admins_read_the_publishing_runs(run, kpi_store, client, places):
    looked_after(kpi_store)
    run()
    session = places.session
    editor = account_create(
        session, actor=ACTOR, email="ed@york.gov.uk", name="Ed Editor", password="a long password!"
    )
    organisation = get_organisation(session, "children-education-and-communities")
    membership_set(session, actor=ACTOR, account=editor, organisation=organisation, role="editor")
    _sign_in(client, "ed@york.gov.uk")
    assert "Publishing runs" not in [
        text for text, _href in links(parse_page(client.get("/publish")))
    ]
    refused = client.get("/publish/runs")
    assert refused.status_code == 403 and "Only an admin" in lede(parse_page(refused))
