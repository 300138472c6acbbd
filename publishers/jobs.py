"""The one job-queue interface: in-process by default, RQ workers on Redis in production.

Publishing runs, validation and loading are plain functions; whoever wants one done in the
background calls `enqueue(func, *args)`. Without OPENDATA_REDIS_URL the function simply runs
there and then (the embedded default needs no worker); with it, the call goes on an RQ queue
and an `opendata worker` process runs it. The function must then be importable by dotted
path and its arguments picklable.
"""

from __future__ import annotations

import os
import pkgutil
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

REDIS_SETTING = "OPENDATA_REDIS_URL"
QUEUE_SETTING = "OPENDATA_QUEUE"
QUEUE_NAME = "opendata"
JOB_TIMEOUT = 60 * 60


@dataclass(frozen=True)
class Ticket:
    """A handle on a job: `queued` is False when it has already run in-process (then `result`
    holds its answer); a queued job's result is read from RQ by `id`."""

    id: str
    queued: bool
    result: Any = None


class JobQueue:
    def __init__(self, redis_url: str | None = None, name: str = QUEUE_NAME) -> None:
        self.redis_url = redis_url or None
        self.name = name

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> JobQueue:
        env = os.environ if environ is None else environ
        return cls(env.get(REDIS_SETTING), env.get(QUEUE_SETTING) or QUEUE_NAME)

    @property
    def in_process(self) -> bool:
        return self.redis_url is None

    def enqueue(self, func: Callable | str, *args, **kwargs) -> Ticket:
        """Run `func` now, or put it on the queue. It may be named by its dotted path
        (`package.module.function`), as a worker imports it, so the caller need not."""
        if self.in_process:
            run = pkgutil.resolve_name(func) if isinstance(func, str) else func
            return Ticket(
                id=f"in-process-{uuid.uuid4()}", queued=False, result=run(*args, **kwargs)
            )
        job = self.queue().enqueue_call(func, args=args, kwargs=kwargs, timeout=JOB_TIMEOUT)
        return Ticket(id=job.id, queued=True)

    def queue(self):
        # Imported here: the embedded default never touches Redis.
        from redis import Redis
        from rq import Queue

        return Queue(self.name, connection=Redis.from_url(self.redis_url))

    def worker(self, *, forking: bool = True):
        """An RQ worker on this queue; `forking=False` runs jobs in the worker's own process."""
        from rq import SimpleWorker, Worker

        queue = self.queue()
        kind = Worker if forking else SimpleWorker
        worker = kind([queue], connection=queue.connection)
        _quit_promptly(worker)
        return worker


def _quit_promptly(worker) -> None:
    """Stop the worker's command-channel listener before unsubscribing it. In RQ's own order
    (unsubscribe, then stop) redis-py's listener, once unsubscribed, waits out its 60-second
    poll before it sees the stop, so every worker took a minute to quit."""
    unsubscribe = worker.unsubscribe

    def listener_first() -> None:
        if worker.pubsub_thread:
            worker.pubsub_thread.stop(timeout=0)
        unsubscribe()

    worker.unsubscribe = listener_first


def enqueue(func: Callable | str, *args, **kwargs) -> Ticket:
    """Run `func(*args, **kwargs)` in the background where there is one, else now."""
    return JobQueue.from_environ().enqueue(func, *args, **kwargs)
