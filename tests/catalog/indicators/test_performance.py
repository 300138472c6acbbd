"""Direction of travel, RAG status and the sentences built from them, read through polarity."""

from __future__ import annotations

import math

import pytest

from catalog.errors import Invalid
from catalog.indicators.performance import (
    AMBER,
    BETTER,
    DOWN,
    GREEN,
    NEUTRAL,
    NO_CHANGE,
    NOT_COMPARABLE,
    RED,
    UP,
    UP_IS_BAD,
    UP_IS_GOOD,
    WORSE,
    Direction,
    comparison_period,
    comparison_phrase,
    describe_latest,
    direction_of_travel,
    format_change,
    format_value,
    parse_polarity,
    rag_status,
)
from catalog.periods import parse_period

# -- Direction of travel ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "current, previous, polarity, tolerance, movement, judgement, change",
    [
        # York Table 3.3, CSS7 adoption within 16 months (up is good): 67% -> 79%.
        (79.0, 67.0, UP_IS_GOOD, 0.0, UP, BETTER, 12.0),
        (67.0, 79.0, UP_IS_GOOD, 0.0, DOWN, WORSE, -12.0),
        # 62, three or more placement moves (up is bad): 4.90% -> 11.76%.
        (11.76, 4.9, UP_IS_BAD, 0.0, UP, WORSE, 6.86),
        (4.9, 11.76, UP_IS_BAD, 0.0, DOWN, BETTER, -6.86),
        # EFL1 children looked after per 10k (neutral): 55 -> 53.24, no judgement either way.
        (53.24, 55.0, NEUTRAL, 0.0, DOWN, None, -1.76),
        (55.0, 53.24, NEUTRAL, 0.0, UP, None, 1.76),
        # Ties.
        (45.0, 45.0, UP_IS_GOOD, 0.0, NO_CHANGE, NO_CHANGE, 0.0),
        (45.0, 45.0, UP_IS_BAD, 0.0, NO_CHANGE, NO_CHANGE, 0.0),
        (45.0, 45.0, NEUTRAL, 0.0, NO_CHANGE, None, 0.0),
        (0, 0, UP_IS_GOOD, 0.0, NO_CHANGE, NO_CHANGE, 0),
        # Tolerance edges: a change of exactly the tolerance is no change, even in float noise.
        (42.1, 41.1, UP_IS_GOOD, 1.0, NO_CHANGE, NO_CHANGE, 1.0),
        (41.1, 42.1, UP_IS_BAD, 1.0, NO_CHANGE, NO_CHANGE, -1.0),
        (42.1, 41.1, NEUTRAL, 1.0, NO_CHANGE, None, 1.0),
        (42.2, 41.1, UP_IS_GOOD, 1.0, UP, BETTER, 1.1),
        (40.0, 41.1, UP_IS_BAD, 1.0, DOWN, BETTER, -1.1),
        (0.3, 0.1, UP_IS_GOOD, 0.2, NO_CHANGE, NO_CHANGE, 0.2),
        # Counts (MI Pack 2, up is bad): 16 -> 12.
        (12, 16, UP_IS_BAD, 0.0, DOWN, BETTER, -4),
        # Negative values, as in an underspend (BPI108, up is bad).
        (-32.0, 10.0, UP_IS_BAD, 0.0, DOWN, BETTER, -42.0),
    ],
)
def test_direction_of_travel(current, previous, polarity, tolerance, movement, judgement, change):
    direction = direction_of_travel(current, previous, polarity=polarity, tolerance=tolerance)
    assert direction == Direction(movement, judgement, change)
    assert direction.comparable


@pytest.mark.parametrize("polarity", [UP_IS_GOOD, UP_IS_BAD, NEUTRAL])
@pytest.mark.parametrize(
    "current, previous", [(None, 45.0), (45.0, None), (None, None), (math.nan, 45.0)]
)
def test_a_withheld_value_is_not_comparable(polarity, current, previous):
    direction = direction_of_travel(current, previous, polarity=polarity, tolerance=1.0)
    assert direction == Direction(NOT_COMPARABLE, None, None)
    assert not direction.comparable


