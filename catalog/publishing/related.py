"""Related datasets, for the dataset page: the public datasets that share most with one.

What two datasets share is scored: the same series (URL names that differ only by the years
they cover, as "spend-over-500-2025-26" and "spend-over-500-2026-27") most, then a tag of one
named in the other's title (a KPI series is titled, not tagged, with what it measures), each
shared tag (less when the tag is on a tenth of the catalogue, as "kpi"), each shared topic,
and the publisher. A publisher alone is not enough to be related: it publishes too much.

Only datasets the public may see are scored or counted, so a draft never shows and cannot
change the order; the highest scores come first, the most recently published among equals.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import ColumnElement, Select, Table, func, literal, select, union_all
from sqlalchemy.orm import Session

from catalog.clock import utcnow
from catalog.models import Dataset, Tag
from catalog.models.datasets import dataset_tag, dataset_topic
from catalog.visibility import public_dataset_clause

SERIES, NAMED, TAG, COMMON_TAG, TOPIC, PUBLISHER = 4, 3, 2, 1, 1, 1
COMMON_SHARE = 0.1  # a tag on more than this share of public datasets says little
ENOUGH = 2  # the least score that makes a dataset related
MAX_TAGS = 10  # tags looked for in other titles
_YEARS = re.compile(r"(-\d{4}(-\d{2}|-\d{4})?)+$")  # "-2025-26", "-2019-23", "-2018"


def series_name(name: str) -> str | None:
    """The series a dataset's URL name belongs to, None when it names no years."""
    base = _YEARS.sub("", name)
    return base if base != name and base else None


def related_datasets(
    session: Session, dataset: Dataset, *, limit: int = 5, now: datetime | None = None
) -> list[Dataset]:
    """Up to `limit` public datasets most like `dataset`, best first."""
    public = public_dataset_clause(now or utcnow())
    tags = [tag.id for tag in dataset.tags]
    common = _common_tags(session, tags, public)
    shared = [
        _holding(dataset_tag, "tag_id", [t for t in tags if t not in common], TAG),
        _holding(dataset_tag, "tag_id", [t for t in tags if t in common], COMMON_TAG),
        _holding(dataset_topic, "topic_id", [topic.id for topic in dataset.topics], TOPIC),
        select(Dataset.id, literal(PUBLISHER)).where(
            Dataset.organisation_id == dataset.organisation_id
        ),
        *(
            select(Dataset.id, literal(NAMED)).where(
                func.lower(Dataset.title).contains(tag.name.lower(), autoescape=True)
            )
            for tag in dataset.tags[:MAX_TAGS]
        ),
        select(dataset_tag.c.dataset_id, literal(NAMED))
        .join(Tag, Tag.id == dataset_tag.c.tag_id)
        .where(Tag.name.in_(set(re.findall(r"\w+", dataset.title.lower())))),
    ]
    series = series_name(dataset.name)
    if series:
        same_series = Dataset.name.startswith(f"{series}-", autoescape=True)
        shared.append(select(Dataset.id, literal(SERIES)).where(same_series))
    scores = union_all(*shared).subquery()
    score = func.sum(scores.c.weight)
    ranked = (
        select(Dataset.id)
        .join(scores, scores.c.id == Dataset.id)
        .where(public, Dataset.id != dataset.id)
        .group_by(Dataset.id, Dataset.published_at, Dataset.name)
        .having(score >= ENOUGH)
        .order_by(score.desc(), Dataset.published_at.desc(), Dataset.name)
        .limit(limit)
    )
    ids = list(session.scalars(ranked))
    found = {d.id: d for d in session.scalars(select(Dataset).where(Dataset.id.in_(ids)))}
    return [found[i] for i in ids]


def _holding(table: Table, column: str, values: list[int], weight: int) -> Select[tuple[str, int]]:
    """(dataset id, weight) for each dataset holding one of `values` in a link table."""
    return select(table.c.dataset_id.label("id"), literal(weight).label("weight")).where(
        table.c[column].in_(values)
    )


def _common_tags(session: Session, tags: list[int], public: ColumnElement[bool]) -> set[int]:
    """Those of `tags` on more than COMMON_SHARE of the public datasets."""
    if not tags:
        return set()
    total = session.scalar(select(func.count()).select_from(Dataset).where(public)) or 0
    counts = session.execute(
        select(dataset_tag.c.tag_id, func.count())
        .join(Dataset, Dataset.id == dataset_tag.c.dataset_id)
        .where(dataset_tag.c.tag_id.in_(tags), public)
        .group_by(dataset_tag.c.tag_id)
    )
    return {tag for tag, count in counts if count > total * COMMON_SHARE}
