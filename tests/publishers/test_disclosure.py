"""Disclosure control as a table of cases: what goes in, what may come out."""

from __future__ import annotations

import re

import pytest

from catalog.indicators.series import IndicatorInput, ObservationInput
from publishers import disclosure
from publishers.batches import Batch, Series


def _series(ref, unit="count", people=True, part_of=None, **figures) -> Series:
    return Series(
        indicator=IndicatorInput(ref, ref, unit, "Neutral", "Snapshot", "quarterly", "t", "o"),
        observations=[ObservationInput(period="2017/18 Q1", **figures)],
        counts_people=people,
        part_of=part_of,
    )


def _only(series: Series) -> ObservationInput:
    return series.observations[0]


@pytest.mark.parametrize(
    "series, value, symbol, numerator, denominator",
    [
        (_series("A", value=3), None, "[c]", None, None),
        (_series("A", value=0), 0, None, None, None),  # none identifies nobody
        (_series("A", unit="%", value=0, numerator=0, denominator=12), 0, None, 0, 12),
        (_series("A", value=4.0), None, "[c]", None, None),
        (_series("A", value=5), 5, None, None, None),
        (_series("A", value=3, people=False), 3, None, None, None),
        # A withheld rate keeps neither of its counts: 5 alone would say "4 or 5 of 5".
        (_series("A", unit="%", value=80, numerator=4, denominator=5), None, "[c]", None, None),
        (_series("A", unit="%", value=75, numerator=3, denominator=4), None, "[c]", None, None),
        # 6 of 8: a base under 10, so "2 did not" is never published.
        (_series("A", unit="%", value=75, numerator=6, denominator=8), None, "[c]", None, None),
        # 9 of 12: 3 did not, a small complement.
        (_series("A", unit="%", value=75, numerator=9, denominator=12), None, "[c]", None, None),
        (_series("A", unit="%", value=60, numerator=9, denominator=15), 60, None, 9, 15),
        # A count of people named in its unit is protected without the store's flag.
        (_series("A", unit="households", value=3, people=False), None, "[c]", None, None),
        (_series("A", unit="%", value=2.5, people=True), 2.5, None, None, None),
        (_series("A", symbol="[x]"), None, "[x]", None, None),
    ],
)
def test_small_counts_of_people_become_c(series, value, symbol, numerator, denominator):
    disclosure.opendata_transform(None, Batch([series]))
    observation = _only(series)
    assert (observation.value, observation.symbol) == (value, symbol)
    assert (observation.numerator, observation.denominator) == (numerator, denominator)
    assert series.suppressed == (["2017/18 Q1"] if symbol == "[c]" else [])
    assert disclosure.opendata_check(None, Batch([series])) == []


def _parts(total, *parts) -> Batch:
    series = [_series("T", value=total)] if total is not None else []
    for number, value in enumerate(parts, start=1):
        series.append(_series(f"P{number}", value=value, part_of="T"))
    return Batch(series)


@pytest.mark.parametrize(
    "total, parts, withheld",
    [
        (210, (3, 14, 193), ["P1", "P2"]),  # the total would give P1 back: the next smallest goes
        (210, (14, 3, 193), ["P1", "P2"]),
        (20, (2, 4, 14), ["P1", "P2"]),  # together 6: the total gives back no small count
        (9, (1, 2, 6), ["P1", "P2", "P3"]),  # the total would give 1 + 2 = 3 back
        (None, (3, 14, 193), ["P1"]),  # no published total, nothing to work back from
        (3, (1, 2), ["T", "P1", "P2"]),  # a total that is itself small is withheld
        (210, (14, 196), []),
    ],
)
def test_a_total_never_gives_a_withheld_figure_back(total, parts, withheld):
    batch = disclosure.opendata_transform(None, _parts(total, *parts))
    assert [s.ref for s in batch.series if _only(s).symbol == "[c]"] == withheld
    assert disclosure.opendata_check(None, batch) == []


def test_periods_written_differently_are_one_period():
    batch = _parts(210, 3, 14, 193)
    batch.find("P2").observations[0].period = "Q1 2017/18"
    disclosure.opendata_transform(None, batch)
    assert _only(batch.find("P2")).symbol == "[c]"


@pytest.mark.parametrize(
    "batch, code",
    [
        (Batch([_series("A", value=3)]), "disclosure-small-count"),
        (
            Batch([_series("A", unit="%", value=50, numerator=2, denominator=4)]),
            "disclosure-small-count",
        ),
        (
            Batch([_series("A", unit="%", symbol="[c]", numerator=2, denominator=40)]),
            "disclosure-small-count",
        ),
        (
            Batch(
                [
                    _series("T", value=20),
                    _series("P1", symbol="[c]", part_of="T"),
                    _series("P2", value=17, part_of="T"),
                ]
            ),
            "disclosure-narrowed",
        ),
    ],
)
def test_the_check_vetoes_whatever_is_left_disclosive(batch, code):
    [problem] = disclosure.opendata_check(None, batch)
    assert problem.code == code and problem.blocking
    named = problem.message.replace(problem.period, "").replace(problem.ref, "")
    figures = re.findall(r"\d+", named)
    assert set(figures) <= {"5"}  # the threshold, never a withheld figure
