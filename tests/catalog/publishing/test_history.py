"""The public history shows what the public could see, and nothing from before publication."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from catalog.clock import frozen_at
from catalog.publishing.history import (
    ADDED,
    CORRECTED,
    LINKED,
    NEW_VERSION,
    PUBLISHED,
    public_history,
)
from catalog.publishing.resources import Upload, resource_link_create, version_add
from catalog.publishing.workflow import release_without_review
from tests.conftest import ACTOR

DAY = datetime(2025, 6, 2, 8, 30)


def _version(catalogue, resource, content: bytes, note="", release_at=None):
    return version_add(
        catalogue.session,
        store=catalogue.store,
        actor=ACTOR,
        resource=resource,
        upload=Upload(stream=io.BytesIO(content), filename="visits.csv"),
        note=note,
        release_at=release_at,
    )


def test_drafts_and_scheduled_datasets_have_no_public_history(catalogue):
    with frozen_at(DAY):
        draft = catalogue.dataset("draft", files={"a.csv": b"A\n1\n"}, publish=False)
        later = catalogue.dataset("later", publish=DAY + timedelta(hours=1))
        assert public_history(draft) == [] and public_history(later) == []


def test_history_lists_publication_and_later_releases_only(catalogue):
    with frozen_at(DAY - timedelta(days=1)):
        dataset = catalogue.dataset("visits", publish=False, files={"visits.csv": b"Month\n1\n"})
        resource = dataset.resources[0]
        _version(catalogue, resource, b"Month\n1\n2\n", note="Draft-time fix, never public.")
    with frozen_at(DAY):
        release_without_review(catalogue.session, actor=ACTOR, dataset=dataset, source="test")
    with frozen_at(DAY + timedelta(days=1)):
        _version(catalogue, resource, b"Month\n1\n2\n3\n")
    with frozen_at(DAY + timedelta(days=2)):
        _version(catalogue, resource, b"Month\n1\n2\n4\n", note="March was 4.")
    with frozen_at(DAY + timedelta(days=3)):
        catalogue.add_file(dataset, "branches.csv", b"Branch\nAcomb\n", title="Branches")
        _version(catalogue, resource, b"Month\n5\n", release_at=DAY + timedelta(days=9))
        history = public_history(dataset)
    assert [(e.kind, e.resource_title, e.version, e.note) for e in history] == [
        (ADDED, "Branches", 1, ""),
        (CORRECTED, "visits.csv", 4, "March was 4."),
        (NEW_VERSION, "visits.csv", 3, ""),
        (PUBLISHED, "", None, ""),
    ]
    with frozen_at(DAY + timedelta(days=9)):
        assert public_history(dataset)[0].version == 5


def test_a_link_added_after_publication_is_in_the_history_and_one_added_before_is_not(catalogue):
    session = catalogue.session
    with frozen_at(DAY - timedelta(days=1)):
        dataset = catalogue.dataset("bus-stops", publish=False)
        resource_link_create(
            session, actor=ACTOR, dataset=dataset, title="Stops", url="http://93.184.215.14/a.csv"
        )
    with frozen_at(DAY):
        release_without_review(session, actor=ACTOR, dataset=dataset, source="test")
    with frozen_at(DAY + timedelta(days=1)):
        resource_link_create(
            session,
            actor=ACTOR,
            dataset=dataset,
            title="Timetables",
            url="http://93.184.215.14/t.pdf",
        )
        history = public_history(dataset)
    assert [(e.kind, e.resource_title, e.at) for e in history] == [
        (LINKED, "Timetables", DAY + timedelta(days=1)),
        (PUBLISHED, "", DAY),
    ]
