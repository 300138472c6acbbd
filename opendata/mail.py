"""Sending email through the council's mail relay (`OPENDATA_MAIL_SERVER`, host:port).

Plain SMTP to an internal relay, which handles delivery onwards; without a relay configured the
site sends no email at all and says so where it would have.
"""

from __future__ import annotations

import smtplib
import threading
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formataddr
from urllib.parse import urlsplit

from opendata.config import Settings

SMTP_PORT = 25
TIMEOUT_SECONDS = 10


def mail_configured(settings: Settings) -> bool:
    return settings.mail_server is not None


def send_mail(settings: Settings, *, to: str, subject: str, body: str) -> None:
    """Send one plain-text email; an unreachable relay raises OSError (smtplib's errors are
    OSErrors too) for the caller to decide what the person is told."""
    if settings.mail_server is None:
        raise OSError("No mail server is configured (OPENDATA_MAIL_SERVER).")
    host, port = _host_and_port(settings.mail_server)
    message = EmailMessage()
    message["From"] = _sender(settings)
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(host, port, timeout=TIMEOUT_SECONDS) as smtp:
        smtp.send_message(message)


def send_mail_soon(
    settings: Settings, *, to: str, subject: str, body: str, failed: Callable[[OSError], None]
) -> None:
    """Send one email from a thread of its own, so the page that asked answers at once.

    How long a page takes then never says whether an email went: the forgotten-password page
    answers as fast for an address with no account. `failed` hears of a relay that fails.
    """

    def send() -> None:
        try:
            send_mail(settings, to=to, subject=subject, body=body)
        except OSError as error:
            failed(error)
        finally:
            with _OUTGOING_LOCK:
                _OUTGOING.discard(threading.current_thread())

    thread = threading.Thread(target=send, name="send-mail")
    with _OUTGOING_LOCK:
        _OUTGOING.add(thread)
    thread.start()


def wait_for_outgoing() -> None:
    """Wait until every email handed to `send_mail_soon` has gone or failed."""
    with _OUTGOING_LOCK:
        sending = list(_OUTGOING)
    for thread in sending:
        thread.join(TIMEOUT_SECONDS * 2)


_OUTGOING: set[threading.Thread] = set()
_OUTGOING_LOCK = threading.Lock()


def _host_and_port(server: str) -> tuple[str, int]:
    """`smtp.example.gov.uk:587`, `[::1]:25` or a bare host (port 25)."""
    host, _, port = server.rpartition(":")
    if not host or not port.isdigit():
        return server.strip("[]"), SMTP_PORT
    return host.strip("[]"), int(port)


def _sender(settings: Settings) -> str:
    """`OPENDATA_MAIL_FROM`, or a no-reply address at the site's own host name."""
    if settings.mail_from:
        return settings.mail_from
    host = urlsplit(settings.base_url).hostname or "localhost"
    return formataddr((settings.site_name, f"no-reply@{host}"))
