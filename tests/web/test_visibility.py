"""Nothing unpublished leaks: drafts and embargoed datasets show on no page, search or download."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from catalog.clock import frozen_at

SECRET = b"Ward,Budget\r\nGuildhall,1000000\r\n"


def _surfaces(client, resource_id: str, name: str) -> dict[str, tuple[int, str]]:
    base = f"/datasets/{name}/resources/{resource_id}"
    urls = [
        "/",
        "/datasets",
        "/datasets?q=embargoed",
        "/datasets?q=budget",
        "/topics",
        "/topics/education-and-skills",
        "/organisations",
        "/organisations/children-education",
        f"/datasets/{name}",
        f"/dataset/{name}",
        base,
        f"{base}/versions/1",
        f"{base}/explore",
        f"{base}/download/budget.csv",
        f"{base}/versions/1/download/budget.csv",
    ]
    found = {}
    for url in urls:
        response = client.get(url, follow_redirects=True)
        found[url] = (response.status_code, response.get_data(as_text=True))
    return found


def _leaks(surfaces) -> list[str]:
    return [
        url
        for url, (status, body) in surfaces.items()
        if status == 200 and ("Embargoed budget" in body or "1000000" in body)
    ]


def test_a_draft_appears_nowhere(client, catalogue):
    draft = catalogue.dataset(
        "embargoed-budget",
        title="Embargoed budget",
        topics=["education-and-skills"],
        files={"budget.csv": SECRET},
        publish=False,
    )
    surfaces = _surfaces(client, draft.resources[0].id, draft.name)
    assert _leaks(surfaces) == []
    assert surfaces["/datasets/embargoed-budget"][0] == 404
    assert "0 datasets" in surfaces["/topics"][1]


@pytest.mark.parametrize("offset, visible", [(-1, False), (0, True), (1, True)])
def test_an_embargo_lifts_at_its_second_and_not_before(client, catalogue, offset, visible):
    release = datetime(2031, 4, 1, 9, 30, 0)
    dataset = catalogue.dataset(
        "embargoed-budget",
        title="Embargoed budget",
        topics=["education-and-skills"],
        files={"budget.csv": SECRET},
        publish=release,
    )
    with frozen_at(release + timedelta(seconds=offset)):
        surfaces = _surfaces(client, dataset.resources[0].id, dataset.name)
    leaks = _leaks(surfaces)
    if visible:
        assert set(leaks) == set(surfaces) - {"/topics", "/organisations"}
    else:
        assert leaks == []
