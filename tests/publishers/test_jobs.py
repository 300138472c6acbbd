"""The job queue: in-process by default; RQ on the real Redis when OPENDATA_REDIS_URL is set."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import select

from catalog.models import Indicator
from opendata.background import enqueue_job
from opendata.cli_publish import publish_job
from publishers.jobs import JobQueue, enqueue
from tests.publishers.conftest import looked_after, set_policy

REDIS_URL = os.environ.get("OPENDATA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def add(a, b):
    return a + b


def test_without_redis_a_job_runs_at_once_in_process(monkeypatch):
    monkeypatch.delenv("OPENDATA_REDIS_URL", raising=False)
    ticket = enqueue(add, 2, b=3)
    assert (ticket.queued, ticket.result) == (False, 5)
    assert JobQueue.from_environ({"OPENDATA_REDIS_URL": REDIS_URL}).in_process is False


def test_sites_sharing_a_redis_keep_their_jobs_apart_by_queue_name():
    """OPENDATA_QUEUE names the queue a site and its workers share; another site's worker
    never runs its jobs."""
    assert JobQueue.from_environ({"OPENDATA_REDIS_URL": REDIS_URL}).name == "opendata"
    ours, theirs = (
        JobQueue.from_environ(
            {"OPENDATA_REDIS_URL": REDIS_URL, "OPENDATA_QUEUE": f"opendata-test-{uuid.uuid4()}"}
        )
        for _ in range(2)
    )
    try:
        ticket = ours.enqueue(add, 2, b=3)
        assert ticket.queued
        assert not theirs.worker(forking=False).work(burst=True)  # nothing there for them
        assert ours.worker(forking=False).work(burst=True)
        assert ours.queue().fetch_job(ticket.id).return_value() == 5
    finally:
        for queue in (ours, theirs):
            queue.queue().delete(delete_jobs=True)


@pytest.fixture
def redis_queue():
    """A queue on the real Redis the production set-up uses (127.0.0.1:6379 here and in CI)."""
    queue = JobQueue(REDIS_URL, name=f"opendata-test-{uuid.uuid4().hex[:8]}")
    yield queue
    queue.queue().delete(delete_jobs=True)


def test_a_publishing_run_queued_on_redis_is_run_by_a_worker(
    redis_queue, environ, kpi_store, places, monkeypatch
):
    from rq.job import Job

    looked_after(kpi_store)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("OPENDATA_KPI_MACHINE_URL", kpi_store.url)
    set_policy(places.session, "kpi-machine", auto_approve=True)

    ticket = enqueue_job(publish_job, "kpi-machine", queue=redis_queue)
    assert ticket.queued and ticket.result is None
    assert places.session.scalars(select(Indicator)).all() == []  # nothing until a worker runs

    worker = redis_queue.worker(forking=False)
    assert worker.work(burst=True)
    worker.connection.delete(worker.key)
    job = Job.fetch(ticket.id, connection=redis_queue.queue().connection)
    result = job.return_value()
    assert result["status"] == "done", result["error"]
    assert [o["ref"] for o in result["indicators"]] == ["CLA01", "CLA01a", "CLA01b", "CLA01c"]
    places.session.expire_all()
    assert len(places.session.scalars(select(Indicator)).all()) == 4
    job.delete()
