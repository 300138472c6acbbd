"""Staff reads check roles in the catalogue: who sees drafts, whose review queue holds what,
and which steps the staff page may offer."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from catalog.accounts.users import account_create, actor_for, membership_set
from catalog.clock import frozen_at
from catalog.errors import NotFound
from catalog.permissions import Actor
from catalog.publishing.groups import get_organisation
from catalog.publishing.staff import actions_for, get_staff_dataset, review_queue, work_by_stage
from catalog.publishing.workflow import dataset_approve, dataset_publish, dataset_submit

SETUP = Actor.system("setup")
NOW = datetime(2025, 6, 2, 8, 0)


@pytest.fixture
def person(catalogue):
    catalogue.organisation(name="housing", title="Housing")

    def make(name: str, role: str | None, organisation: str = "children-education") -> Actor:
        account = account_create(
            catalogue.session,
            actor=SETUP,
            email=f"{name}@york.gov.uk",
            name=name,
            password="a long enough password",
        )
        if role:
            membership_set(
                catalogue.session,
                actor=SETUP,
                account=account,
                organisation=get_organisation(catalogue.session, organisation),
                role=role,
            )
        return actor_for(account)

    return make


def test_work_is_grouped_by_stage_and_limited_to_the_actors_organisations(catalogue, person):
    with frozen_at(NOW):
        catalogue.dataset("draft", publish=False)
        catalogue.dataset("live")
        catalogue.dataset("soon", publish=NOW + timedelta(hours=1))
        catalogue.dataset("elsewhere", organisation="housing", publish=False)
        stages = {
            stage: [d.name for d in found]
            for stage, found in work_by_stage(catalogue.session, actor=person("mo", "member"))
        }
    assert stages == {"draft": ["draft"], "scheduled": ["soon"], "published": ["live"]}


def test_the_review_queue_holds_only_the_admins_organisations(catalogue, person):
    editor, admin = person("erin", "editor"), person("ada", "admin")
    housing_admin = person("hal", "admin", "housing")
    mine = catalogue.dataset("mine", publish=False)
    dataset_submit(catalogue.session, actor=editor, dataset=mine)
    assert [d.name for d in review_queue(catalogue.session, actor=admin)] == ["mine"]
    assert review_queue(catalogue.session, actor=housing_admin) == []
    assert review_queue(catalogue.session, actor=editor) == []


def test_outsiders_cannot_read_drafts(catalogue, person):
    catalogue.dataset("secret", publish=False)
    assert get_staff_dataset(catalogue.session, actor=person("mo", "member"), name="secret")
    with pytest.raises(NotFound):
        get_staff_dataset(catalogue.session, actor=person("hal", "admin", "housing"), name="secret")


def test_actions_follow_role_state_and_four_eyes(catalogue, person):
    editor, admin, member = person("erin", "editor"), person("ada", "admin"), person("mo", "member")
    dataset = catalogue.dataset("meals", publish=False)
    assert actions_for(editor, dataset).submit and not actions_for(member, dataset).edit
    dataset_submit(catalogue.session, actor=admin, dataset=dataset)
    own = actions_for(admin, dataset)
    assert own.own_submission and not own.review and not actions_for(editor, dataset).review
    other_admin = person("abe", "admin")
    assert actions_for(other_admin, dataset).review
    dataset_approve(catalogue.session, actor=other_admin, dataset=dataset)
    assert actions_for(admin, dataset).publish and not actions_for(editor, dataset).publish
    with frozen_at(NOW):
        dataset_publish(catalogue.session, actor=admin, dataset=dataset, at=NOW + timedelta(1))
        scheduled = actions_for(admin, dataset)
        assert scheduled.publish and not scheduled.withdraw  # reschedule, not withdraw
    with frozen_at(NOW + timedelta(days=2)):
        live = actions_for(admin, dataset)
        assert live.withdraw and not live.publish and actions_for(editor, dataset).upload