def test_direction_refuses_an_unknown_polarity_or_a_negative_tolerance():
    with pytest.raises(ValueError, match="polarity"):
        direction_of_travel(1.0, 2.0, polarity="Up is Good")
    with pytest.raises(ValueError, match="tolerance"):
        direction_of_travel(1.0, 2.0, polarity=UP_IS_GOOD, tolerance=-1)


# -- RAG -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, target, polarity, tolerance, status",
    [
        # Up is good, target 90%, amber within 5 points.
        (95.19, 90.0, UP_IS_GOOD, 5.0, GREEN),
        (90.0, 90.0, UP_IS_GOOD, 5.0, GREEN),
        (85.0, 90.0, UP_IS_GOOD, 5.0, AMBER),
        (88.38, 90.0, UP_IS_GOOD, 5.0, AMBER),
        (84.99, 90.0, UP_IS_GOOD, 5.0, RED),
        (59.6, 90.0, UP_IS_GOOD, 5.0, RED),
        (89.9, 90.0, UP_IS_GOOD, 0.0, RED),
        # Up is bad, target 10%, amber within 2 points.
        (4.9, 10.0, UP_IS_BAD, 2.0, GREEN),
        (10.0, 10.0, UP_IS_BAD, 2.0, GREEN),
        (11.76, 10.0, UP_IS_BAD, 2.0, AMBER),
        (12.0, 10.0, UP_IS_BAD, 2.0, AMBER),
        (12.01, 10.0, UP_IS_BAD, 2.0, RED),
        (10.1, 10.0, UP_IS_BAD, 0.0, RED),
        # Float noise at the edge: 41.1 misses 42.1 by exactly the tolerance.
        (41.1, 42.1, UP_IS_GOOD, 1.0, AMBER),
        (43.1, 42.1, UP_IS_BAD, 1.0, AMBER),
        # Counts (sickness days per FTE, up is bad, target 9 days, amber within 0.5).
        (8.5, 9, UP_IS_BAD, 0.5, GREEN),
        (9.5, 9, UP_IS_BAD, 0.5, AMBER),
        (10, 9, UP_IS_BAD, 0.5, RED),
        # Neutral indicators have no RAG, whatever the numbers.
        (53.24, 50.0, NEUTRAL, 5.0, None),
        (53.24, 60.0, NEUTRAL, 0.0, None),
        # No value (withheld) or no target: no RAG.
        (None, 90.0, UP_IS_GOOD, 5.0, None),
        (95.0, None, UP_IS_GOOD, 5.0, None),
        (None, None, UP_IS_BAD, 5.0, None),
        (math.nan, 10.0, UP_IS_BAD, 0.0, None),
    ],
)
def test_rag_status(value, target, polarity, tolerance, status):
    assert rag_status(value, target, polarity=polarity, tolerance=tolerance) == status


def test_rag_refuses_an_unknown_polarity_or_a_negative_tolerance():
    with pytest.raises(ValueError, match="polarity"):
        rag_status(1.0, 2.0, polarity="up", tolerance=0)
    with pytest.raises(ValueError, match="tolerance"):
        rag_status(1.0, 2.0, polarity=UP_IS_BAD, tolerance=-0.5)


@pytest.mark.parametrize(
    "text, polarity",
    [
        ("Up is Good", UP_IS_GOOD),
        ("Up is Bad", UP_IS_BAD),
        ("Neutral", NEUTRAL),
        (" up  is good ", UP_IS_GOOD),
        ("up_is_bad", UP_IS_BAD),
    ],
)
def test_polarity_reads_as_york_writes_it(text, polarity):
    assert parse_polarity(text) == polarity


@pytest.mark.parametrize("text", ["Good", "Down is good", "", None])
def test_an_unknown_polarity_is_invalid(text):
    with pytest.raises(Invalid, match="Up is Good, Up is Bad or Neutral") as caught:
        parse_polarity(text)
    assert caught.value.field == "polarity"


# -- Comparison period ---------------------------------------------------------------------------

QUARTERS = [parse_period(code) for code in ["2016/17 Q3", "2017/18 Q1", "2017/18 Q2", "2017/18 Q3"]]


