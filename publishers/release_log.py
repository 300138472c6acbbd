"""The built-in release notice: each run that released something is announced on the
`opendata.releases` logger, which a deployment can route to mail or chat. Other notifiers
(a webhook, an email to the FOI team) are plugins implementing the same hook."""

from __future__ import annotations

import logging

from publishers.hookspecs import hookimpl

logger = logging.getLogger("opendata.releases")


@hookimpl
def opendata_after_release(source, release_summary) -> None:
    logger.info("%s", release_summary.headline())
    for outcome in release_summary.published:
        logger.info("  %s", outcome.line())
