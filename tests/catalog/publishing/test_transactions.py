"""Many services as one transaction: all of it kept, or none of it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from catalog.errors import Invalid
from catalog.indicators.series import IndicatorInput, indicator_create, indicator_update
from catalog.models import Activity, Topic
from catalog.permissions import Actor
from catalog.publishing.groups import topic_create
from catalog.search import SearchQuery
from catalog.transactions import all_or_nothing

ACTOR = Actor.system("test")


def _topics(session) -> list[str]:
    session.expire_all()
    return sorted(session.scalars(select(Topic.name)))


def test_every_commit_inside_is_kept_together(catalogue):
    with all_or_nothing(catalogue.session) as work:
        topic_create(work, actor=ACTOR, name="housing", title="Housing")
        topic_create(work, actor=ACTOR, name="transport", title="Transport")
    assert _topics(catalogue.session) == ["education-and-skills", "housing", "transport"]


def test_a_failure_after_several_commits_undoes_them_all(catalogue):
    with pytest.raises(Invalid), all_or_nothing(catalogue.session) as work:
        topic_create(work, actor=ACTOR, name="housing", title="Housing")
        topic_create(work, actor=ACTOR, name="Not A Name", title="Broken")
    assert _topics(catalogue.session) == ["education-and-skills"]


def test_a_rehearsal_is_rolled_back_and_never_indexed(catalogue):
    with all_or_nothing(catalogue.session, keep=False) as work:
        topic_create(work, actor=ACTOR, name="housing", title="Housing")
        assert sorted(work.scalars(select(Topic.name))) == ["education-and-skills", "housing"]
    assert _topics(catalogue.session) == ["education-and-skills"]
    assert catalogue.search.search(SearchQuery(include_unpublished=True)).total == 0


def _input(**changes) -> IndicatorInput:
    fields = dict(
        ref="CSS7",
        title="Adopted children who waited less than 16 months",
        unit="%",
        polarity="Up is Good",
        collection_type="Year to date",
        frequency="quarterly",
        theme="education-and-skills",
        organisation="children-education",
    )
    return IndicatorInput(**(fields | changes))


def test_indicator_update_changes_and_logs_only_what_differs(catalogue):
    session = catalogue.session
    indicator = indicator_create(session, actor=ACTOR, data=_input())
    logged = session.scalar(select(func.count(Activity.id)))
    assert indicator_update(session, actor=ACTOR, indicator=indicator, data=_input()) is False
    assert session.scalar(select(func.count(Activity.id))) == logged
    changed = _input(title="Adopted children who waited under 16 months", decimals=1)
    assert indicator_update(session, actor=ACTOR, indicator=indicator, data=changed) is True
    entry = session.scalar(select(Activity).where(Activity.action == "indicator.update"))
    assert entry.before == {
        "decimals": 0,
        "title": "Adopted children who waited less than 16 months",
    }
    assert entry.after == {"decimals": 1, "title": "Adopted children who waited under 16 months"}
