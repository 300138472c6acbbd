"""Recording KPI series: canonical periods, GSS symbols, revisions that are never silent."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from catalog.errors import Conflict, Invalid
from catalog.indicators.series import (
    IndicatorInput,
    ObservationInput,
    indicator_create,
    observations_record,
)
from catalog.models import Observation
from catalog.permissions import Actor


@pytest.fixture
def indicator(catalogue):
    return indicator_create(
        catalogue.session,
        actor=Actor.system("performance officer"),
        data=IndicatorInput(
            ref="CSS7",
            title="Children subject to a child protection plan for a second time",
            unit="%",
            polarity="Up is Bad",
            collection_type="Rolling 12 months",
            frequency="quarterly",
            theme="education-and-skills",
            organisation="children-education",
            decimals=1,
        ),
    )


def test_periods_are_stored_canonically_with_their_dates(catalogue, indicator):
    summary = observations_record(
        catalogue.session,
        actor=Actor.system("officer"),
        indicator=indicator,
        rows=[
            ObservationInput(period="Q3 2017/18", value=12.5, target=10),
            ObservationInput(period="Apr-Jun 2017", value=11.0),
            ObservationInput(period="2017-18 Q2", value=None, symbol="[c]"),
        ],
    )
    assert summary.added == ["2017/18 Q3", "2017/18 Q1", "2017/18 Q2"]
    stored = [(o.period, str(o.period_start), str(o.period_end)) for o in indicator.observations]
    assert stored == [
        ("2017/18 Q1", "2017-04-01", "2017-06-30"),
        ("2017/18 Q2", "2017-07-01", "2017-09-30"),
        ("2017/18 Q3", "2017-10-01", "2017-12-31"),
    ]
    assert indicator.observations[1].symbol == "[c]"
    assert indicator.polarity == "up_is_bad"
    assert indicator.collection_type == "rolling_12_months"


@pytest.mark.parametrize(
    "row, says",
    [
        (ObservationInput(period="2017/19", value=1), "years of a financial year"),
        (ObservationInput(period="2017/18 Q1"), "give a value, or [x]"),
        (ObservationInput(period="2017/18 Q1", value=3, symbol="[c]"), "not both"),
        (ObservationInput(period="2017/18 Q1", symbol="[q]"), "not a GSS symbol"),
        (ObservationInput(period="2017/18 Q1", value=3, status="draft"), "status must be"),
    ],
)
def test_one_bad_row_stops_the_whole_batch(catalogue, indicator, row, says):
    good = ObservationInput(period="2016/17 Q4", value=9.0)
    with pytest.raises(Invalid) as raised:
        observations_record(
            catalogue.session, actor=Actor.system("officer"), indicator=indicator, rows=[good, row]
        )
    assert says in raised.value.message
    assert "row 2" in raised.value.message
    catalogue.session.rollback()
    assert catalogue.session.scalar(select(func.count(Observation.id))) == 0


def test_a_changed_figure_becomes_a_revision_with_a_note(catalogue, indicator):
    session = catalogue.session
    first = [ObservationInput(period="2017/18 Q1", value=11.0)]
    observations_record(session, actor=Actor.system("officer"), indicator=indicator, rows=first)
    again = observations_record(
        session, actor=Actor.system("officer"), indicator=indicator, rows=first
    )
    assert again.unchanged == ["2017/18 Q1"] and not again.changed
    revised = observations_record(
        session,
        actor=Actor.system("officer"),
        indicator=indicator,
        rows=[ObservationInput(period="2017/18 Q1", value=11.4)],
    )
    assert revised.revised == ["2017/18 Q1"]
    observation = indicator.observations[0]
    assert (observation.value, observation.status) == (11.4, "revised")
    assert "Revised from 11.0 to 11.4" in observation.note


def test_a_provisional_figure_is_finalised_without_being_called_a_revision(catalogue, indicator):
    session = catalogue.session
    rows = [ObservationInput(period="2017/18 Q1", value=11.0, symbol="[p]")]
    observations_record(session, actor=Actor.system("officer"), indicator=indicator, rows=rows)
    assert indicator.observations[0].status == "provisional"
    final = [ObservationInput(period="2017/18 Q1", value=11.2, status="final")]
    observations_record(session, actor=Actor.system("officer"), indicator=indicator, rows=final)
    assert (indicator.observations[0].value, indicator.observations[0].status) == (11.2, "final")


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"ref": "CSS 7/2"}, "ref"),
        ({"title": " "}, "title"),
        ({"polarity": "sideways"}, "polarity"),
        ({"collection_type": "sometimes"}, "collection_type"),
        ({"frequency": "hourly"}, "frequency"),
        ({"theme": "no-such-theme"}, "theme"),
        ({"decimals": 9}, "decimals"),
    ],
)
def test_indicator_definitions_are_checked(catalogue, changes, field):
    data = {
        "ref": "EFL1",
        "title": "Early help assessments",
        "unit": "count",
        "polarity": "Neutral",
        "collection_type": "Year to date",
        "frequency": "quarterly",
        "theme": "education-and-skills",
        "organisation": "children-education",
    }
    with pytest.raises(Invalid) as raised:
        indicator_create(
            catalogue.session, actor=Actor.system("x"), data=IndicatorInput(**{**data, **changes})
        )
    assert raised.value.field == field


def test_references_are_unique(catalogue, indicator):
    data = IndicatorInput(
        ref="CSS7",
        title="Another",
        unit="%",
        polarity="Neutral",
        collection_type="Snapshot",
        frequency="annual",
        theme="education-and-skills",
        organisation="children-education",
    )
    with pytest.raises(Conflict):
        indicator_create(catalogue.session, actor=Actor.system("x"), data=data)
