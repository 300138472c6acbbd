"""What a KPI chart shows, taken from an indicator and its derived summary."""

from __future__ import annotations

from catalog.indicators.scorecard import Summary
from opendata.charts import ChartData, ChartPoint


def chart_data(summary: Summary) -> ChartData:
    indicator, observations = summary.indicator, summary.figures
    has_benchmark = any(o.benchmark_england is not None for o in observations)
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
            )
            for o in observations
        ],
        benchmark_label="England average" if has_benchmark else None,
    )