@pytest.mark.parametrize(
    "period, seasonal, expected",
    [
        ("2017/18 Q3", False, "2017/18 Q2"),
        ("2017/18 Q3", True, "2016/17 Q3"),
        ("2017/18 Q2", False, "2017/18 Q1"),
        # The previous quarter is missing: no reaching back over the gap.
        ("2017/18 Q1", False, None),
        ("2017/18 Q2", True, None),
        ("2016/17 Q3", False, None),
    ],
)
def test_comparison_period_is_the_previous_or_same_period_last_year(period, seasonal, expected):
    found = comparison_period(QUARTERS, parse_period(period), seasonal=seasonal)
    assert (found.code if found else None) == expected


def test_comparison_period_takes_codes_too():
    codes = ["2015/16", "2016/17", "2017/18"]
    assert comparison_period(codes, "2017/18", seasonal=False) == parse_period("2016/17")
    assert comparison_period(codes, "2017/18", seasonal=True) == parse_period("2016/17")
    assert comparison_period(["2017-12", "2018-01"], "2018-01", seasonal=True) is None


@pytest.mark.parametrize(
    "code, seasonal, phrase",
    [
        ("2017/18 Q3", False, "previous quarter"),
        ("2017/18 Q3", True, "same quarter last year"),
        ("2018-01", False, "previous month"),
        ("2018-01", True, "same month last year"),
        ("2017/18", False, "previous year"),
        ("2017/18", True, "previous year"),
        ("2017", False, "previous year"),
        ("AY2017/18", False, "previous year"),
    ],
)
def test_comparison_phrase(code, seasonal, phrase):
    assert comparison_phrase(parse_period(code), seasonal=seasonal) == phrase


# -- Formatting ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, unit, decimals, text",
    [
        (42.1, "%", 1, "42.1%"),
        (79, "%", 2, "79.00%"),
        (-0.01, "%", 1, "0.0%"),
        (1216, "count", 0, "1,216"),
        (1234567.891, "count", 1, "1,234,567.9"),
        (1250, "£", 0, "£1,250"),
        (-32, "£", 0, "-£32"),
        (1250.5, "£", 2, "£1,250.50"),
        (8.5, "days", 1, "8.5 days"),
        (1, "days", 0, "1 day"),
        (53.24, "rate per 1,000", 1, "53.2 per 1,000"),
        (295.41, "rate per 10,000", 2, "295.41 per 10,000"),
        (403.6, "FTE", 1, "403.6 FTE"),
    ],
)
def test_format_value(value, unit, decimals, text):
    assert format_value(value, unit, decimals) == text


@pytest.mark.parametrize(
    "change, unit, decimals, text",
    [
        (3.2, "%", 1, "3.2 points"),
        (-3.2, "%", 1, "3.2 points"),
        (1, "%", 0, "1 point"),
        (0.04, "%", 1, "less than 0.1 points"),
        (-1200, "count", 0, "1,200"),
        (500, "£", 0, "£500"),
        (0.2, "£", 0, "less than £1"),
        (1.5, "days", 1, "1.5 days"),
    ],
)
def test_format_change(change, unit, decimals, text):
    assert format_change(change, unit, decimals) == text


# -- Sentences -----------------------------------------------------------------------------------


def _sentence(value, previous, *, polarity, unit="%", decimals=1, target=None, tolerance=0.0,
              period="2017/18 Q3", comparison="previous quarter", symbol=None):  # fmt: skip
    direction = direction_of_travel(value, previous, polarity=polarity, tolerance=tolerance)
    return describe_latest(
        value,
        unit=unit,
        decimals=decimals,
        period_label=period,
        direction=direction,
        comparison=comparison,
        target=target,
        polarity=polarity,
        symbol=symbol,
    )


