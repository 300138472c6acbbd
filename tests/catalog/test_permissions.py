"""Roles are checked in the services, so every way in obeys them."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from catalog.datasets import DatasetInput, dataset_create, dataset_publish, dataset_update
from catalog.errors import NotAllowed
from catalog.groups import organisation_create
from catalog.models import Organisation
from catalog.permissions import Actor
from catalog.resources import Upload, resource_create


def _person(role: str | None, organisation) -> Actor:
    roles = {organisation.id: role} if role else {}
    return Actor(name=f"a {role or 'stranger'}", account_id=1, roles=roles)


@pytest.fixture
def children(catalogue):
    return catalogue.session.scalar(
        select(Organisation).where(Organisation.name == "children-education")
    )


def _draft(name="school-meals", organisation="children-education") -> DatasetInput:
    return DatasetInput(name=name, title="School meals", organisation=organisation)


@pytest.mark.parametrize("role", [None, "member"])
def test_only_editors_create(catalogue, children, role):
    with pytest.raises(NotAllowed) as refused:
        dataset_create(catalogue.session, actor=_person(role, children), data=_draft())
    assert "editor" in refused.value.message


def test_an_editor_creates_edits_and_adds_files_but_cannot_publish(catalogue, children):
    editor = _person("editor", children)
    dataset = dataset_create(catalogue.session, actor=editor, data=_draft())
    dataset_update(
        catalogue.session,
        actor=editor,
        dataset=dataset,
        data=DatasetInput.from_dataset(dataset, title="Free school meals"),
    )
    resource_create(
        catalogue.session,
        store=catalogue.store,
        actor=editor,
        dataset=dataset,
        title="Meals",
        upload=Upload(stream=io.BytesIO(b"School,Meals\nAcomb,120\n"), filename="meals.csv"),
    )
    with pytest.raises(NotAllowed):
        dataset_publish(catalogue.session, actor=editor, dataset=dataset)
    assert dataset_publish(catalogue.session, actor=_person("admin", children), dataset=dataset)


def test_roles_do_not_cross_organisations(catalogue, children):
    housing = organisation_create(
        catalogue.session, actor=Actor.system("setup"), name="housing", title="Housing"
    )
    editor_elsewhere = _person("admin", housing)
    with pytest.raises(NotAllowed):
        dataset_create(catalogue.session, actor=editor_elsewhere, data=_draft())
    editor = _person("editor", children)
    dataset = dataset_create(catalogue.session, actor=editor, data=_draft())
    with pytest.raises(NotAllowed):
        dataset_update(
            catalogue.session,
            actor=editor,
            dataset=dataset,
            data=DatasetInput.from_dataset(dataset, organisation="housing"),
        )


def test_only_site_administrators_create_organisations(catalogue, children):
    with pytest.raises(NotAllowed):
        organisation_create(
            catalogue.session, actor=_person("admin", children), name="parks", title="Parks"
        )
