"""Roles are checked in the services, so every way in obeys them."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from catalog.accounts.users import account_create, actor_for, membership_set
from catalog.errors import Conflict, NotAllowed
from catalog.models import Account, Organisation
from catalog.permissions import Actor
from catalog.publishing.datasets import DatasetInput, dataset_create, dataset_update
from catalog.publishing.groups import organisation_create
from catalog.publishing.resources import Upload, resource_create
from catalog.publishing.workflow import dataset_approve, dataset_publish, dataset_submit


def _person(catalogue, role: str | None, organisation) -> Actor:
    """A real account with `role` in the organisation (or none), as it would sign in."""
    number = catalogue.session.scalar(select(func.count(Account.id))) + 1
    account = account_create(
        catalogue.session,
        actor=SETUP,
        email=f"person{number}@example.gov.uk",
        name=f"Person {number} ({role or 'no role'})",
        password="a long enough password",
    )
    if role:
        membership_set(
            catalogue.session, actor=SETUP, account=account, organisation=organisation, role=role
        )
    return actor_for(account)


SETUP = Actor.system("setup")


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
        dataset_create(catalogue.session, actor=_person(catalogue, role, children), data=_draft())
    assert "editor" in refused.value.message


def test_an_editor_creates_edits_and_adds_files_but_cannot_publish(catalogue, children):
    editor = _person(catalogue, "editor", children)
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
    dataset_submit(catalogue.session, actor=editor, dataset=dataset)
    with pytest.raises(NotAllowed):
        dataset_approve(catalogue.session, actor=editor, dataset=dataset)
    admin = _person(catalogue, "admin", children)
    dataset_approve(catalogue.session, actor=admin, dataset=dataset)
    with pytest.raises(NotAllowed):
        dataset_publish(catalogue.session, actor=editor, dataset=dataset)
    assert dataset_publish(catalogue.session, actor=admin, dataset=dataset).state == "published"


def test_roles_do_not_cross_organisations(catalogue, children):
    housing = organisation_create(catalogue.session, actor=SETUP, name="housing", title="Housing")
    editor_elsewhere = _person(catalogue, "admin", housing)
    with pytest.raises(NotAllowed):
        dataset_create(catalogue.session, actor=editor_elsewhere, data=_draft())
    editor = _person(catalogue, "editor", children)
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
            catalogue.session,
            actor=_person(catalogue, "admin", children),
            name="parks",
            title="Parks",
        )


def test_four_eyes_the_submitter_cannot_approve_even_as_admin(catalogue, children):
    admin = _person(catalogue, "admin", children)
    dataset = dataset_create(catalogue.session, actor=admin, data=_draft())
    dataset_submit(catalogue.session, actor=admin, dataset=dataset)
    with pytest.raises(NotAllowed) as refused:
        dataset_approve(catalogue.session, actor=admin, dataset=dataset)
    assert "someone else" in refused.value.message
    other = _person(catalogue, "admin", children)
    assert dataset_approve(catalogue.session, actor=other, dataset=dataset).state == "approved"


def test_what_is_in_review_cannot_change_under_the_reviewer(catalogue, children):
    editor = _person(catalogue, "editor", children)
    dataset = dataset_create(catalogue.session, actor=editor, data=_draft())
    dataset_submit(catalogue.session, actor=editor, dataset=dataset)
    with pytest.raises(Conflict) as refused:
        dataset_update(
            catalogue.session,
            actor=editor,
            dataset=dataset,
            data=DatasetInput.from_dataset(dataset, title="Changed after submitting"),
        )
    assert "waiting for review" in refused.value.message
    with pytest.raises(Conflict):
        resource_create(
            catalogue.session,
            store=catalogue.store,
            actor=editor,
            dataset=dataset,
            title="Late file",
            upload=Upload(stream=io.BytesIO(b"a\n1\n"), filename="late.csv"),
        )
