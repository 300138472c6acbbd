"""Linked resources: which web addresses a publisher may link to, the service that adds and
changes links, and the link checker against a real HTTP server started here.

Refusals never touch the network: every refused form is refused by reading the address, or
by a resolver passed in as a plain function. The checker's server listens on loopback, which
the rules refuse, so the tests that fetch name 127.0.0.1 in the test-only allow-list."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select

from catalog.errors import Invalid, NotAllowed
from catalog.models import Activity, Resource
from catalog.permissions import EDITOR, Actor
from catalog.publishing.link_checker import BROKEN, OK, check_link, last_link_status, links_check
from catalog.publishing.links import LinkRules, vet_link_url
from catalog.publishing.resources import resource_link_create, resource_link_update
from tests.conftest import ACTOR

PUBLIC_IP = "93.184.215.14"


def no_lookup(host: str, port: int) -> list[str]:
    """A resolver for tests that must never reach DNS: it fails the test if it is asked."""
    raise AssertionError(f"{host} should have been refused before any lookup")


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("", "Enter the web address"),
        ("file:///etc/passwd", "‘file:’ addresses cannot be linked"),
        ("ftp://ftp.example.org/data.csv", "‘ftp:’ addresses cannot be linked"),
        ("javascript:alert(1)", "‘javascript:’ addresses cannot be linked"),
        ("data:text/csv,a,b", "‘data:’ addresses cannot be linked"),
        ("gopher://example.org/", "‘gopher:’ addresses cannot be linked"),
        ("www.example.org/data.csv", "Addresses without http:// or https://"),
        ("https://user:secret@data.example.org/x.csv", "Remove the user name or password"),
        ("https://token@data.example.org/x.csv", "Remove the user name or password"),
        ("http://127.0.0.1/", "127.0.0.1 is a loopback address"),
        ("http://127.8.9.10:8080/x", "is a loopback address"),
        ("http://[::1]/", "::1 is a loopback address"),
        ("http://localhost:5000/admin", "localhost is a loopback address"),
        ("http://api.localhost/", "api.localhost is a loopback address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("http://169.254.1.1/", "is a link-local address"),
        ("http://[fe80::1]/", "fe80::1 is a link-local address"),
        ("http://10.1.2.3/", "10.1.2.3 is a private address"),
        ("http://172.16.0.1/", "172.16.0.1 is a private address"),
        ("http://172.31.255.254/", "is a private address"),
        ("http://192.168.1.1/", "192.168.1.1 is a private address"),
        ("http://[fc00::1]/", "fc00::1 is a private address"),
        ("http://[fd12:3456::1]/", "is a private address"),
        ("http://0.0.0.0/", "0.0.0.0 is an unspecified address"),
        ("http://[::]/", ":: is an unspecified address"),
        ("http://224.0.0.1/", "224.0.0.1 is a multicast address"),
        ("http://[ff02::1]/", "ff02::1 is a multicast address"),
        ("http://240.0.0.1/", "240.0.0.1 is a reserved address"),
        ("http://100.64.0.1/", "100.64.0.1 is a non-public address"),
        ("http://[::ffff:127.0.0.1]/", "is a loopback address"),
        ("http://[::ffff:169.254.169.254]/", "is a link-local address"),
        ("http://[::ffff:10.0.0.1]/", "is a private address"),
        ("http://[64:ff9b::a9fe:a9fe]/", "is a link-local address"),
        ("http://[2002:c0a8:101::]/", "is a private address"),
        ("http://2130706433/", "2130706433 (127.0.0.1) is a loopback address"),
        ("http://0177.0.0.1/", "0177.0.0.1 (127.0.0.1) is a loopback address"),
        ("http://0x7f000001/", "0x7f000001 (127.0.0.1) is a loopback address"),
        ("http://0x7f.0.0.1/", "(127.0.0.1) is a loopback address"),
        ("http://127.1/", "127.1 (127.0.0.1) is a loopback address"),
        ("http://2852039166/", "(169.254.169.254) is a link-local address"),
        ("http://0/", "0 (0.0.0.0) is an unspecified address"),
        ("http://1.2.3.256/", "1.2.3.256 is not a valid IP address"),
        ("http://example.08/", "example.08 is not a valid IP address"),
        ("http://93.184.215.14:99999/", "The port number in the web address is not valid"),
        ("http:///data.csv", "has no host name"),
        ("https://data.example.org/a file.csv", "must not contain spaces"),
        ("http://93.184.215.14\\@127.0.0.1/", "must not contain backslashes"),
        ("http://127.0.0.1\\.example.org/", "must not contain backslashes"),
        ("http://%31%32%37.0.0.1/", "not percent-encoded"),
        ("http://%6c%6fcalhost/", "not percent-encoded"),
        ("https://data.example.org/" + "x" * 2000, "at most 2,000 characters"),
    ],
)
def test_every_address_that_is_not_plainly_public_is_refused_before_any_lookup(url, words):
    with pytest.raises(Invalid) as refused:
        vet_link_url(url, LinkRules(resolve=no_lookup))
    assert refused.value.field == "url"
    assert words in refused.value.message


@pytest.mark.parametrize(
    "addresses",
    [
        ["127.0.0.1"],
        [PUBLIC_IP, "10.0.0.5"],
        ["2606:2800:21f:cb07:6820:80da:af6b:8b2c", "fe80::1%eth0"],
        ["169.254.169.254"],
        ["::ffff:192.168.0.1"],
    ],
)
def test_a_host_name_is_refused_when_any_address_it_resolves_to_is_not_public(addresses):
    asked = []

    def resolve(host: str, port: int) -> list[str]:
        asked.append((host, port))
        return addresses

    with pytest.raises(Invalid) as refused:
        vet_link_url("https://files.example.org:8443/spend.csv", LinkRules(resolve=resolve))
    assert asked == [("files.example.org", 8443)]
    assert "files.example.org (" in refused.value.message
    assert "not one on the public internet" in refused.value.message


def test_a_host_name_nobody_can_resolve_is_refused():
    with pytest.raises(Invalid, match="No server called nowhere.example.org could be found"):
        vet_link_url("https://nowhere.example.org/", LinkRules(resolve=lambda host, port: []))


def test_a_public_ip_address_is_accepted_without_a_lookup():
    link = vet_link_url(f"http://{PUBLIC_IP}/spend.csv", LinkRules(resolve=no_lookup))
    assert (link.host, link.port, link.addresses) == (PUBLIC_IP, 80, (PUBLIC_IP,))


def test_a_host_name_resolving_only_to_public_addresses_is_accepted():
    ipv6 = "2606:2800:21f:cb07:6820:80da:af6b:8b2c"
    rules = LinkRules(resolve=lambda host, port: [PUBLIC_IP, ipv6])
    link = vet_link_url("HTTPS://Data.Example.org/spend.csv?year=2024", rules)
    assert (link.scheme, link.host, link.port) == ("https", "data.example.org", 443)
    assert link.addresses == (PUBLIC_IP, ipv6)


def test_with_an_empty_allow_list_loopback_is_refused_even_by_the_real_resolver():
    """The default rules use the system resolver and allow no host: loopback is refused."""
    with pytest.raises(Invalid, match="loopback"):
        vet_link_url("http://127.0.0.1:8000/data.csv")
    with pytest.raises(Invalid, match="loopback"):
        vet_link_url("http://localhost:8000/data.csv")


def test_a_host_on_the_allow_list_skips_the_address_checks():
    rules = LinkRules(allow_hosts=frozenset({"127.0.0.1"}))
    assert vet_link_url("http://127.0.0.1:8000/x.csv", rules).addresses == ("127.0.0.1",)
    with pytest.raises(Invalid, match="loopback"):
        vet_link_url("http://127.0.0.2:8000/x.csv", rules)


# The link checker, against a real HTTP server on loopback.


@dataclass
class FileServer:
    base: str
    port: int
    requests: list[str] = field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.server.requests.append(self.path)  # type: ignore[attr-defined]
        port = self.server.server_address[1]
        if self.path == "/data.csv":
            return self._answer(200, body=b"a,b\n1,2\n")
        if self.path.startswith("/hop/"):
            left = int(self.path.rsplit("/", 1)[1])
            return self._answer(302, location="/data.csv" if left <= 1 else f"/hop/{left - 1}")
        targets = {
            "/relative": "data.csv",
            "/to-metadata": "http://169.254.169.254/latest/meta-data/",
            "/to-localhost": f"http://localhost:{port}/data.csv",
            "/to-ftp": "ftp://files.example.org/data.csv",
        }
        if self.path in targets:
            return self._answer(301, location=targets[self.path])
        if self.path == "/nowhere":
            return self._answer(302)
        return self._answer(404)

    def _answer(self, status: int, *, location: str | None = None, body: bytes = b"") -> None:
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        """Quiet: the test reads `requests` instead."""


@pytest.fixture
def file_server() -> Iterator[FileServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.requests = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    try:
        yield FileServer(f"http://127.0.0.1:{port}", port, server.requests)  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


TEST_HOST = LinkRules(allow_hosts=frozenset({"127.0.0.1"}))


def test_a_working_link_is_ok_and_redirects_are_followed_up_to_five(file_server):
    assert check_link(f"{file_server.base}/data.csv", TEST_HOST).status == OK
    assert check_link(f"{file_server.base}/relative", TEST_HOST).status == OK
    five = check_link(f"{file_server.base}/hop/5", TEST_HOST)
    assert five.ok and "200" in five.reason
    assert file_server.requests[-6:] == ["/hop/5", "/hop/4", "/hop/3", "/hop/2", "/hop/1"] + [
        "/data.csv"
    ]


def test_more_than_five_redirects_is_broken(file_server):
    found = check_link(f"{file_server.base}/hop/6", TEST_HOST)
    assert (found.status, found.reason) == (BROKEN, "It redirects more than 5 times.")
    assert len(file_server.requests) == 6


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/to-metadata", "169.254.169.254 is a link-local address"),
        ("/to-localhost", "localhost is a loopback address"),
        ("/to-ftp", "‘ftp:’ addresses cannot be linked"),
    ],
)
def test_a_redirect_inwards_is_refused_not_followed(file_server, path, words):
    found = check_link(file_server.base + path, TEST_HOST)
    assert found.status == BROKEN
    assert found.reason.startswith("It redirects to an address that is refused")
    assert words in found.reason
    assert file_server.requests == [path]


def test_missing_files_and_redirects_to_nowhere_are_broken(file_server):
    missing = check_link(f"{file_server.base}/gone.csv", TEST_HOST)
    assert (missing.status, missing.reason) == (BROKEN, "The server answered 404 Not Found.")
    nowhere = check_link(f"{file_server.base}/nowhere", TEST_HOST)
    assert nowhere.reason == "The server answered 302 without saying where to go."


def test_a_server_that_does_not_answer_is_broken(file_server):
    with ThreadingHTTPServer(("127.0.0.1", 0), _Handler) as closed:
        port = closed.server_address[1]
    found = check_link(f"http://127.0.0.1:{port}/data.csv", TEST_HOST)
    assert found.status == BROKEN and "could not be reached" in found.reason


def test_without_the_allow_list_the_checker_never_connects_to_loopback(file_server):
    found = check_link(f"{file_server.base}/data.csv")
    assert found.status == BROKEN and "loopback" in found.reason
    assert file_server.requests == []


# The service: adding and changing links, with the same permissions as uploads.


def _resources(session) -> int:
    return session.scalar(select(func.count()).select_from(Resource))


def test_an_editor_adds_a_link_with_a_title_description_and_format(catalogue, session):
    dataset = catalogue.dataset("bus-stops", publish=False)
    resource = resource_link_create(
        session,
        actor=ACTOR,
        dataset=dataset,
        title="Bus stops (NaPTAN)",
        url=f"http://{PUBLIC_IP}/naptan/stops.CSV",
        description="Every stop in York.",
    )
    assert resource.link_url == f"http://{PUBLIC_IP}/naptan/stops.CSV"
    assert (resource.format, resource.versions, resource.latest) == ("csv", [], None)
    entry = session.scalar(select(Activity).where(Activity.object_id == resource.id))
    assert entry.summary == f"Added a link to Bus stops (NaPTAN) on {PUBLIC_IP}"


def test_a_refused_address_stores_nothing(catalogue, session):
    dataset = catalogue.dataset("bus-stops", publish=False)
    with pytest.raises(Invalid, match="link-local"):
        resource_link_create(
            session,
            actor=ACTOR,
            dataset=dataset,
            title="Metadata",
            url="http://169.254.169.254/latest/meta-data/",
            format="json",
        )
    session.rollback()
    assert _resources(session) == 0
    assert session.scalar(select(Activity).where(Activity.action == "resource.create")) is None


def test_a_link_needs_a_format_when_its_address_has_no_file_extension(catalogue, session):
    dataset = catalogue.dataset("bus-stops", publish=False)
    with pytest.raises(Invalid) as refused:
        resource_link_create(
            session, actor=ACTOR, dataset=dataset, title="Stops", url=f"http://{PUBLIC_IP}/stops"
        )
    assert refused.value.field == "format"
    session.rollback()
    made = resource_link_create(
        session,
        actor=ACTOR,
        dataset=dataset,
        title="Stops",
        url=f"http://{PUBLIC_IP}/stops",
        format="GeoJSON",
    )
    assert made.format == "geojson"


def test_only_an_editor_of_the_organisation_may_add_or_change_a_link(catalogue, session):
    dataset = catalogue.dataset("bus-stops", publish=False)
    member = Actor(name="Mo", account_id=99, roles={dataset.organisation_id: "member"})
    with pytest.raises(NotAllowed):
        resource_link_create(
            session,
            actor=member,
            dataset=dataset,
            title="Stops",
            url=f"http://{PUBLIC_IP}/stops.csv",
        )
    editor = Actor(name="Ed", account_id=98, roles={dataset.organisation_id: EDITOR})
    made = resource_link_create(
        session, actor=editor, dataset=dataset, title="Stops", url=f"http://{PUBLIC_IP}/stops.csv"
    )
    with pytest.raises(NotAllowed):
        resource_link_update(session, actor=member, resource=made, title="Mine now")


def test_changing_a_link_keeps_the_old_address_in_the_activity_log(catalogue, session):
    dataset = catalogue.dataset("bus-stops", publish=False)
    made = resource_link_create(
        session, actor=ACTOR, dataset=dataset, title="Stops", url=f"http://{PUBLIC_IP}/stops.csv"
    )
    with pytest.raises(Invalid, match="private"):
        resource_link_update(session, actor=ACTOR, resource=made, url="http://192.168.0.10/x.csv")
    session.rollback()
    changed = resource_link_update(
        session, actor=ACTOR, resource=made, url=f"https://{PUBLIC_IP}/stops-2025.xlsx"
    )
    assert (changed.link_url, changed.format) == (f"https://{PUBLIC_IP}/stops-2025.xlsx", "xlsx")
    entry = session.scalar(select(Activity).where(Activity.action == "resource.update"))
    assert entry.before["url"] == f"http://{PUBLIC_IP}/stops.csv"
    assert entry.after["url"] == f"https://{PUBLIC_IP}/stops-2025.xlsx"


def test_a_file_cannot_be_changed_into_a_link_nor_a_link_given_versions(catalogue, session):
    dataset = catalogue.dataset("wards", files={"wards.csv": b"Ward\nAcomb\n"}, publish=False)
    with pytest.raises(Invalid, match="uploaded file"):
        resource_link_update(
            session, actor=ACTOR, resource=dataset.resources[0], url=f"http://{PUBLIC_IP}/x.csv"
        )


def test_checking_links_records_each_result_and_a_new_address_starts_unchecked(
    catalogue, session, file_server
):
    dataset = catalogue.dataset("bus-stops", publish=False)
    good = resource_link_create(
        session,
        actor=ACTOR,
        dataset=dataset,
        title="Stops",
        url=f"{file_server.base}/data.csv",
        rules=TEST_HOST,
    )
    gone = resource_link_create(
        session,
        actor=ACTOR,
        dataset=dataset,
        title="Old stops",
        url=f"{file_server.base}/gone.csv",
        rules=TEST_HOST,
    )
    assert last_link_status(session, good) is None
    with pytest.raises(NotAllowed):
        links_check(session, actor=Actor(name="Ed", account_id=5), rules=TEST_HOST)
    results = dict(links_check(session, actor=ACTOR, rules=TEST_HOST))
    assert results[good].ok and results[gone].status == BROKEN
    assert last_link_status(session, good).status == OK
    assert last_link_status(session, gone).reason == "The server answered 404 Not Found."
    resource_link_update(
        session, actor=ACTOR, resource=gone, url=f"{file_server.base}/data.csv", rules=TEST_HOST
    )
    assert last_link_status(session, gone) is None
