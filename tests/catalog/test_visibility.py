"""The public read model: one rule, whose SQL and Python forms agree at every second, and a
public "last updated" that only what is public can move."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from catalog.clock import frozen_at
from catalog.models import Dataset, ResourceVersion
from catalog.publishing.resources import (
    Upload,
    resource_create,
    resource_link_create,
    version_add,
)
from catalog.visibility import (
    DATASET,
    VERSION,
    public_summaries,
    public_updated_clause,
    public_view,
    released_at,
)
from tests.conftest import ACTOR

CREATED = datetime(2029, 3, 1, 9, 0, 0)
RELEASE = datetime(2030, 1, 4, 9, 30, 0)
SECOND = timedelta(seconds=1)
CSV = b"ward,amount\r\nGuildhall,12\r\n"
BROKEN = b"ward,amount\r\nGuildhall,lots\r\n"


def _upload(content: bytes) -> Upload:
    return Upload(stream=io.BytesIO(content), filename="amounts.csv")


def _public_by_sql(session, model, rule, row_id, moment) -> bool:
    query = select(model.id).where(model.id == row_id, rule.clause(moment))
    return session.scalar(query) is not None


@pytest.mark.parametrize("offset", [-SECOND, timedelta(0), SECOND], ids=["-1 s", "0", "+1 s"])
def test_the_rule_in_sql_and_in_python_agree_around_each_release(catalogue, offset):
    """Datasets in each state, and a released, a scheduled and a failed version, asked at one
    second before, at and after the release: both forms give the same answer, and the
    scheduled things are public from their second exactly."""
    session = catalogue.session
    with frozen_at(CREATED):
        draft = catalogue.dataset("draft-figures", publish=False)
        scheduled = catalogue.dataset("scheduled-figures", files={"a.csv": CSV}, publish=RELEASE)
        live = catalogue.dataset("live-figures", files={"a.csv": CSV})
        resource = live.resources[0]
        upload = {"store": catalogue.store, "actor": ACTOR, "resource": resource}
        later = version_add(session, upload=_upload(CSV), release_at=RELEASE, **upload)
        failed = version_add(session, upload=_upload(BROKEN), **upload)
    moment = RELEASE + offset
    datasets = {d.name: d for d in (draft, scheduled, live)}
    versions = {"first": resource.versions[0], "scheduled": later, "failed": failed}
    by_python = {
        **{name: DATASET.holds(d, moment) for name, d in datasets.items()},
        **{name: VERSION.holds(v, moment) for name, v in versions.items()},
    }
    by_sql = {
        **{n: _public_by_sql(session, Dataset, DATASET, d.id, moment) for n, d in datasets.items()},
        **{
            n: _public_by_sql(session, ResourceVersion, VERSION, v.id, moment)
            for n, v in versions.items()
        },
    }
    released = offset >= timedelta(0)
    expected = {
        "draft-figures": False,
        "scheduled-figures": released,
        "live-figures": True,
        "first": True,
        "scheduled": released,
        "failed": False,
    }
    assert by_python == expected
    assert by_sql == expected
    assert released_at(later) == DATASET.released_at(scheduled) == RELEASE


def test_only_what_is_public_moves_the_last_updated(catalogue):
    """An upload scheduled for later and one that failed its check leave the public date
    where it was; the scheduled one moves it at its second; a link, public at once, moves it
    when added. The SQL form, which listings sort by, gives the same date as the page."""
    session = catalogue.session
    with frozen_at(CREATED):
        dataset = catalogue.dataset("rents", files={"rents.csv": CSV})
    upload = {"store": catalogue.store, "actor": ACTOR, "resource": dataset.resources[0]}
    with frozen_at(CREATED + timedelta(days=30)):
        version_add(session, upload=_upload(CSV), release_at=RELEASE, **upload)
        version_add(session, upload=_upload(BROKEN), **upload)
    linked_at = RELEASE + timedelta(days=1)

    def updated(moment):
        """The date three ways: the page's view, the SQL listings sort by, a results list."""
        by_sql = session.scalar(
            select(public_updated_clause(moment)).where(Dataset.id == dataset.id)
        )
        (listed,) = public_summaries(session, [dataset], moment)
        return public_view(dataset, moment).updated_at, by_sql, listed.updated_at

    before, at_release = updated(RELEASE - SECOND), updated(RELEASE)
    with frozen_at(linked_at):
        resource_link_create(
            session, actor=ACTOR, dataset=dataset, title="Map", url="https://93.184.216.34/map.pdf"
        )
    assert before == (CREATED,) * 3
    assert at_release == (RELEASE,) * 3
    assert updated(linked_at + SECOND) == (linked_at,) * 3


def test_a_results_list_shows_only_released_files_formats(catalogue):
    """A TSV that failed its check and one still waiting for it add no format; a link, public
    at once, does. The results list (SQL) and the dataset page (Python) agree."""
    session = catalogue.session
    dataset = catalogue.dataset("rents", files={"rents.csv": CSV})
    schema = {"fields": [{"name": "ward"}, {"name": "amount", "type": "integer"}]}
    catalogue.add_file(dataset, "rents.tsv", b"ward\tamount\r\nA\tlots\r\n", table_schema=schema)
    resource_create(
        session,
        store=catalogue.store,
        actor=ACTOR,
        dataset=dataset,
        title="Waiting list",
        upload=Upload(stream=io.BytesIO(b"ward\twaiting\r\nA\t7\r\n"), filename="waiting.tsv"),
        check_now=False,
    )
    resource_link_create(
        session, actor=ACTOR, dataset=dataset, title="Map", url="https://93.184.216.34/map.pdf"
    )
    (listed,) = public_summaries(session, [dataset])

    assert listed.formats == public_view(dataset).formats == ["CSV", "PDF"]
