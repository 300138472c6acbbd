"""What a KPI chart shows, taken from an indicator and its derived summary.

A series of quarters (or months) may also give the figure for the whole year; in a
year-to-date series that is the last quarter's figure under another name. It is not a point on
the quarterly line (which would read as a fifth quarter, or a jump), but its own level across
the periods of its year, named in the legend.
"""

from __future__ import annotations

from catalog.indicators.scorecard import Figure, Summary
from catalog.periods import FINANCIAL_YEAR, parse_period
from opendata.charts import ChartData, ChartPoint


def chart_data(summary: Summary) -> ChartData:
    indicator, observations = summary.indicator, summary.figures
    years, periods = _years_apart(observations)
    has_benchmark = any(o.benchmark_england is not None for o in periods)
    return ChartData(
        title=f"{indicator.ref}: {indicator.title}",
        description=summary.sentence,
        unit=indicator.unit,
        decimals=indicator.decimals,
        points=[
            ChartPoint(
                period=o.period,
                value=o.value,
                symbol=o.symbol,
                provisional=o.status == "provisional",
                target=o.target,
                benchmark=o.benchmark_england,
                year=_year_value(years, o),
            )
            for o in periods
        ],
        benchmark_label="England average" if has_benchmark else None,
    )


def _years_apart(figures: list[Figure]) -> tuple[list[Figure], list[Figure]]:
    """(whole-year figures, the rest) when the series has shorter periods beside its years;
    otherwise the years are the series."""
    kinds = [parse_period(f.period).kind for f in figures]
    if all(kind == FINANCIAL_YEAR for kind in kinds):
        return [], figures
    years = [f for f, kind in zip(figures, kinds, strict=True) if kind == FINANCIAL_YEAR]
    rest = [f for f, kind in zip(figures, kinds, strict=True) if kind != FINANCIAL_YEAR]
    return years, rest


def _year_value(years: list[Figure], figure: Figure) -> float | None:
    for year in years:
        if year.period_start <= figure.period_start and figure.period_end <= year.period_end:
            return year.value
    return None
