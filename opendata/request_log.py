"""The built-in server's request log, with secrets taken out of the addresses it records.

A password reset link carries its token in its path, so the log shows
`/account/reset-password/[hidden]` instead: a log shared to debug something can never be
used to set someone's password.
"""

from __future__ import annotations

import re

from werkzeug.serving import WSGIRequestHandler

SECRET_PATHS = re.compile(r"(/account/reset-password/)[^\s/?\"]+")
HIDDEN = r"\1[hidden]"


class RedactingRequestHandler(WSGIRequestHandler):
    """Werkzeug's request handler, whose every log line has secret paths hidden."""

    def log(self, kind: str, message: str, *args) -> None:
        super().log(kind, "%s", SECRET_PATHS.sub(HIDDEN, message % args))
