"""Four eyes on everything the public sees: a new version of a public file, a new file in a
public dataset, a new address of a linked file, and a file released with known issues each wait
for an admin of the organisation who did not make the change. A trusted system source releases
without review, and the log says so."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from catalog.clock import frozen_at
from catalog.errors import Invalid, NotAllowed
from catalog.models import Activity, Release
from catalog.publishing.changes import change_approve, change_send_back
from catalog.publishing.known_issues import accept_known_issues
from catalog.publishing.resources import resource_link_create, resource_link_update
from catalog.publishing.workflow import dataset_approve, dataset_submit, release_without_review
from catalog.visibility import latest_public
from tests.catalog.publishing.four_eyes import (
    KPI_MACHINE,
    MESSY,
    NEW_ADDRESS,
    NOW,
    OLD_ADDRESS,
    PUBLISHED,
    RULES,
    SETUP,
    V1,
    V2,
    add_file,
    make_people,
    pending_changes,
    upload,
)

KINDS = ("new version", "new file", "new address", "known issues")
# (who reviews, who made the change, may they approve)
REVIEWERS = [
    ("other editor", "editor", False),
    ("admin", "admin", False),
    ("other admin", "editor", True),
    ("other admin", "admin", True),
    ("sysadmin", "editor", True),
    ("sysadmin", "sysadmin", False),
]


@pytest.fixture
def people(catalogue):
    return make_people(catalogue)


@pytest.fixture
def spend(catalogue):
    """A dataset public since PUBLISHED with one table and one link."""
    with frozen_at(PUBLISHED):
        dataset = catalogue.dataset("ward-spend", files={"spend.csv": V1}, publish=False)
        resource_link_create(
            catalogue.session,
            actor=SETUP,
            dataset=dataset,
            title="Spend archive",
            url=OLD_ADDRESS,
            rules=RULES,
        )
        release_without_review(catalogue.session, actor=SETUP, dataset=dataset, source="test")
    return dataset


def _make(kind: str, catalogue, spend, maker):
    """Make one kind of change as `maker`; return what the public should see once released."""
    table, link = spend.resources
    if kind == "new version":
        upload(catalogue, maker, table, V2)
        return lambda: latest_public(table) is not None and latest_public(table).number == 2
    if kind == "new file":
        added = add_file(catalogue, maker, spend)
        return lambda: latest_public(added) is not None
    if kind == "new address":
        resource_link_update(
            catalogue.session, actor=maker, resource=link, url=NEW_ADDRESS, rules=RULES
        )
        return lambda: link.link_url == NEW_ADDRESS
    upload(catalogue, maker, table, MESSY, schema=None)
    [change] = pending_changes(catalogue, spend)
    with pytest.raises(Invalid) as refused:
        change_approve(catalogue.session, actor=_admin_other_than(maker), change=change)
    assert refused.value.field == "files" and "1 error" in refused.value.message
    accept_known_issues(catalogue.session, actor=maker, version=change.version, note="TBC is due")
    return lambda: latest_public(table) is not None and latest_public(table).number == 2


_ADMINS: dict[int | None, object] = {}


def _admin_other_than(maker):
    return next(actor for key, actor in _ADMINS.items() if key != maker.account_id)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("reviewer", "maker", "allowed"), REVIEWERS)
def test_a_change_is_public_only_once_an_admin_who_did_not_make_it_approves_it(
    catalogue, people, spend, kind, reviewer, maker, allowed
):
    _ADMINS.clear()
    _ADMINS.update({people[r].account_id: people[r] for r in ("admin", "other admin")})
    with frozen_at(NOW):
        released = _make(kind, catalogue, spend, people[maker])
        assert not released()
        [change] = pending_changes(catalogue, spend)
        if not allowed:
            with pytest.raises(NotAllowed):
                change_approve(catalogue.session, actor=people[reviewer], change=change)
            catalogue.session.rollback()
            assert not released()
            return
        change_approve(catalogue.session, actor=people[reviewer], change=change)
        catalogue.session.commit()
        assert released()
    [record] = catalogue.session.scalars(
        select(Release).where(Release.dataset_id == spend.id, Release.source == "web")
    )
    assert record.approved_by == people[reviewer].name and record.released_at == NOW
    if change.version is not None:
        assert record.versions == [
            {"resource": change.resource_id, "version": change.version.number,
             "sha256": change.version.sha256}
        ]  # fmt: skip


@pytest.mark.parametrize("kind", ["new version", "new file", "new address"])
def test_a_trusted_source_releases_without_review_and_the_log_says_so(catalogue, spend, kind):
    with frozen_at(NOW):
        released = _make(kind, catalogue, spend, KPI_MACHINE)
        catalogue.session.commit()
        assert released() and pending_changes(catalogue, spend) == []
    if kind != "new address":
        logged = catalogue.session.scalars(
            select(Activity.summary).where(Activity.action == "resource.release_without_review")
        ).all()
        assert len(logged) == 1 and "without review" in logged[0]
        assert "KPI Machine source, allowed by Sam Sysadmin is a trusted source" in logged[0]


def test_a_change_sent_back_is_never_released(catalogue, people, spend):
    table = spend.resources[0]
    with frozen_at(NOW):
        upload(catalogue, people["editor"], table, V2)
        [change] = pending_changes(catalogue, spend)
        with pytest.raises(Invalid):
            change_send_back(catalogue.session, actor=people["admin"], change=change, comment=" ")
        change_send_back(
            catalogue.session, actor=people["admin"], change=change, comment="Wrong quarter."
        )
        catalogue.session.commit()
        assert pending_changes(catalogue, spend) == [] and latest_public(table).number == 1


def test_known_issues_in_a_new_dataset_need_someone_other_than_who_noted_them(catalogue, people):
    with frozen_at(NOW):
        dataset = catalogue.dataset("ward-spend", files={"spend.csv": V1}, publish=False)
        upload(catalogue, people["editor"], dataset.resources[0], MESSY, schema=None)
        version = dataset.resources[0].latest
        accept_known_issues(
            catalogue.session, actor=people["admin"], version=version, note="TBC is due"
        )
        dataset_submit(catalogue.session, actor=people["editor"], dataset=dataset)
        with pytest.raises(NotAllowed, match="noted the known issues"):
            dataset_approve(catalogue.session, actor=people["admin"], dataset=dataset)
        dataset_approve(catalogue.session, actor=people["other admin"], dataset=dataset)
        assert dataset.state == "approved"


def test_a_note_on_a_trusted_sources_failed_file_still_waits_for_review(catalogue, people, spend):
    table = spend.resources[0]
    with frozen_at(NOW):
        upload(catalogue, KPI_MACHINE, table, MESSY, schema=None)
        assert latest_public(table).number == 1  # its check failed
        accept_known_issues(
            catalogue.session, actor=people["editor"], version=table.latest, note="TBC is due"
        )
        assert latest_public(table).number == 1
        [change] = pending_changes(catalogue, spend)
        assert (change.version.number, change.made_by) == (2, "Erin Editor")
