"""`/.well-known/security.txt` (RFC 9116): where to report a vulnerability.

The council names its own contact with `OPENDATA_SECURITY_CONTACT` (an email address or an
https URL). Without one the file is not published, since a file naming nobody would send
reports nowhere. `Expires` is always six months ahead, inside the RFC's one-year limit.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, current_app

from catalog.clock import utcnow
from catalog.errors import NotFound

bp = Blueprint("security_txt", __name__)
VALID_FOR = timedelta(days=182)


@bp.get("/.well-known/security.txt")
def security_txt():
    settings = current_app.config["SETTINGS"]
    contact = settings.security_contact
    if not contact:
        raise NotFound("No security contact has been configured for this site.")
    lines = [
        f"Contact: {_as_uri(contact)}",
        f"Expires: {(utcnow() + VALID_FOR).isoformat()}Z",
        "Preferred-Languages: en",
        f"Canonical: {settings.base_url}/.well-known/security.txt",
    ]
    response = Response("\n".join(lines) + "\n", mimetype="text/plain")
    response.cache_control.max_age = 86400
    response.cache_control.public = True
    return response


def _as_uri(contact: str) -> str:
    return contact if ":" in contact else f"mailto:{contact}"
