"""The edge of a unit of work outside a request (a command, a job, a publishing run): the
services only flush, and `all_or_nothing` keeps all they did, or none of it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from catalog.indicators.series import IndicatorInput, indicator_create, indicator_update
from catalog.models import Activity, Topic
from catalog.permissions import Actor
from catalog.publishing.datasets import DatasetInput, dataset_create
from catalog.publishing.groups import topic_create
from catalog.search import SearchQuery
from catalog.transactions import all_or_nothing
from tests.refusals import database_refuses

ACTOR = Actor.system("test")


def _topics(app) -> list[str]:
    """The topics another connection sees: only what was committed."""
    with app.extensions["catalog"]["sessions"]() as other:
        return sorted(other.scalars(select(Topic.name)))


def test_every_change_inside_is_kept_together(app, catalogue):
    with all_or_nothing(catalogue.session) as session:
        topic_create(session, actor=ACTOR, name="housing", title="Housing")
        topic_create(session, actor=ACTOR, name="transport", title="Transport")
        assert _topics(app) == ["education-and-skills"]  # flushed, not yet committed
    assert _topics(app) == ["education-and-skills", "housing", "transport"]


def test_a_second_write_the_database_refuses_undoes_the_first(app, catalogue):
    engine = app.extensions["catalog"]["engine"]
    refusing = database_refuses(
        engine, table="topic", event="INSERT", when="NEW.name = 'transport'"
    )
    with refusing, pytest.raises(IntegrityError), all_or_nothing(catalogue.session) as session:
        topic_create(session, actor=ACTOR, name="housing", title="Housing")
        topic_create(session, actor=ACTOR, name="transport", title="Transport")
    assert _topics(app) == ["education-and-skills"]
    logged = catalogue.session.scalars(select(Activity.summary)).all()
    assert not any("Housing" in summary for summary in logged)


def test_a_rehearsal_is_rolled_back_and_never_indexed(app, catalogue):
    with all_or_nothing(catalogue.session, keep=False) as session:
        topic_create(session, actor=ACTOR, name="housing", title="Housing")
        data = DatasetInput(
            name="housing-waits", title="Housing waits", organisation="children-education"
        )
        dataset_create(session, actor=ACTOR, data=data)
        assert sorted(session.scalars(select(Topic.name))) == ["education-and-skills", "housing"]
    assert _topics(app) == ["education-and-skills"]
    found = catalogue.search.search(SearchQuery(text="housing", include_unpublished=True))
    assert found.total == 0

    with all_or_nothing(catalogue.session) as session:
        dataset_create(session, actor=ACTOR, data=data)
    found = catalogue.search.search(SearchQuery(text="housing", include_unpublished=True))
    assert found.total == 1


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
