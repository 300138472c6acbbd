"""Which web addresses a linked resource may point to.

A publisher may list a file hosted elsewhere by its address. Our server will fetch that address
(the link checker does), so an address is refused unless it is plainly on the public internet:
only `http` and `https`, no user name or password in it, and a host that is, or resolves only
to, global addresses. Loopback, link-local (the cloud metadata address among them), private,
unspecified, multicast and reserved addresses are refused, however they are written: as
IPv4-mapped IPv6, inside 6to4 or NAT64 prefixes, or in the decimal, octal, hexadecimal and
shortened forms (`2130706433`, `0177.0.0.1`, `0x7f000001`, `127.1`) that resolvers accept.
Every refusal happens before any connection is made.

`LinkRules.allow_hosts` names hosts that skip the address checks. It is for tests only (they
run a local HTTP server on loopback), set from `OPENDATA_LINK_ALLOW_HOSTS`, and empty unless set.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from catalog.errors import Invalid

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]

SCHEMES = {"http": 80, "https": 443}
MAX_LENGTH = 2000
NAT64 = ipaddress.ip_network("64:ff9b::/96")
NUMBER = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$")


def resolve_host(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for a host name."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    return [str(info[4][0]) for info in found]


@dataclass(frozen=True)
class LinkRules:
    """How addresses are looked up, and the test-only hosts exempt from the address checks."""

    resolve: Resolver = resolve_host
    allow_hosts: frozenset[str] = field(default_factory=frozenset)


PUBLIC_ONLY = LinkRules()


@dataclass(frozen=True)
class VettedLink:
    """An address that passed every rule, with the addresses it may be fetched from."""

    url: str
    scheme: str
    host: str
    port: int
    addresses: tuple[str, ...]


def vet_link_url(url: str, rules: LinkRules = PUBLIC_ONLY) -> VettedLink:
    """The link, checked; raises Invalid (field `url`) saying which rule it breaks."""
    url = (url or "").strip()
    if not url:
        raise _refused("Enter the web address of the file, starting with https://.")
    if len(url) > MAX_LENGTH:
        raise _refused(f"The web address must be at most {MAX_LENGTH:,} characters long.")
    if any(ord(character) <= 32 or ord(character) == 127 for character in url):
        raise _refused("The web address must not contain spaces or control characters.")
    if "\\" in url:
        raise _refused("The web address must not contain backslashes (\\): use / instead.")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        shown = f"‘{scheme}:’ addresses" if scheme else "Addresses without http:// or https://"
        raise _refused(f"{shown} cannot be linked. Use an http:// or https:// address.")
    if "@" in parts.netloc:
        raise _refused(
            "Remove the user name or password from the web address: links must work for "
            "everyone without signing in."
        )
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise _refused("The web address has no host name, like www.example.gov.uk.")
    if "%" in host:
        raise _refused("Write the host name of the web address plainly, not percent-encoded.")
    try:
        port = parts.port or SCHEMES[scheme]
    except ValueError:
        raise _refused("The port number in the web address is not valid.") from None
    if host in rules.allow_hosts:
        return VettedLink(url, scheme, host, port, tuple(rules.resolve(host, port)))
    literal = literal_address(host)
    if literal is not None:
        _require_public(host, literal)
        return VettedLink(url, scheme, host, port, (str(literal),))
    if host == "localhost" or host.endswith(".localhost"):
        raise _not_public(host, "loopback")
    addresses = rules.resolve(host, port)
    if not addresses:
        raise _refused(f"No server called {host} could be found. Check the web address.")
    for address in addresses:
        _require_public(host, ipaddress.ip_address(address.split("%", 1)[0]))
    return VettedLink(url, scheme, host, port, tuple(addresses))


def literal_address(host: str) -> IPAddress | None:
    """The IP address a host written as one stands for, in any form a resolver would accept;
    None for a host name. A host that ends in a number but is no valid address is refused."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    labels = host.lower().split(".")
    if not NUMBER.match(labels[-1]):
        return None
    try:
        return ipaddress.IPv4Address(_ipv4_number(labels))
    except ValueError:
        raise _refused(f"{host} is not a valid IP address.") from None


def _ipv4_number(labels: list[str]) -> int:
    """An IPv4 address as inet_aton reads it: one to four parts, each decimal, octal (leading
    0) or hexadecimal (0x); the last part fills every remaining byte."""
    if len(labels) > 4 or not all(NUMBER.match(label) for label in labels):
        raise ValueError(labels)
    numbers = [_number(label) for label in labels]
    *leading, last = numbers
    if any(part > 255 for part in leading) or last >= 256 ** (5 - len(numbers)):
        raise ValueError(labels)
    value = last
    for position, part in enumerate(leading):
        value += part << (8 * (3 - position))
    return value


def _number(label: str) -> int:
    if label.startswith("0x"):
        return int(label[2:] or "0", 16)
    if len(label) > 1 and label.startswith("0"):
        return int(label, 8)
    return int(label)


def _require_public(host: str, address: IPAddress) -> None:
    kind = non_public_kind(address)
    if kind is not None:
        raise _not_public(host if host == str(address) else f"{host} ({address})", kind)


def _not_public(where: str, kind: str) -> Invalid:
    article = "an" if kind[0] in "aeiou" else "a"
    return _refused(
        f"{where} is {article} {kind} address, not one on the public internet, so it cannot be "
        "linked. Link to the file's public web address."
    )


def non_public_kind(address: IPAddress) -> str | None:
    """What kind of non-public address this is, or None for a global one. An IPv6 address
    that carries an IPv4 one (mapped, 6to4, NAT64) is judged by the IPv4 address as well."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None and non_public_kind(embedded):
            return non_public_kind(embedded)
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        ("non-public", not address.is_global),
    )
    return next((kind for kind, matches in checks if matches), None)


def _refused(message: str) -> Invalid:
    return Invalid(message, field="url")
