"""`opendata demo` gives a resident a full catalogue to explore, the same on every run."""

from __future__ import annotations

import re

from tests.pages import listed_datasets, parse_page, results_count, texts
from tests.web.test_indicators import listed_refs


def test_demo_catalogue_is_complete_searchable_and_loads_once(runner, client):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    added = int(re.search(r"(\d+) datasets added", first.output).group(1))
    assert added >= 30 + 50
    assert results_count(parse_page(client.get("/datasets"))) == f"{added} datasets found"
    assert "Spend over £500: 2025/26" in listed_datasets(
        parse_page(client.get("/datasets?q=spend"))
    )
    topics = texts(parse_page(client.get("/topics")), ".app-topic-grid__item h2")
    for theme in ["Health and wellbeing", "Education and skills", "Transport", "Housing"]:
        assert theme in topics
    indicators = listed_refs(client.get("/indicators"))
    assert "CSS7" in indicators and "CP-HW01" in indicators
    again = runner.invoke(args=["demo"])
    assert "0 datasets added" in again.output
    assert results_count(parse_page(client.get("/datasets"))) == f"{added} datasets found"
