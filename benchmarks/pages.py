"""Whole pages through the Flask test client: routing, services, database, templates.

No network and no WSGI server, so the figures are the application's own time per request;
a real server adds its own (small) overhead on top.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from flask import Flask

from benchmarks.instance import Sample
from benchmarks.timing import Stats, measure
from benchmarks.vocabulary import COMMON_WORD


@dataclass(frozen=True)
class PageRow:
    label: str
    example: str
    distinct: int
    bytes: int
    stats: Stats | None
    error: str | None = None


class PageFailed(Exception):
    """A page did not answer 200: the row is reported as failed and the benchmark goes on."""


def dataset_url(name: str) -> str:
    return f"/datasets/{quote(name)}"


def resource_url(name: str, resource_id: str) -> str:
    return f"/datasets/{quote(name)}/resources/{resource_id}"


def page_set(sample: Sample) -> list[tuple[str, list[str]]]:
    """What to request: each entry cycles through its URLs, so pages are not all the same one."""
    return [
        ("home page", ["/"]),
        ("dataset page", [dataset_url(n) for n in sample.datasets]),
        ("resource page with preview", [resource_url(n, r) for n, r in sample.csv_resources]),
        (f"search page ?q={COMMON_WORD}", [f"/datasets?q={COMMON_WORD}"]),
        ("search page, no text (all facets)", ["/datasets"]),
        (
            "search page ?q=schools&topic=...",
            ["/datasets?q=schools&topic=education-and-skills&sort=updated"],
        ),
    ]


def run(
    app: Flask, pages: Sequence[tuple[str, Sequence[str]]], *, runs: int, warmup: int
) -> list[PageRow]:
    client = app.test_client()
    rows = []
    for label, urls in pages:
        if not urls:
            rows.append(PageRow(label, "", 0, 0, None, "nothing of this kind in the catalogue"))
            continue

        def get(i: int, urls: Sequence[str] = urls) -> int:
            response = client.get(urls[i % len(urls)])
            if response.status_code != 200:
                raise PageFailed(f"{urls[i % len(urls)]} answered {response.status_code}")
            return len(response.data)

        try:
            size = get(0)
            stats = measure(get, runs=runs, warmup=warmup)
        except PageFailed as failure:
            rows.append(PageRow(label, urls[0], len(urls), 0, None, str(failure)))
            continue
        except Exception as error:  # the error page itself broke: report it, time the rest
            failure = f"{urls[0]} raised {type(error).__name__}: {error}"
            rows.append(PageRow(label, urls[0], len(urls), 0, None, failure))
            continue
        rows.append(PageRow(label, urls[0], len(urls), size, stats))
    return rows
