"""Jobs the web app and the commands hand to the queue (`publishers.jobs`): checking an
uploaded table, and publishing runs.

On the embedded default there is no queue: a job runs at once, in the app that asked for it
(the check of an upload within its request, once the request has committed). With
OPENDATA_REDIS_URL set the job goes on the queue by dotted path, an `opendata worker` runs it
in an app of its own (`opendata.worker`), and the staff page shows how many rows a check has
read so far.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from catalog.errors import NotFound
from catalog.models import ResourceVersion
from catalog.tables.checks import check_version
from opendata.database import after_commit, get_session, get_store
from publishers.jobs import JobQueue, Ticket

WORKER = "opendata.worker.run_in_app"


def enqueue_job(
    job: Callable[..., Any], *args: Any, queue: JobQueue | None = None, **kwargs: Any
) -> Ticket:
    """Run `job(*args, **kwargs)` now in this app, or queue it for a worker. A job needs an
    app context, so a worker runs it inside an app it builds (`opendata.worker`)."""
    queue = queue or JobQueue.from_environ()
    if queue.in_process:
        return queue.enqueue(job, *args, **kwargs)
    return queue.enqueue(WORKER, f"{job.__module__}.{job.__qualname__}", *args, **kwargs)


def check_after_commit(version: ResourceVersion) -> None:
    """Check a new table once the request that stored it has committed, so the check finds
    it: in this request on the embedded default, else on a worker."""
    after_commit(enqueue_job, check_job, version.id)


def check_job(version_id: int) -> str:
    """Check one version as a job of its own, committing its progress as it goes."""
    session = get_session()
    version = session.get(ResourceVersion, version_id)
    if version is None:
        raise NotFound(f"There is no file version {version_id} to check.")
    return check_version(session, get_store(), version, progress=True).status
