"""A throwaway instance (SQLite, Whoosh, file store in a temporary folder) filled for a benchmark.

Every row goes in through the catalogue's services (dataset_create, resource_create,
release_without_review), as the demo loader's do. Two ways to fill the search index:

- "bulk": the services run on a session with no search backend attached, then
  `catalog.search.finder.reindex_all` indexes everything in one writer commit (as
  `opendata reindex` does). This is the default: see docs/performance.md for why.
- "services": the app's own sessions, so every commit also updates the index, one small Whoosh
  commit per dataset (each dataset is one unit of work, committed as a publisher's request
  commits it). Honest but slow; `--index services` times it.
"""

from __future__ import annotations

import gc
import io
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine, func, make_url, select, text

from benchmarks.generate import DatasetSpec, file_content, table_schema
from benchmarks.vocabulary import ORGANISATIONS, SUBJECTS, TOPICS
from catalog.clock import utcnow
from catalog.db import make_session_factory
from catalog.models import Dataset, Resource
from catalog.permissions import Actor
from catalog.publishing.datasets import DatasetInput, dataset_create
from catalog.publishing.groups import organisation_create, topic_create
from catalog.publishing.resources import Upload, resource_create
from catalog.publishing.workflow import release_without_review
from catalog.search.finder import reindex_all
from catalog.transactions import all_or_nothing
from catalog.visibility import public_dataset_clause
from opendata import create_app

# A trusted process, like the demo loader and scheduled publisher hooks: it may create
# organisations and release without the four-eyes review (the activity log says so).
ACTOR = Actor.system("benchmark loader")
SOURCE = "benchmark"
FRESH_SESSION_EVERY = 500  # keeps the identity map (and memory) small during a long load
SETTINGS_FILE = "settings.json"


@dataclass
class BuildTimes:
    """Seconds spent in each stage of filling the instance."""

    datasets: int = 0
    resources: int = 0
    load_seconds: float = 0.0
    reindex_seconds: float = 0.0
    indexed: int = 0


def make_app(folder: Path) -> Flask:
    """The real app factory on an instance folder, migrated as `opendata init` does.

    This app builds (or checks) the catalogue; the figures are taken on `served_app`."""
    app = create_app({"ENVIRON": instance_environ(folder)})
    result = app.test_cli_runner().invoke(args=["init"])
    if result.exit_code != 0:
        raise RuntimeError(f"opendata init failed: {result.output}")
    return app


def served_app(folder: Path) -> Flask:
    """The app as a gunicorn worker gets it from `opendata.wsgi`, on a catalogue already built.

    `opendata.wsgi` (and `opendata serve`) call `gc.freeze()` right after `create_app()`, so
    what start-up built is left out of later full garbage collections. The benchmark does the
    same. First, whatever an earlier app froze is released and the leftovers of building the
    catalogue are collected, so only what a fresh worker would hold is frozen."""
    gc.unfreeze()
    gc.collect()
    app = create_app({"ENVIRON": instance_environ(folder)})
    gc.freeze()
    return app


def close(app: Flask) -> None:
    """Let go of an app's database connections (its Whoosh index needs no closing)."""
    app.extensions["catalog"]["engine"].dispose()


def instance_environ(folder: Path) -> dict[str, str]:
    """The settings a benchmark runs the app with: its own instance, and no rate limit (the
    timed requests would otherwise be refused after the 300th in a minute). An instance on
    PostgreSQL or object storage keeps those settings in the folder (see `use_settings`)."""
    environ = {
        "OPENDATA_INSTANCE": str(folder),
        "OPENDATA_SECRET_KEY": "benchmark",
        "OPENDATA_RATE_LIMIT": "off",
    }
    saved = folder / SETTINGS_FILE
    if saved.exists():
        environ.update(json.loads(saved.read_text(encoding="utf-8")))
    return environ


