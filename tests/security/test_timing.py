"""An unpublished name and a name that does not exist answer alike and in the same time.

The one timing test the project keeps (issue 17 asks for it): a draft once took 10.7 ms to be
refused by `package_show` where an unknown name took 6.1 ms, with the same body, so anyone
could tell which names were being prepared. Calls alternate between the two names so that
whatever else the machine is doing falls on both alike; the medians of a few hundred calls
each must be within MAX_GAP_MS.
"""

from __future__ import annotations

import re
import statistics
import time

import pytest

CALLS = 300
MAX_GAP_MS = 1.5
DRAFT = "quiet-preparations"
UNKNOWN = "quiet-nothingness"
CSV = b"ward,count,note\r\n" + b"".join(b"Ward %d,%d,a note\r\n" % (n, n) for n in range(200))

NONCE = re.compile(rb'nonce="[^"]*"')
SURFACES = [
    "/api/3/action/package_show?id={name}",
    "/api/3/action/package_activity_list?id={name}",
    "/datasets/{name}",
    "/datasets/{name}/datapackage.json",
]


@pytest.fixture
def draft(catalogue):
    """An unpublished dataset with all a real one holds: files, tags, a topic and history."""
    catalogue.dataset("published-neighbour", files={"counts.csv": CSV})
    return catalogue.dataset(
        DRAFT,
        files={f"counts-{n}.csv": CSV for n in range(3)},
        publish=False,
        description="Figures not yet released.",
        tags=["wards", "counts", "draft"],
        topics=["education-and-skills"],
    )


def _said(response, name: str) -> bytes:
    """The body without the name asked for and the page's one-off script nonce."""
    return NONCE.sub(b"", response.get_data().replace(name.encode(), b""))


def _timed(client, url: str, timings: list[float]) -> None:
    """The processor time the request took in this thread (the app runs in it): what the
    app does for the name, without the time other programs on a busy machine took."""
    started = time.thread_time()
    client.get(url)
    timings.append((time.thread_time() - started) * 1000)


@pytest.mark.parametrize("surface", SURFACES)
def test_an_unpublished_name_answers_like_an_unknown_one_in_the_same_time(client, draft, surface):
    drafted, unknown = surface.format(name=DRAFT), surface.format(name=UNKNOWN)
    first, second = client.get(drafted), client.get(unknown)
    assert first.status_code == second.status_code == 404
    assert _said(first, DRAFT) == _said(second, UNKNOWN)
    for _warm in range(20):
        client.get(drafted), client.get(unknown)
    draft_ms: list[float] = []
    unknown_ms: list[float] = []
    for call in range(CALLS):  # each goes first in turn
        pair = [(drafted, draft_ms), (unknown, unknown_ms)]
        for url, timings in pair if call % 2 else reversed(pair):
            _timed(client, url, timings)
    gap = statistics.median(draft_ms) - statistics.median(unknown_ms)
    assert abs(gap) < MAX_GAP_MS, (
        f"{surface}: unpublished {statistics.median(draft_ms):.2f} ms, "
        f"unknown {statistics.median(unknown_ms):.2f} ms"
    )
