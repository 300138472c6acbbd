"""KPI series: indicators and their observations, and what is derived from them.

Holds the write path and publication of indicators (`series`), values derived from a series,
never stored (`performance`: direction of travel, RAG), and the public reading of series
(`scorecard`). A published indicator is also a dataset, so this room uses `publishing` and
`tables` below it, and the core.
"""