def use_settings(folder: Path, settings: dict[str, str]) -> None:
    """Make the instance in `folder` run with these `OPENDATA_*` settings too (its database,
    search, file store); every app, server and child process the benchmark opens on the
    folder then uses them."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / SETTINGS_FILE).write_text(json.dumps(settings), encoding="utf-8")


def fresh_database(url: str) -> None:
    """Drop the PostgreSQL database in `url` and create it again, empty: give a throwaway one."""
    name = make_url(url).database
    server = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()


def fill(
    app: Flask,
    specs: list[DatasetSpec],
    *,
    index: str = "bulk",
    progress: Callable[[int, int, float], None] | None = None,
) -> BuildTimes:
    catalog = app.extensions["catalog"]
    if index == "bulk":
        sessions = make_session_factory(catalog["engine"])  # no search backend attached
    elif index == "services":
        sessions = catalog["sessions"]
    else:
        raise ValueError(f"index must be 'bulk' or 'services', not {index!r}")
    times = BuildTimes()
    started = time.perf_counter()
    with sessions() as session:
        for name, title in ORGANISATIONS.items():
            organisation_create(session, actor=ACTOR, name=name, title=title)
        for name, title in TOPICS.items():
            topic_create(session, actor=ACTOR, name=name, title=title)
        session.commit()
    contents: dict[tuple[str, int, int], bytes] = {}
    schemas = [table_schema(subject) for subject in SUBJECTS]
    now = utcnow()
    session = sessions()
    try:
        for number, spec in enumerate(specs, start=1):
            if number % FRESH_SESSION_EVERY == 0:
                session.close()
                session = sessions()
            times.resources += _load_one(session, catalog["store"], spec, contents, schemas, now)
            session.commit()  # one dataset, one unit of work
            times.datasets += 1
            if progress and number % 1000 == 0:
                progress(number, len(specs), time.perf_counter() - started)
    finally:
        session.close()
    times.load_seconds = time.perf_counter() - started
    if index == "bulk":
        times.reindex_seconds = reindex(app)
        times.indexed = times.datasets
    return times


def reindex(app: Flask) -> float:
    """Rebuild the search index from the database in one go, as `opendata reindex` does."""
    catalog = app.extensions["catalog"]
    started = time.perf_counter()
    with catalog["sessions"]() as session, all_or_nothing(session):
        reindex_all(session, catalog["search"])
    return time.perf_counter() - started


def _load_one(session, store, spec: DatasetSpec, contents, schemas, now) -> int:
    dataset = dataset_create(
        session,
        actor=ACTOR,
        data=DatasetInput(
            name=spec.name,
            title=spec.title,
            organisation=spec.organisation,
            description=spec.description,
            topics=spec.topics,
            tags=spec.tags,
            frequency=spec.frequency,
            temporal_start=spec.temporal_start,
            temporal_end=spec.temporal_end,
            spatial=spec.spatial,
            contact_name=spec.contact_name,
            contact_email=spec.contact_email,
        ),
        created_at=spec.created_at,
    )
    for file in spec.files:
        if file.content_key not in contents:
            contents[file.content_key] = file_content(file.content_key)
        fmt, subject_number, _ = file.content_key
        resource_create(
            session,
            store=store,
            actor=ACTOR,
            dataset=dataset,
            title=file.title,
            description=file.description,
            format=fmt,
            upload=Upload(stream=io.BytesIO(contents[file.content_key]), filename=file.filename),
            table_schema=schemas[subject_number] if fmt == "csv" else None,
            created_at=spec.created_at,
        )
    if spec.release == "draft":
        return len(spec.files)
    at = spec.published_at
    if spec.release == "scheduled":
        at = now + timedelta(days=1 + spec.created_at.toordinal() % 300)
    release_without_review(session, actor=ACTOR, dataset=dataset, at=at, source=SOURCE)
    return len(spec.files)


def counts(app: Flask) -> dict[str, int]:
    """Rows that must survive between runs that reuse a kept catalogue."""
    with app.extensions["catalog"]["sessions"]() as session:
        return {
            "datasets": session.scalar(select(func.count(Dataset.id))) or 0,
            "resources": session.scalar(select(func.count(Resource.id))) or 0,
        }


@dataclass(frozen=True)
class Sample:
    """Public URLs to request: dataset names and (name, resource id) of CSV files."""

    datasets: list[str]
    csv_resources: list[tuple[str, str]]
    public: int


def sample(app: Flask, count: int, seed: int = 7) -> Sample:
    """A fixed spread of public datasets and CSV resources across the whole catalogue."""
    public = public_dataset_clause(utcnow())
    with app.extensions["catalog"]["sessions"]() as session:
        names = list(session.scalars(select(Dataset.name).where(public).order_by(Dataset.name)))
        resources = list(
            session.execute(
                select(Dataset.name, Resource.id)
                .join(Resource)
                .where(Resource.format == "csv", public)
                .order_by(Dataset.name, Resource.position)
            )
        )
    rng = random.Random(seed)
    return Sample(
        datasets=rng.sample(names, min(count, len(names))),
        csv_resources=[tuple(r) for r in rng.sample(resources, min(count, len(resources)))],
        public=len(names),
    )
