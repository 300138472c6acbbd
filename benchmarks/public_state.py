"""`python -m benchmarks.public_state`: what reading the key of kept public answers costs as the
catalogue grows (issue 22, item 4).

Every anonymous request reads `catalog.public_changes.public_state` before anything else, so
its cost must not grow with the catalogue. For each size, a throwaway catalogue (SQLite, or
PostgreSQL with `--postgres URL`, whose schema is dropped and made again) is filled with that
many published datasets of three file versions each, straight through SQL (the services
would take minutes per thousand datasets and are not what is measured), a tenth of them with
a version scheduled for later. Then it times, each in a session of its own as a request has:
the read while no release is due (one row), the first read after a release time has passed
(the two indexed look-ups, each process does once per release), and writing a new stamp (what
every public change adds to its transaction).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from benchmarks import instance, machine
from catalog import public_changes
from catalog.clock import utcnow
from catalog.models import Dataset, Organisation, Resource, ResourceVersion
from catalog.public_changes import public_state, stamp_public_change

READS = 2000
BATCH = 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.public_state", description=__doc__)
    parser.add_argument("--datasets", default="100,7340,20000", help="sizes, comma-separated")
    parser.add_argument("--postgres", help="a PostgreSQL database to use (emptied)")
    args = parser.parse_args(argv)
    print(f"{machine.describe()}; load average {machine.load_average()}")
    print(
        "| datasets | versions | read, no release due: p50 / p95 µs | first read after a "
        "release: p50 µs | new stamp: p50 µs |"
    )
    print("| ---: | ---: | ---: | ---: | ---: |")
    for size in (int(n) for n in args.datasets.split(",")):
        with tempfile.TemporaryDirectory(prefix="opendata-state-") as scratch:
            print(_measure(Path(scratch), size, args.postgres), flush=True)
    print(f"load average {machine.load_average()}")
    return 0


def _measure(folder: Path, size: int, postgres: str | None) -> str:
    if postgres:
        instance.use_database(folder, postgres)
        _empty(postgres)
    app = instance.make_app(folder)
    try:
        sessions = app.extensions["catalog"]["sessions"]
        versions = _fill(sessions, size)
        quiet = _times(sessions, lambda s: public_state(s))
        after = _times(sessions, _first_read_after_a_release, repeat=200)
        stamps = _times(sessions, _new_stamp, repeat=200)
    finally:
        instance.close(app)
    p50, p95 = _percentiles(quiet)
    return (
        f"| {size:,} | {versions:,} | {p50:.0f} / {p95:.0f} | "
        f"{_percentiles(after)[0]:.0f} | {_percentiles(stamps)[0]:.0f} |"
    )


def _empty(url: str) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


def _fill(sessions: Callable[[], Session], size: int) -> int:
    """`size` published datasets, three versions each, a tenth with one still to come."""
    now = utcnow()
    with sessions() as session:
        organisation = Organisation(name="bench", title="Bench")
        session.add(organisation)
        session.flush()
        datasets, resources, versions = [], [], []
        for n in range(size):
            dataset_id, resource_id = str(uuid.uuid4()), str(uuid.uuid4())
            released = now - timedelta(days=n % 900, seconds=n)
            datasets.append(
                {
                    "id": dataset_id,
                    "name": f"d{n}",
                    "title": f"Dataset {n}",
                    "organisation_id": organisation.id,
                    "licence_id": "OGL-UK-3.0",
                    "state": "published",
                    "created_at": released,
                    "modified_at": released,
                    "published_at": released,
                }
            )
            resources.append(
                {
                    "id": resource_id,
                    "dataset_id": dataset_id,
                    "title": "File",
                    "format": "CSV",
                    "created_at": released,
                    "modified_at": released,
                }
            )
            for number in (1, 2, 3):
                later = number == 3 and n % 10 == 0
                at = now + timedelta(days=1, seconds=n) if later else released
                versions.append(
                    {
                        "resource_id": resource_id,
                        "number": number,
                        "sha256": "0" * 64,
                        "size": 1,
                        "media_type": "text/csv",
                        "filename": "f.csv",
                        "created_at": released,
                        "created_by": "bench",
                        "published_at": at,
                        "cleared": True,
                    }
                )
        for model, rows in (
            (Dataset, datasets),
            (Resource, resources),
            (ResourceVersion, versions),
        ):
            for start in range(0, len(rows), BATCH):
                session.execute(insert(model), rows[start : start + BATCH])
        stamp_public_change(session)
        session.commit()
    return len(versions)


def _first_read_after_a_release(session: Session) -> None:
    """A release time just passed: the first reader of each process looks up which."""
    public_changes._remembered.clear()
    public_state(session, now=utcnow() + timedelta(days=1, seconds=5))


def _new_stamp(session: Session) -> None:
    stamp_public_change(session)
    session.rollback()


def _times(
    sessions: Callable[[], Session], work: Callable[[Session], object], repeat: int = READS
) -> list[float]:
    taken = []
    for _ in range(repeat):
        with sessions() as session:
            begun = time.perf_counter()
            work(session)
            taken.append((time.perf_counter() - begun) * 1e6)
    return taken


def _percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95) - 1]


if __name__ == "__main__":
    sys.exit(main())
