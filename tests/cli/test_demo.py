"""`opendata demo` gives a resident a full catalogue to explore, the same on every run."""

from __future__ import annotations

import re


def test_demo_catalogue_is_complete_searchable_and_loads_once(runner, client):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    added = int(re.search(r"(\d+) datasets added", first.output).group(1))
    assert added >= 30 + 50
    listing = client.get("/datasets").text
    assert f"{added} datasets found" in listing
    assert "Spend over £500: 2025/26" in client.get("/datasets?q=spend").text
    topics = client.get("/topics").text
    for theme in ["Health and wellbeing", "Education and skills", "Transport", "Housing"]:
        assert theme in topics
    indicators = client.get("/indicators").text
    assert "CSS7" in indicators and "CP-HW01" in indicators
    again = runner.invoke(args=["demo"])
    assert "0 datasets added" in again.output
    assert f"{added} datasets found" in client.get("/datasets").text
