"""The demo catalogue: City of York organisations, Council Plan themes and real data packages.

Built from the seed documents; loading it twice gives the same catalogue, so demos, tests and
benchmarks can rely on it.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.demo.calendar import load_demo_calendar
from catalog.demo.indicators import load_demo_indicators
from catalog.models import Dataset, Organisation, Topic
from catalog.permissions import Actor
from catalog.publishing.groups import organisation_create, topic_create
from catalog.publishing.packages import load_package, read_descriptor
from catalog.storage import FileStore

DEMO_FOLDER = Path(__file__).parent
ACTOR = Actor.system("demo loader")


def load_demo(session: Session, *, store: FileStore) -> int:
    """Load every demo organisation, topic, package and indicator not yet present; return how
    many datasets were added (a published indicator is a dataset too)."""
    catalogue = json.loads((DEMO_FOLDER / "catalogue.json").read_text(encoding="utf-8"))
    existing_groups = _existing_names(session)
    for organisation in catalogue["organisations"]:
        if ("organisation", organisation["name"]) not in existing_groups:
            organisation_create(session, actor=ACTOR, **organisation)
    for topic in catalogue["topics"]:
        if ("topic", topic["name"]) not in existing_groups:
            topic_create(session, actor=ACTOR, **topic)
    present = set(session.scalars(select(Dataset.name)))
    added = 0
    for folder in sorted(p for p in (DEMO_FOLDER / "packages").iterdir() if p.is_dir()):
        if read_descriptor(folder)["name"] in present:
            continue
        load_package(session, store=store, actor=ACTOR, folder=folder)
        added += 1
    added += load_demo_indicators(session, store=store, actor=ACTOR)
    load_demo_calendar(session, actor=ACTOR)
    return added


def _existing_names(session: Session) -> set[tuple[str, str]]:
    names = {("organisation", n) for n in session.scalars(select(Organisation.name))}
    return names | {("topic", n) for n in session.scalars(select(Topic.name))}
