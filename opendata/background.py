"""Jobs the web app hands to the queue (`publishers.jobs`): here, checking an uploaded table.

On the embedded default there is no queue and the check runs within the upload request. With
OPENDATA_REDIS_URL set, the upload returns at once, an `opendata worker` runs the check, and the
staff page shows how many rows it has read so far.
"""

from __future__ import annotations

from flask import has_app_context

from catalog.errors import NotFound
from catalog.models import ResourceVersion
from catalog.tables.checks import check_version
from publishers.jobs import JobQueue


def check_in_background() -> bool:
    return not JobQueue.from_environ().in_process


def queue_check_job(version_id: int) -> None:
    JobQueue.from_environ().enqueue(check_job, version_id)


def check_job(version_id: int) -> str:
    """Check one version; on a worker, in an app built from the worker's OPENDATA_* settings."""
    if has_app_context():
        return _check(version_id)
    from opendata import create_app

    app = create_app()
    try:
        with app.app_context():
            return _check(version_id)
    finally:
        app.extensions["catalog"]["engine"].dispose()


def _check(version_id: int) -> str:
    from opendata.database import get_session, get_store

    session = get_session()
    version = session.get(ResourceVersion, version_id)
    if version is None:
        raise NotFound(f"There is no file version {version_id} to check.")
    return check_version(session, get_store(), version).status