@pytest.mark.parametrize(
    "kwargs, sentence",
    [
        # Percentages: changes are in points.
        (dict(value=42.1, previous=38.9, polarity=UP_IS_GOOD, target=40.0),
         "42.1% in 2017/18 Q3, up 3.2 points on the previous quarter: better, "
         "and above the 40% target."),
        (dict(value=11.76, previous=4.9, polarity=UP_IS_BAD, decimals=2, target=10.0,
              period="2017/18", comparison="previous year"),
         "11.76% in 2017/18, up 6.86 points on the previous year: worse, "
         "and above the 10% target."),
        (dict(value=88.38, previous=59.6, polarity=UP_IS_GOOD, target=90.5),
         "88.4% in 2017/18 Q3, up 28.8 points on the previous quarter: better, "
         "and below the 90.5% target."),
        (dict(value=90.0, previous=93.1, polarity=UP_IS_GOOD, target=90.0),
         "90.0% in 2017/18 Q3, down 3.1 points on the previous quarter: worse, "
         "and meeting the 90% target."),
        (dict(value=45.0, previous=45.0, polarity=UP_IS_GOOD, target=40.0),
         "45.0% in 2017/18 Q3, no change on the previous quarter, and above the 40% target."),
        (dict(value=45.3, previous=45.0, polarity=UP_IS_GOOD, tolerance=0.5),
         "45.3% in 2017/18 Q3, about the same as the previous quarter."),
        (dict(value=45.02, previous=45.0, polarity=UP_IS_BAD),
         "45.0% in 2017/18 Q3, up less than 0.1 points on the previous quarter: worse."),
        (dict(value=64.0, previous=None, polarity=UP_IS_GOOD, target=60.0),
         "64.0% in 2017/18 Q3, with no figure for the previous quarter to compare with, "
         "and above the 60% target."),
        # Counts: thousands separators.
        (dict(value=1216, previous=689, polarity=NEUTRAL, unit="count", decimals=0,
              period="2016/17", comparison="previous year"),
         "1,216 in 2016/17, up 527 on the previous year."),
        (dict(value=12, previous=16, polarity=UP_IS_BAD, unit="count", decimals=0,
              period="2017/18", comparison="previous year", target=15),
         "12 in 2017/18, down 4 on the previous year: better, and below the 15 target."),
        # Money: a pound sign before the number, including the change.
        (dict(value=1250, previous=1500, polarity=UP_IS_BAD, unit="£", decimals=0,
              target=1000),
         "£1,250 in 2017/18 Q3, down £250 on the previous quarter: better, "
         "and above the £1,000 target."),
        (dict(value=-32, previous=10, polarity=UP_IS_BAD, unit="£", decimals=0),
         "-£32 in 2017/18 Q3, down £42 on the previous quarter: better."),
        # Neutral: movement but never better or worse.
        (dict(value=53.24, previous=55, polarity=NEUTRAL, unit="rate per 10,000",
              decimals=2, period="2017/18", comparison="previous year"),
         "53.24 per 10,000 in 2017/18, down 1.76 per 10,000 on the previous year."),
        (dict(value=197, previous=197, polarity=NEUTRAL, unit="count", decimals=0,
              period="January 2018", comparison="same month last year"),
         "197 in January 2018, no change on the same month last year."),
        # Days.
        (dict(value=8.5, previous=10, polarity=UP_IS_BAD, unit="days", target=9,
              period="2017/18", comparison="previous year"),
         "8.5 days in 2017/18, down 1.5 days on the previous year: better, "
         "and below the 9 days target."),
    ],
)  # fmt: skip
def test_describe_latest(kwargs, sentence):
    assert _sentence(**kwargs) == sentence


def test_describe_latest_without_a_comparison():
    text = describe_latest(
        42.1,
        unit="%",
        decimals=1,
        period_label="October to December 2017 (2017/18 Q3)",
        direction=None,
        comparison="previous quarter",
        target=40,
        polarity=UP_IS_GOOD,
    )
    assert text == "42.1% in October to December 2017 (2017/18 Q3), above the 40% target."


@pytest.mark.parametrize(
    "symbol, sentence",
    [
        ("[c]", "No figure for 2017/18 Q3: withheld because the numbers are small enough to "
         "identify people."),
        ("[x]", "No figure for 2017/18 Q3: not available."),
        ("[z]", "No figure for 2017/18 Q3: not applicable."),
        (None, "No figure for 2017/18 Q3."),
    ],
)  # fmt: skip
def test_describe_latest_with_a_withheld_value(symbol, sentence):
    assert _sentence(None, 45.0, polarity=UP_IS_GOOD, target=40, symbol=symbol) == sentence


def test_neutral_sentences_never_judge_even_if_handed_a_judgement():
    direction = Direction(UP, BETTER, 2.0)
    text = describe_latest(
        12.0,
        unit="count",
        decimals=0,
        period_label="2017/18",
        direction=direction,
        comparison="previous year",
        polarity=NEUTRAL,
    )
    assert text == "12 in 2017/18, up 2 on the previous year."
