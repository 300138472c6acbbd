"""Checking that linked files still answer, without letting a link reach inside our network.

A check connects only to an address that `catalog.publishing.links` has vetted (so a host name
cannot resolve to one address when vetted and another when fetched), follows at most five redirects
by hand, vetting each one's target the same way (a redirect to a private address is refused,
not followed), waits at most a few seconds, and reads only the status line and headers, never
the body. Results go into the activity log, so the last one is the link's current status.

Links are checked by `opendata links check` (cron), not when a link is added: a publisher's
page should not wait on someone else's server.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin, urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog import activity
from catalog.clock import utcnow
from catalog.errors import Invalid
from catalog.models import Activity, Resource
from catalog.permissions import Actor, require_sysadmin
from catalog.publishing.links import PUBLIC_ONLY, LinkRules, VettedLink, vet_link_url

OK, BROKEN = "ok", "broken"
CHECKED = "resource.link_check"
MAX_REDIRECTS = 5
TIMEOUT_SECONDS = 5.0
REDIRECTS = {301, 302, 303, 307, 308}
USER_AGENT = "opendata-link-checker/1.0"


@dataclass(frozen=True)
class LinkStatus:
    status: str
    reason: str
    checked_at: datetime

    @property
    def ok(self) -> bool:
        return self.status == OK


def check_link(url: str, rules: LinkRules = PUBLIC_ONLY) -> LinkStatus:
    """Whether the address answers with a success, following its redirects safely."""
    target = url
    for hop in range(MAX_REDIRECTS + 1):
        try:
            link = vet_link_url(target, rules)
        except Invalid as error:
            where = "It redirects to an address that" if hop else "The address"
            return _broken(f"{where} is refused: {error.message}")
        try:
            status, reason, location = _fetch(link)
        except (OSError, http.client.HTTPException) as error:
            return _broken(f"The server could not be reached ({type(error).__name__}: {error}).")
        if status not in REDIRECTS:
            if 200 <= status < 300:
                return LinkStatus(OK, f"The server answered {status} {reason}.", utcnow())
            return _broken(f"The server answered {status} {reason}.")
        if not location:
            return _broken(f"The server answered {status} without saying where to go.")
        target = urljoin(link.url, location)
    return _broken(f"It redirects more than {MAX_REDIRECTS} times.")


def links_check(
    session: Session, *, actor: Actor, rules: LinkRules = PUBLIC_ONLY
) -> list[tuple[Resource, LinkStatus]]:
    """Check every linked resource and record each result in the activity log."""
    require_sysadmin(actor, "check every link")
    linked = session.scalars(
        select(Resource)
        .where(Resource.link_url.is_not(None))
        .order_by(Resource.dataset_id, Resource.position)
    )
    results = []
    for resource in linked:
        found = check_link(resource.link_url or "", rules)
        activity.record(
            session,
            actor=actor,
            action=CHECKED,
            object_type="resource",
            object_id=resource.id,
            dataset_id=resource.dataset_id,
            summary=f"Checked the link of {resource.title}: {found.status}. {found.reason}",
            after={"status": found.status, "reason": found.reason, "url": resource.link_url},
        )
        results.append((resource, found))
    session.flush()
    return results


def last_link_status(session: Session, resource: Resource) -> LinkStatus | None:
    """The result of the latest check of the resource's current address, if it was checked."""
    entries = session.scalars(
        select(Activity)
        .where(Activity.object_id == resource.id, Activity.action == CHECKED)
        .order_by(Activity.occurred_at.desc(), Activity.id.desc())
        .limit(1)
    )
    entry = next(iter(entries), None)
    if entry is None or not entry.after or entry.after.get("url") != resource.link_url:
        return None
    return LinkStatus(entry.after["status"], entry.after["reason"], entry.occurred_at)


def _broken(reason: str) -> LinkStatus:
    return LinkStatus(BROKEN, reason, utcnow())


def _fetch(link: VettedLink) -> tuple[int, str, str | None]:
    """GET the address from one of its vetted addresses; only the headers are read."""
    parts = urlsplit(link.url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection = http.client.HTTPConnection(link.host, link.port, timeout=TIMEOUT_SECONDS)
    connection.sock = _connect(link)
    try:
        connection.request(
            "GET", path, headers={"Host": _host_header(link), "User-Agent": USER_AGENT}
        )
        response = connection.getresponse()
        return response.status, response.reason, response.getheader("Location")
    finally:
        connection.close()


def _connect(link: VettedLink) -> socket.socket:
    """A connection to the first vetted address that answers, TLS-checked for the host name."""
    if not link.addresses:
        raise OSError(f"No address found for {link.host}")
    failure: OSError | None = None
    for address in link.addresses:
        try:
            sock = socket.create_connection((address, link.port), timeout=TIMEOUT_SECONDS)
        except OSError as error:
            failure = error
            continue
        if link.scheme != "https":
            return sock
        try:
            return ssl.create_default_context().wrap_socket(sock, server_hostname=link.host)
        except OSError:
            sock.close()
            raise
    raise failure or OSError(f"No address of {link.host} answered")


def _host_header(link: VettedLink) -> str:
    host = f"[{link.host}]" if ":" in link.host else link.host
    default = {"http": 80, "https": 443}[link.scheme]
    return host if link.port == default else f"{host}:{link.port}"
