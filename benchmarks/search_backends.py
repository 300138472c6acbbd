"""Whoosh beside PostgreSQL full-text search: the same documents, the same queries, p95 of each.

`python -m benchmarks.search_backends --database-url postgresql+psycopg://...` (an empty,
throwaway database: its search tables are emptied). The documents are the generated
20,000-dataset catalogue's (`generate.py`, the same seed as `make bench`), made into search
documents as `catalog.search.documents` makes them (title, description, tags, topics, publisher,
formats, CSV column names, file titles and descriptions, release times). They are indexed
straight into each backend, so the comparison needs neither the 18-minute build through the
services nor the catalogue rows: `backend.search` is what differs between the backends, and the
rest of `find_datasets` (loading the page of datasets) is the same for both.

"warm" is a query asked again with nothing written in between (each backend remembers answers
or their parts); "after a write" is the first search after one document was written again,
as any publish does, which each backend must then answer afresh.

Each query is asked as `find_datasets` asks it (synonyms applied, the time filled in). The
answers of the two backends are compared: "agree" means the same total, the same page of hits in
the same order, the same facet counts and the same "did you mean"; the run fails if any differ.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

from benchmarks import machine
from benchmarks.generate import SEED, DatasetSpec, generate
from benchmarks.search import QUERIES
from benchmarks.timing import Stats, measure, table
from benchmarks.vocabulary import SUBJECTS
from catalog.clock import utcnow
from catalog.db import make_engine
from catalog.migrate import upgrade
from catalog.search import SearchBackend, SearchDocument, SearchQuery, SearchResults
from catalog.search.postgres_backend import PostgresBackend
from catalog.search.query_language import parse
from catalog.search.synonyms import with_synonyms
from catalog.search.whoosh_backend import WhooshBackend

CKAN_QUERY = "tags:parking OR groups:transport metadata_modified:[NOW-5YEARS TO *]"


def documents(specs: list[DatasetSpec]) -> list[SearchDocument]:
    """The generated datasets as the search index would hold them today."""
    now = utcnow()
    made = []
    for spec in specs:
        released = spec.published_at
        if spec.release == "scheduled":
            released = now + timedelta(days=1 + spec.created_at.toordinal() % 300)
        elif spec.release == "draft":
            released = None
        csv = [SUBJECTS[f.content_key[1]] for f in spec.files if f.format == "csv"]
        made.append(
            SearchDocument(
                id=str(uuid.uuid5(uuid.NAMESPACE_URL, spec.name)),
                name=spec.name,
                title=spec.title,
                description=spec.description,
                released_at=released,
                updated_at=spec.published_at or spec.created_at,
                created_at=spec.created_at,
                organisation=spec.organisation,
                topics=tuple(spec.topics),
                tags=tuple(spec.tags),
                formats=tuple(dict.fromkeys(f.format.upper() for f in spec.files)),
                licence="OGL-UK-3.0",
                frequency=spec.frequency,
                columns=tuple(name for subject in csv for name, _ in subject.columns),
                resource_text=" ".join(t for f in spec.files for t in (f.title, f.description)),
            )
        )
    return made


def queries() -> list[tuple[str, SearchQuery]]:
    """The search benchmark's queries, and a CKAN client's, as `find_datasets` asks them."""
    now = utcnow()
    ckan = SearchQuery(expression=parse(CKAN_QUERY, param="q", now=now), per_page=20)
    asked = [*QUERIES, (f"CKAN q={CKAN_QUERY}", ckan)]
    return [(label, replace(with_synonyms(query), now=now)) for label, query in asked]


@dataclass(frozen=True)
class Row:
    label: str
    totals: tuple[int, int]
    agree: bool
    whoosh: Stats
    postgres: Stats
    whoosh_cold: Stats
    postgres_cold: Stats


def _answer(results: SearchResults) -> tuple:
    return results.total, results.ids, results.facets, results.suggestion


def _timed(backend: SearchBackend, query: SearchQuery, runs: int, warmup: int) -> Stats:
    return measure(lambda _i: backend.search(query), runs=runs, warmup=warmup)


def _after_a_write(
    backend: SearchBackend, doc: SearchDocument, query: SearchQuery, runs: int
) -> Stats:
    samples = []
    for _ in range(runs):
        backend.index(doc)
        started = time.perf_counter()
        backend.search(query)
        samples.append((time.perf_counter() - started) * 1000)
    return Stats.of(samples)


def _index(backend: SearchBackend, docs: list[SearchDocument]) -> float:
    started = time.perf_counter()
    backend.clear()
    backend.index_many(docs)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.search_backends")
    parser.add_argument("--database-url", required=True, help="a throwaway PostgreSQL database")
    parser.add_argument("--datasets", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--writes", type=int, default=20, help="writes, each then a search")
    args = parser.parse_args(argv)

    for key, value in machine.describe().items():
        print(f"  {key:<10} {value}")
    docs = documents(generate(args.datasets, SEED))
    public = sum(1 for d in docs if d.released_at and d.released_at <= utcnow())
    engine = make_engine(args.database_url)
    upgrade(engine)
    with tempfile.TemporaryDirectory(prefix="opendata-search-") as folder:
        backends = {"whoosh": WhooshBackend(Path(folder)), "postgres": PostgresBackend(engine)}
        seconds = {name: _index(b, docs) for name, b in backends.items()}
        print(f"\n{len(docs):,} documents ({public:,} public) indexed in ", end="")
        print(", ".join(f"{name} {s:.1f} s" for name, s in seconds.items()))
        rows = []
        for label, query in queries():
            found = {name: b.search(query) for name, b in backends.items()}
            whoosh, postgres = found["whoosh"], found["postgres"]
            rows.append(
                Row(
                    label=label,
                    totals=(whoosh.total, postgres.total),
                    agree=_answer(whoosh) == _answer(postgres),
                    whoosh=_timed(backends["whoosh"], query, args.runs, args.warmup),
                    postgres=_timed(backends["postgres"], query, args.runs, args.warmup),
                    whoosh_cold=_after_a_write(backends["whoosh"], docs[0], query, args.writes),
                    postgres_cold=_after_a_write(backends["postgres"], docs[0], query, args.writes),
                )
            )
    engine.dispose()
    headers = (
        "query", "hits W / PG", "agree", "W p50", "W p95", "PG p50", "PG p95",
        "W write p95", "PG write p95",
    )  # fmt: skip
    body = [
        (
            r.label,
            f"{r.totals[0]:,} / {r.totals[1]:,}",
            "yes" if r.agree else "NO",
            r.whoosh.p50,
            r.whoosh.p95,
            r.postgres.p50,
            r.postgres.p95,
            r.whoosh_cold.p95,
            r.postgres_cold.p95,
        )
        for r in rows
    ]
    print(f"\nWarm: {args.runs} timed runs a query after {args.warmup} warm-up runs.")
    print(f"After a write: {args.writes} writes, each then one timed search. Milliseconds.\n")
    print(table(headers, body))
    if disagree := [r.label for r in rows if not r.agree]:
        print(f"\nThe backends DISAGREE on: {', '.join(disagree)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
