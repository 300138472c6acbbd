"""Periods as York and other councils write them read to one canonical code with its dates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from catalog.errors import Invalid
from catalog.periods import (
    ACADEMIC_YEAR,
    CALENDAR_YEAR,
    FINANCIAL_YEAR,
    MONTH,
    QUARTER,
    Period,
    make_period,
    next_period,
    parse_period,
)


@pytest.mark.parametrize(
    "text, code, kind, start, end",
    [
        # Financial years, as in York's Table 3.3 column headings ("2017/18 Result").
        ("2017/18", "2017/18", FINANCIAL_YEAR, date(2017, 4, 1), date(2018, 3, 31)),
        ("2017-18", "2017/18", FINANCIAL_YEAR, date(2017, 4, 1), date(2018, 3, 31)),
        ("2017/2018", "2017/18", FINANCIAL_YEAR, date(2017, 4, 1), date(2018, 3, 31)),
        ("2017-2018", "2017/18", FINANCIAL_YEAR, date(2017, 4, 1), date(2018, 3, 31)),
        ("FY 2017/18", "2017/18", FINANCIAL_YEAR, date(2017, 4, 1), date(2018, 3, 31)),
        ("fy2017/18", "2017/18", FINANCIAL_YEAR, date(2017, 4, 1), date(2018, 3, 31)),
        ("2017 / 18", "2017/18", FINANCIAL_YEAR, date(2017, 4, 1), date(2018, 3, 31)),
        ("2017/18 financial year", "2017/18", FINANCIAL_YEAR, date(2017, 4, 1), date(2018, 3, 31)),
        ("2017–18", "2017/18", FINANCIAL_YEAR, date(2017, 4, 1), date(2018, 3, 31)),
        ("1999/00", "1999/00", FINANCIAL_YEAR, date(1999, 4, 1), date(2000, 3, 31)),
        ("2019/20", "2019/20", FINANCIAL_YEAR, date(2019, 4, 1), date(2020, 3, 31)),
        # Quarters follow the financial year.
        ("Q3 2017/18", "2017/18 Q3", QUARTER, date(2017, 10, 1), date(2017, 12, 31)),
        ("2017/18 Q3", "2017/18 Q3", QUARTER, date(2017, 10, 1), date(2017, 12, 31)),
        ("2017-18 Q3", "2017/18 Q3", QUARTER, date(2017, 10, 1), date(2017, 12, 31)),
        ("Qtr 3 2017/18", "2017/18 Q3", QUARTER, date(2017, 10, 1), date(2017, 12, 31)),
        ("Quarter 3 2017-18", "2017/18 Q3", QUARTER, date(2017, 10, 1), date(2017, 12, 31)),
        ("  q3   2017/2018 ", "2017/18 Q3", QUARTER, date(2017, 10, 1), date(2017, 12, 31)),
        ("2017/18 Q1", "2017/18 Q1", QUARTER, date(2017, 4, 1), date(2017, 6, 30)),
        ("2017/18 Q2", "2017/18 Q2", QUARTER, date(2017, 7, 1), date(2017, 9, 30)),
        ("2017/18 Q4", "2017/18 Q4", QUARTER, date(2018, 1, 1), date(2018, 3, 31)),
        ("Apr-Jun 2017", "2017/18 Q1", QUARTER, date(2017, 4, 1), date(2017, 6, 30)),
        ("April - June 2017", "2017/18 Q1", QUARTER, date(2017, 4, 1), date(2017, 6, 30)),
        ("April to June 2017", "2017/18 Q1", QUARTER, date(2017, 4, 1), date(2017, 6, 30)),
        ("Jul–Sep 2017", "2017/18 Q2", QUARTER, date(2017, 7, 1), date(2017, 9, 30)),
        ("Oct-Dec 2017", "2017/18 Q3", QUARTER, date(2017, 10, 1), date(2017, 12, 31)),
        ("Jan-Mar 2018", "2017/18 Q4", QUARTER, date(2018, 1, 1), date(2018, 3, 31)),
        ("JAN-MAR 2020", "2019/20 Q4", QUARTER, date(2020, 1, 1), date(2020, 3, 31)),
        # Months.
        ("2018-01", "2018-01", MONTH, date(2018, 1, 1), date(2018, 1, 31)),
        ("Jan 2018", "2018-01", MONTH, date(2018, 1, 1), date(2018, 1, 31)),
        ("January 2018", "2018-01", MONTH, date(2018, 1, 1), date(2018, 1, 31)),
        ("01/2018", "2018-01", MONTH, date(2018, 1, 1), date(2018, 1, 31)),
        ("1/2018", "2018-01", MONTH, date(2018, 1, 1), date(2018, 1, 31)),
        ("Sept 2017", "2017-09", MONTH, date(2017, 9, 1), date(2017, 9, 30)),
        ("Feb 2016", "2016-02", MONTH, date(2016, 2, 1), date(2016, 2, 29)),
        ("2018-02", "2018-02", MONTH, date(2018, 2, 1), date(2018, 2, 28)),
        # YYYY-MM is always a month, even where it could be read as a financial year.
        ("2011-12", "2011-12", MONTH, date(2011, 12, 1), date(2011, 12, 31)),
        # Calendar years.
        ("2017", "2017", CALENDAR_YEAR, date(2017, 1, 1), date(2017, 12, 31)),
        # Academic years.
        ("AY2017/18", "AY2017/18", ACADEMIC_YEAR, date(2017, 9, 1), date(2018, 8, 31)),
        ("ay 2017-18", "AY2017/18", ACADEMIC_YEAR, date(2017, 9, 1), date(2018, 8, 31)),
        ("2017/18 academic year", "AY2017/18", ACADEMIC_YEAR, date(2017, 9, 1), date(2018, 8, 31)),
        ("Academic Year 2017/18", "AY2017/18", ACADEMIC_YEAR, date(2017, 9, 1), date(2018, 8, 31)),
    ],
)
def test_council_forms_read_to_one_canonical_period(text, code, kind, start, end):
    period = parse_period(text)
    assert (period.code, period.kind, period.start, period.end) == (code, kind, start, end)


@pytest.mark.parametrize(
    "text, code",
    [
        ("2017/18", "AY2017/18"),
        ("2017-2018", "AY2017/18"),
        ("AY2017/18", "AY2017/18"),
        # Only a bare pair changes meaning: a quarter, a marked financial year and a month do not.
        ("FY 2017/18", "2017/18"),
        ("2017/18 financial year", "2017/18"),
        ("2017/18 Q3", "2017/18 Q3"),
        ("2018-01", "2018-01"),
    ],
)
def test_academic_series_read_a_bare_pair_as_an_academic_year(text, code):
    assert parse_period(text, academic=True).code == code


@pytest.mark.parametrize(
    "code, label",
    [
        ("2017/18 Q1", "April to June 2017 (2017/18 Q1)"),
        ("2017/18 Q3", "October to December 2017 (2017/18 Q3)"),
        ("2017/18 Q4", "January to March 2018 (2017/18 Q4)"),
        ("2017/18", "2017/18 financial year"),
        ("2018-01", "January 2018"),
        ("2017", "2017"),
        ("AY2017/18", "2017/18 academic year"),
    ],
)
def test_labels_are_plain_english(code, label):
    assert parse_period(code).label == label


@pytest.mark.parametrize(
    "code", ["2017/18", "1999/00", "2017/18 Q1", "2017/18 Q4", "2018-01", "2017", "AY2017/18"]
)
def test_canonical_codes_read_back_to_themselves(code):
    period = parse_period(code)
    assert period.code == code == str(period)
    assert parse_period(period.code, academic=period.kind == ACADEMIC_YEAR) == period


@pytest.mark.parametrize(
    "text, message",
    [
        ("2017/19", "'2017/19' is not a period: the years of a financial year must follow each "
         "other, as in 2017/18."),
        ("2017-2019", "the years of a financial year must follow each other"),
        ("2018/17", "the years of a financial year must follow each other"),
        ("2017/19 Q3", "the years of a financial year must follow each other"),
        ("AY2017/19", "the years of an academic year must follow each other, as in AY2017/18."),
        ("Q5 2017/18", "'Q5 2017/18' is not a period: a quarter is numbered 1 to 4"),
        ("2017/18 Q0", "a quarter is numbered 1 to 4, as in 2017/18 Q3."),
        ("Feb-Apr 2017", "a range of months must be a quarter of the financial year: Apr-Jun, "
         "Jul-Sep, Oct-Dec or Jan-Mar"),
        ("Apr-Sep 2017", "a range of months must be a quarter"),
        ("Jun-Apr 2017", "a range of months must be a quarter"),
        ("Q3 2017", "a quarter needs its financial year, as in 2017/18 Q3 or Q3 2017/18"),
        ("2017 Q3", "a quarter needs its financial year"),
        ("Smarch 2018", "'smarch' is not a month; write Jan or January."),
        ("Jan-Foo 2018", "'foo' is not a month"),
        ("1899", "years must be between 1900 and 2099."),
        ("2107/08", "years must be between 1900 and 2099."),
        ("13/2018", "it is not a form we recognise. Write a financial year as 2017/18, a quarter "
         "as 2017/18 Q3 or Oct-Dec 2017, a month as 2018-01 or January 2018, a calendar year as "
         "2017, or an academic year as AY2017/18."),
        ("17/18", "'17/18' is not a period: it is not a form we recognise."),
        ("last quarter", "it is not a form we recognise"),
        ("2017/18/19", "it is not a form we recognise"),
        ("", "A period is needed. Write a financial year as 2017/18"),
        ("   ", "A period is needed."),
    ],
)  # fmt: skip
def test_wrong_forms_say_what_is_wrong_and_how_to_write_it(text, message):
    with pytest.raises(Invalid) as caught:
        parse_period(text)
    assert message in caught.value.message
    assert caught.value.field == "period"


def test_none_is_refused_as_a_missing_period():
    with pytest.raises(Invalid, match="A period is needed"):
        parse_period(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "code, previous, year_before",
    [
        ("2017/18", "2016/17", "2016/17"),
        ("1999/00", "1998/99", "1998/99"),
        ("2017/18 Q3", "2017/18 Q2", "2016/17 Q3"),
        ("2017/18 Q1", "2016/17 Q4", "2016/17 Q1"),
        ("2017/18 Q4", "2017/18 Q3", "2016/17 Q4"),
        ("2018-01", "2017-12", "2017-01"),
        ("2018-03", "2018-02", "2017-03"),
        ("2016-02", "2016-01", "2015-02"),
        ("2017", "2016", "2016"),
        ("AY2017/18", "AY2016/17", "AY2016/17"),
    ],
)
def test_previous_and_year_before(code, previous, year_before):
    period = parse_period(code)
    assert period.previous().code == previous
    assert period.year_before().code == year_before
    assert period.previous().kind == period.year_before().kind == period.kind


@pytest.mark.parametrize(
    "codes, following",
    [
        (["2017/18"], "2018/19"),
        (["2017/18 Q3"], "2017/18 Q4"),
        (["2017/18 Q4"], "2018/19 Q1"),
        (["2018-01"], "2018-02"),
        (["2018-12"], "2019-01"),
        (["2017"], "2018"),
        (["AY2017/18"], "AY2018/19"),
        (["2017/18 Q2", None, "2017/18 Q3", "2017/18 Q1"], "2017/18 Q4"),
        (["", "sometime", None], ""),
        ([], ""),
    ],
)
def test_next_period_follows_the_latest(codes, following):
    assert next_period(codes) == following


@pytest.mark.parametrize("code", ["2018/19 Q2", "2018-02", "2018/19", "2018", "AY2018/19"])
def test_following_periods_run_on_without_gaps_or_overlaps(code):
    period = parse_period(code)
    for _ in range(14):
        after = period.following()
        assert period.end + timedelta(days=1) == after.start
        assert after.previous() == period
        period = after


@pytest.mark.parametrize("code", ["2018/19 Q2", "2018-02", "2018/19", "2018", "AY2018/19"])
def test_previous_periods_run_back_without_gaps_or_overlaps(code):
    period = parse_period(code)
    for _ in range(14):
        before = period.previous()
        assert before.end + timedelta(days=1) == period.start
        period = before


def test_periods_sort_by_start_date():
    codes = ["2018-01", "2017/18 Q3", "2017", "AY2017/18", "2016/17", "2017/18", "2017/18 Q1"]
    ordered = sorted(parse_period(code) for code in codes)
    assert [p.code for p in ordered] == [
        "2016/17",
        "2017",
        "2017/18 Q1",
        "2017/18",
        "AY2017/18",
        "2017/18 Q3",
        "2018-01",
    ]
    assert parse_period("2017/18 Q3") < parse_period("2017/18 Q4")
    assert parse_period("2017/18 Q4") >= parse_period("Jan-Mar 2018")
    assert max(parse_period(c) for c in ["2017/18", "2018/19", "2016/17"]).code == "2018/19"


def test_periods_are_frozen_hashable_and_equal_by_value():
    period = parse_period("Oct-Dec 2017")
    assert period == parse_period("Q3 2017/18") == Period.quarter(2017, 3)
    assert len({period, parse_period("2017/18 Q3")}) == 1
    with pytest.raises(AttributeError):
        period.code = "2017/18 Q4"  # type: ignore[misc]


def test_constructors_match_parsing():
    assert Period.financial_year(2017) == parse_period("2017/18")
    assert Period.quarter(2017, 4) == parse_period("Jan-Mar 2018")
    assert Period.month(2018, 1) == parse_period("January 2018")
    assert Period.calendar_year(2017) == parse_period("2017")
    assert Period.academic_year(2017) == parse_period("AY2017/18")
    assert make_period(QUARTER, 2017, 3) == parse_period("2017/18 Q3")
    with pytest.raises(ValueError):
        make_period(QUARTER, 2017, 5)
    with pytest.raises(ValueError):
        make_period("fortnight", 2017)
