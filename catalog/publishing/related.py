"""Related datasets, for the dataset page: the public datasets that share most with one.

What two datasets share is scored: the same series (URL names that differ only by the years
they cover, as "spend-over-500-2025-26" and "spend-over-500-2026-27") most, then each shared
tag or tag named in either's title (a KPI series is titled, not tagged, with what it
measures), each shared topic, and the publisher. A publisher alone is not enough to be related: it
publishes too much. Only datasets the public may see are scored, so a draft sharing every tag
never shows, and the highest scores come first, the most recently published among equals.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm import Session

from catalog.clock import utcnow
from catalog.models import Dataset, Tag
from catalog.models.datasets import dataset_tag, dataset_topic
from catalog.visibility import public_dataset_clause

SERIES, TAG, TOPIC, PUBLISHER = 4, 2, 1, 1
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
    moment = now or utcnow()
    shared = [
        select(dataset_tag.c.dataset_id.label("id"), literal(TAG).label("weight")).where(
            dataset_tag.c.tag_id.in_([tag.id for tag in dataset.tags])
        ),
        select(dataset_topic.c.dataset_id, literal(TOPIC)).where(
            dataset_topic.c.topic_id.in_([topic.id for topic in dataset.topics])
        ),
        select(Dataset.id, literal(PUBLISHER)).where(
            Dataset.organisation_id == dataset.organisation_id
        ),
        *(
            select(Dataset.id, literal(TAG)).where(
                func.lower(Dataset.title).contains(tag.name.lower(), autoescape=True)
            )
            for tag in dataset.tags[:MAX_TAGS]
        ),
        select(dataset_tag.c.dataset_id, literal(TAG))
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
        .where(public_dataset_clause(moment), Dataset.id != dataset.id)
        .group_by(Dataset.id, Dataset.published_at, Dataset.name)
        .having(score >= ENOUGH)
        .order_by(score.desc(), Dataset.published_at.desc(), Dataset.name)
        .limit(limit)
    )
    ids = list(session.scalars(ranked))
    found = {d.id: d for d in session.scalars(select(Dataset).where(Dataset.id.in_(ids)))}
    return [found[i] for i in ids]
