"""What an `opendata worker` runs: each job inside an app built from the worker's own
OPENDATA_* settings.

The app enqueues a job by this module's dotted path (`opendata.background.enqueue_job`) and
never imports it, so it may import `create_app` at its top.
"""

from __future__ import annotations

from typing import Any

from werkzeug.utils import import_string

from opendata import create_app


def run_in_app(job: str, *args: Any, **kwargs: Any) -> Any:
    """Run the job at dotted path `job` in an app context, and return its answer."""
    app = create_app()
    try:
        with app.app_context():
            return import_string(job)(*args, **kwargs)
    finally:
        app.extensions["catalog"]["engine"].dispose()
