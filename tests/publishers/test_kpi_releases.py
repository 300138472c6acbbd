"""KPI releases a statistician would sign: a store with the awkward cases (ward counts with an
all-wards total, a year-to-date series with its year's figure, a rate on a small base) is
published, then attacked from the public API alone; and a store with bad rows publishes
nothing and says which rows, in words."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from html.parser import HTMLParser

import pytest

from catalog.accounts.source_policies import policy_set
from catalog.periods import parse_period
from tests.conftest import ACTOR
from tests.publishers.conftest import counts, stored_files

THRESHOLD = 5  # no withheld count may be narrowed to fewer possible values than this
WARDS = ("RS01a", "RS01b", "RS01c", "RS01d")
# Rough sleepers by ward, with the all-wards total: one small ward each quarter.
WARD_FIGURES = {
    "Q1 2025/26": {"RS01": 63, "RS01a": 1, "RS01b": 5, "RS01c": 27, "RS01d": 30},
    "Oct-Dec 2025": {"RS01": 70, "RS01a": 12, "RS01b": 3, "RS01c": 25, "RS01d": 30},
}
# Children adopted, year to date: 2 more in Q4, and the year's figure equal to Q4.
ADOPTED = {"2025/26 Q1": 6, "2025/26 Q2": 13, "2025/26 Q3": 20, "2025/26 Q4": 22, "2025/26": 22}
PUBLIC = ("RS01", *WARDS, "AD01", "KS01")


def awkward_store(store) -> None:
    store.indicator("RS01", title="People sleeping rough, all wards", counts_people=True)
    for ref in WARDS:
        store.indicator(ref, title=f"Rough sleepers, ward {ref[-1]}", total_ref="RS01")
    for period, figures in WARD_FIGURES.items():
        for ref, value in figures.items():
            store.value(ref, period, value)
    store.indicator(
        "AD01", title="Children adopted, year to date", collection_type="YTD", counts_people=True
    )
    for period, value in ADOPTED.items():
        store.value("AD01", period, value)
    store.indicator(
        "KS01",
        title="Pupils reaching the expected standard",
        unit="%",
        decimals=1,
        polarity="Up is Good",
        counts_people=False,  # wrongly marked: the title names pupils
    )
    store.value("KS01", "2025/26 Q1", 75.0, numerator=6, denominator=8)
    store.value("KS01", "2025/26 Q2", 66.7, numerator=10, denominator=15)


# -- The attacker: only the public API, and the relations any reader can see ----------------


def public_figures(client) -> dict[str, dict]:
    return {ref: client.get(f"/api/indicators/{ref}").get_json() for ref in PUBLIC}


def reader_constraints(public: dict[str, dict]):
    """Everything a reader knows, as (terms, constant, kind) over cells (ref, period): sums
    equal to a constant ("="), or at least one (">=")."""
    shown = {
        (ref, o["period"]): o["value"]
        for ref, data in public.items()
        for o in data["observations"]
        if o["value"] is not None
    }
    withheld = {
        (ref, o["period"])
        for ref, data in public.items()
        for o in data["observations"]
        if o["symbol"] == "[c]"
    }
    relations = []
    for period in {period for _, period in set(shown) | withheld}:
        cells = [("RS01", period), *((ward, period) for ward in WARDS)]
        if all(cell in shown or cell in withheld for cell in cells):
            relations.append(({cells[0]: 1, **{c: -1 for c in cells[1:]}}, 0, "="))
    for ref, data in public.items():
        if data["indicator"]["collection_type"] != "year_to_date":
            continue
        periods = sorted(
            (parse_period(o["period"]) for o in data["observations"]),
            key=lambda p: (p.end, -p.start.toordinal()),
        )
        for before, after in zip(periods, periods[1:], strict=False):
            kind = "=" if before.end == after.end else ">="
            relations.append(({(ref, after.code): 1, (ref, before.code): -1}, 0, kind))
    return shown, withheld, relations


def possible_values(shown, withheld, relations, cap: int) -> dict[tuple, set[int]]:
    """Every value each withheld cell can take, by trying every whole number from 1 to `cap`
    for each unknown (an equation with one unknown left gives it directly). Cells that share
    no relation cannot narrow each other, so each linked group is tried on its own."""
    pending = []
    for terms, constant, kind in relations:
        rest = constant - sum(c * shown[k] for k, c in terms.items() if k in shown)
        unknown = {k: c for k, c in terms.items() if k not in shown}
        if unknown:
            pending.append((unknown, rest, kind))
    seen: dict[tuple, set[int]] = defaultdict(set)
    for group in linked_groups(sorted(withheld), pending):
        within = [relation for relation in pending if set(relation[0]) <= group]
        _search({}, sorted(group & withheld), within, cap, seen)
    return seen


def linked_groups(cells: list[tuple], pending) -> list[set[tuple]]:
    """The withheld cells split into groups joined, directly or not, by a shared relation."""
    group_of = {cell: {cell} for cell in cells}
    for terms, _, _ in pending:
        joined = set().union(*(group_of.setdefault(k, {k}) for k in terms))
        for cell in joined:
            group_of[cell] = joined
    return list({id(group): group for group in group_of.values()}.values())


def _search(values, order, pending, cap, seen) -> None:
    for terms, rest, kind in pending:
        if all(k in values for k in terms):
            total = sum(c * values[k] for k, c in terms.items())
            if (kind == "=" and total != rest) or (kind == ">=" and total < rest):
                return
    for terms, rest, kind in pending:
        left = [k for k in terms if k not in values]
        if kind == "=" and len(left) == 1:
            k = left[0]
            forced = (rest - sum(c * values[j] for j, c in terms.items() if j != k)) / terms[k]
            if forced == int(forced) and 1 <= forced <= cap:
                _search(values | {k: int(forced)}, order, pending, cap, seen)
            return
    free = [k for k in order if k not in values]
    if not free:
        for k, v in values.items():
            seen[k].add(v)
        return
    for value in range(1, cap + 1):
        _search(values | {free[0]: value}, order, pending, cap, seen)


def narrowest(public: dict[str, dict]) -> dict[tuple, int]:
    shown, withheld, relations = reader_constraints(public)
    cap = int(max(shown.values())) * 2 + 20
    values = possible_values(shown, withheld, relations, cap)
    return {cell: len(values[cell]) for cell in withheld}


def test_the_attack_pins_what_the_old_rules_gave_away():
    """The attacker works: a lone withheld ward, and a year-to-date Q4 beside its year."""
    public = {
        "RS01": _api([("2025/26 Q1", 63)]),
        "RS01a": _api([("2025/26 Q1", None)]),
        "RS01b": _api([("2025/26 Q1", 5)]),
        "RS01c": _api([("2025/26 Q1", 27)]),
        "RS01d": _api([("2025/26 Q1", 30)]),
        "AD01": _api([("2025/26 Q3", 20), ("2025/26 Q4", None), ("2025/26", 22)], "year_to_date"),
    }
    assert narrowest(public) == {("RS01a", "2025/26 Q1"): 1, ("AD01", "2025/26 Q4"): 1}


def _api(rows, collection="snapshot") -> dict:
    return {
        "indicator": {"collection_type": collection},
        "observations": [
            {"period": p, "value": v, "symbol": "[c]" if v is None else None} for p, v in rows
        ],
    }


def test_no_withheld_figure_can_be_worked_out_from_the_public_api(run, kpi_store, client):
    awkward_store(kpi_store)
    summary = run()
    assert summary.status == "done", [p.message for p in summary.problems]
    public = public_figures(client)
    ranges = narrowest(public)
    assert ("RS01a", "2025/26 Q1") in ranges and ("AD01", "2025/26 Q4") in ranges
    assert {cell: n for cell, n in ranges.items() if n < THRESHOLD} == {}

    notes = {o["note"] for data in public.values() for o in data["observations"] if o["symbol"]}
    assert len(notes) == 1  # one neutral note, whatever the reason
    year = [o for o in public["AD01"]["observations"] if o["period"] == "2025/26"][0]
    assert year["value"] is None  # its Q4 is withheld, so the year's figure is too
    small_base, safe = public["KS01"]["observations"]
    assert (small_base["value"], small_base["numerator"], small_base["denominator"]) == (
        None,
        None,
        None,
    )
    assert (safe["value"], safe["numerator"], safe["denominator"]) == (66.7, 10, 15)


def test_the_years_figure_is_drawn_apart_from_the_quarters(run, kpi_store, client):
    kpi_store.indicator("AD02", title="Adoptions, year to date", collection_type="YTD")
    for period, value in (("2024/25 Q1", 10), ("2024/25 Q2", 20), ("2024/25 Q3", 30)):
        kpi_store.value("AD02", period, value)
    kpi_store.value("AD02", "2024/25 Q4", 40)
    kpi_store.value("AD02", "2024/25", 40)
    assert run().status == "done"
    svg = ET.fromstring(client.get("/indicators/AD02/chart.svg").text)
    ns = {"svg": "http://www.w3.org/2000/svg"}
    axis = [t.text for t in svg.findall(".//svg:g[@class='kpi-x-axis']/svg:text", ns)]
    assert "2024/25" not in axis and "2024/25 Q4" in axis
    markers = svg.findall(".//svg:circle[@class='kpi-marker']", ns)
    assert len(markers) == 4  # the quarters only
    assert svg.find(".//svg:path[@class='kpi-year']", ns) is not None
    legend = [t.text for t in svg.findall(".//svg:g[@class='kpi-legend']/svg:text", ns)]
    assert "Whole year" in legend


# -- Rows checked before anything is published -------------------------------------------------


def bad_store(store) -> None:
    store.indicator("HH01", title="Households in temporary accommodation")
    store.value("HH01", "2025/26 Q2", -12)
    store.indicator("CT01", title="Council tax collected", unit="%", minimum=0, maximum=100)
    store.value("CT01", "Oct-Dec 2025", 318.4)
    store.value("CT01", "2025/26 Q3", 321.0)
    store.value("CT01", "2025/26 Q1", "n/a")
    store.value("CT01", "2025/26 Q2", "45%")
    store.indicator("FY01", title="Sickness days per employee", unit="days", frequency="Annual")
    store.value("FY01", "2010-11", 10.1)
    store.value("FY01", "2011-12", 9.8)
    store.value("FY01", "2012-01", 9.5)
    store.value("NOPE9", "2025/26 Q1", 4)
    store.indicator("WD01", title="Ward figure", total_ref="WD00")
    store.value("WD01", "2025/26 Q1", 40)


EXPECTED_ROWS = [
    ("row-duplicate", "CT01", "Oct-Dec 2025", "318.4"),
    ("row-duplicate", "CT01", "2025/26 Q3", "321"),
    ("row-not-a-number", "CT01", "2025/26 Q1", "n/a"),
    ("row-not-a-number", "CT01", "2025/26 Q2", "45%"),
    ("row-out-of-range", "CT01", "Oct-Dec 2025", "318.4"),
    ("row-out-of-range", "CT01", "2025/26 Q3", "321"),
    ("row-period-frequency", "FY01", "2012-01", "9.5"),
    ("row-out-of-range", "HH01", "2025/26 Q2", "-12"),
    ("row-unknown-reference", "NOPE9", "2025/26 Q1", "4"),
    ("row-missing-total", "WD01", None, None),
]


def test_a_run_with_bad_rows_publishes_nothing_and_names_every_row(run, kpi_store, places):
    bad_store(kpi_store)
    before, files = counts(places.session), stored_files(places)
    summary = run()
    assert summary.status == "refused"
    found = sorted(((p.code, p.ref, p.period, p.value) for p in summary.problems), key=str)
    assert found == sorted(EXPECTED_ROWS, key=str), found
    assert counts(places.session) == before | {"activity": before["activity"] + 1}
    assert stored_files(places) == files
    words = {(p.ref, p.period): p.message for p in summary.problems}
    assert "cannot be negative" in words[("HH01", "2025/26 Q2")]
    assert "'n/a' is not a number" in words[("CT01", "2025/26 Q1")]
    assert "2025/26 Q3 is given 2 times" in words[("CT01", "Oct-Dec 2025")]
    assert "reads as a month (January 2012)" in words[("FY01", "2012-01")]
    assert "no indicator 'NOPE9'" in words[("NOPE9", "2025/26 Q1")]
    assert "'WD00', which is not in the store" in words[("WD01", None)]


def test_a_years_series_reads_2010_11_as_a_year(run, kpi_store, client):
    kpi_store.indicator("FY02", title="Sickness days", unit="days", frequency="Annual")
    kpi_store.value("FY02", "2010-11", 10.1)
    kpi_store.value("FY02", "2011-12", 9.8)
    assert run().status == "done"
    rows = client.get("/api/indicators/FY02").get_json()["observations"]
    assert [(r["period"], r["period_start"]) for r in rows] == [
        ("2010/11", "2010-04-01"),
        ("2011/12", "2011-04-01"),
    ]


def test_the_dry_run_lists_the_bad_rows_and_nothing_else(runner, kpi_store, places, monkeypatch):
    bad_store(kpi_store)
    monkeypatch.setenv("OPENDATA_KPI_MACHINE_URL", kpi_store.url)
    policy_set(places.session, actor=ACTOR, source="kpi-machine", auto_approve=True, reason="t")
    places.session.commit()
    result = runner.invoke(args=["publish", "kpi-machine", "--dry-run"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    start = next(i for i, line in enumerate(lines) if "rows of the store need correcting" in line)
    listed = lines[start + 1 : start + 1 + len(EXPECTED_ROWS)]
    assert all(line.startswith("  ") and line.count(" | ") >= 3 for line in listed)
    negative = "  HH01 | 2025/26 Q2 | -12 | The value is a count, and a count cannot be negative."
    assert negative in listed
    assert any(line.startswith("  CT01 | 2025/26 Q2 | 45% | The value '45%'") for line in listed)
    assert "Traceback" not in result.output and "Error" not in result.output
    assert not [line for line in lines if line.endswith("published")]  # nothing is
    assert lines[-1] == "KPI Machine: refused by checks (10 problems); nothing was written."


def test_a_dry_run_says_what_would_happen(runner, kpi_store, places, monkeypatch):
    awkward_store(kpi_store)
    monkeypatch.setenv("OPENDATA_KPI_MACHINE_URL", kpi_store.url)
    policy_set(places.session, actor=ACTOR, source="kpi-machine", auto_approve=True, reason="t")
    places.session.commit()
    result = runner.invoke(args=["publish", "kpi-machine", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "RS01: new indicator; 2 added" in result.output
    assert "would be published" in result.output
    assert "; published" not in result.output
    assert "Traceback" not in result.output and "failed" not in result.output


# -- Tolerance from the store -------------------------------------------------------------------


@pytest.mark.parametrize(
    "tolerance, value, rag, rule",
    [
        ("", 12.6, "Close to target", "no more than 5% of the target"),  # the council's rule
        ("0.5", 12.6, "Close to target", "no more than 0.5 days"),
        ("0.1", 12.7, "Off target", "no more than 0.1 days"),
        ("10%", 13.7, "Close to target", "no more than 10% of the target"),
    ],
)
def test_amber_comes_from_the_stores_tolerance(run, kpi_store, client, tolerance, value, rag, rule):
    kpi_store.indicator(
        "SD01",
        title="Sickness days",
        unit="days",
        decimals=1,
        polarity="Up is Bad",
        tolerance=tolerance,
    )
    kpi_store.value("SD01", "2025/26 Q1", value, target=12.5)
    assert run().status == "done"
    text = page_text(client.get("/indicators/SD01").text)
    assert rag in text
    assert "Close to target" in text and rule in text


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.parts.append(" ".join(data.split()))


def page_text(html: str) -> str:
    """The words of a page, as a screen reader would read them in order."""
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


def test_an_unreadable_tolerance_is_a_problem_named_by_indicator(run, kpi_store):
    kpi_store.indicator("SD02", title="Sickness days", unit="days", tolerance="a bit")
    kpi_store.value("SD02", "2025/26 Q1", 10)
    summary = run()
    assert summary.status == "refused"
    [problem] = summary.problems
    assert (problem.code, problem.ref) == ("row-tolerance", "SD02")
    assert "'a bit'" in problem.message
