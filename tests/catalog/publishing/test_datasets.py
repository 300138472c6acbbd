"""The dataset write path: rules enforced, every change logged and indexed, nothing half-written."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from catalog.errors import Conflict, Invalid
from catalog.models import Activity, Dataset, DatasetState
from catalog.permissions import EDITOR, Actor
from catalog.publishing.datasets import DatasetInput, dataset_create, dataset_update
from catalog.publishing.workflow import dataset_approve, dataset_submit
from catalog.search import SearchQuery


def _input(**changes) -> DatasetInput:
    fields = {
        "name": "road-casualties",
        "title": "Road casualties",
        "organisation": "children-education",
    }
    return DatasetInput(**{**fields, **changes})


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"name": "Road Casualties"}, "name"),
        ({"name": "-road"}, "name"),
        ({"name": ""}, "name"),
        ({"title": "   "}, "title"),
        ({"organisation": "no-such-directorate"}, "organisation"),
        ({"topics": ["no-such-topic"]}, "topics"),
        ({"licence": "all-rights-reserved"}, "licence"),
        ({"frequency": "fortnightly"}, "frequency"),
        ({"temporal_start": date(2024, 1, 1), "temporal_end": date(2023, 1, 1)}, "temporal_end"),
    ],
)
def test_invalid_input_is_refused_naming_the_field(catalogue, changes, field):
    with pytest.raises(Invalid) as raised:
        dataset_create(catalogue.session, actor=Actor.system("test"), data=_input(**changes))
    assert raised.value.field == field
    catalogue.session.rollback()
    assert catalogue.session.scalars(select(Dataset)).all() == []


def test_a_taken_name_is_a_conflict(catalogue):
    dataset_create(catalogue.session, actor=Actor.system("test"), data=_input())
    with pytest.raises(Conflict):
        dataset_create(catalogue.session, actor=Actor.system("test"), data=_input(title="Another"))


def test_every_change_is_in_the_activity_log_with_before_and_after(catalogue):
    dataset = dataset_create(
        catalogue.session, actor=Actor.system("Performance team"), data=_input()
    )
    dataset_update(
        catalogue.session,
        actor=Actor.system("Road safety officer"),
        dataset=dataset,
        data=DatasetInput.from_dataset(dataset, title="Road casualties in York"),
    )
    entries = catalogue.session.scalars(
        select(Activity).where(Activity.dataset_id == dataset.id).order_by(Activity.id)
    ).all()
    assert [(e.action, e.actor) for e in entries] == [
        ("dataset.create", "Performance team"),
        ("dataset.update", "Road safety officer"),
    ]
    assert entries[1].before["title"] == "Road casualties"
    assert entries[1].after["title"] == "Road casualties in York"


def test_the_index_follows_commits_and_ignores_rollbacks(catalogue):
    dataset = catalogue.dataset("road-casualties", title="Killed or seriously injured")
    search = catalogue.search
    assert search.search(SearchQuery(text="seriously")).ids == [dataset.id]
    with pytest.raises(Invalid):
        dataset_update(
            catalogue.session,
            actor=Actor.system("test"),
            dataset=dataset,
            data=DatasetInput.from_dataset(dataset, title="Collisions", organisation="nobody"),
        )
    catalogue.session.rollback()
    assert search.search(SearchQuery(text="collisions")).ids == []
    dataset_update(
        catalogue.session,
        actor=Actor.system("test"),
        dataset=dataset,
        data=DatasetInput.from_dataset(dataset, title="Collisions on York roads"),
    )
    assert search.search(SearchQuery(text="collisions")).ids == []  # flushed, not committed
    catalogue.saved()
    assert search.search(SearchQuery(text="collisions")).ids == [dataset.id]
    assert search.search(SearchQuery(text="seriously")).ids == []


def test_saving_a_dataset_as_it_stands_changes_nothing_not_even_an_approval(catalogue):
    """A script sending the same description again (ckanapi load does, on every run) neither
    logs a change nor sends an approved dataset back for review; a real change still does."""
    dataset = catalogue.dataset("road-casualties", tags=["roads", "safety"], publish=False)
    dataset_submit(catalogue.session, actor=Actor.system("Editor"), dataset=dataset)
    dataset_approve(catalogue.session, actor=Actor.system("Admin"), dataset=dataset)
    editor = Actor("Erin Editor", account_id=7, roles={dataset.organisation_id: EDITOR})
    modified, logged = dataset.modified_at, _activity(catalogue, dataset)
    same = DatasetInput.from_dataset(dataset, title=" Road casualties ", tags=["Safety", "roads"])
    dataset_update(catalogue.session, actor=editor, dataset=dataset, data=same)
    assert (dataset.state, dataset.modified_at) == (DatasetState.APPROVED, modified)
    assert _activity(catalogue, dataset) == logged
    changed = DatasetInput.from_dataset(dataset, tags=["roads"])
    dataset_update(catalogue.session, actor=editor, dataset=dataset, data=changed)
    assert dataset.state == DatasetState.DRAFT
    assert _activity(catalogue, dataset)[-2:] == ["dataset.reopen", "dataset.update"]


def _activity(catalogue, dataset) -> list[str]:
    query = select(Activity.action).where(Activity.dataset_id == dataset.id).order_by(Activity.id)
    return list(catalogue.session.scalars(query))
