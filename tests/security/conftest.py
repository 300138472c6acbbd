"""One catalogue holding an item in every state of the workflow, and everyone who may ask for it.

Each item is a KPI indicator, so it is also a dataset with a loaded table: one item reaches
every read surface (pages, downloads, the data API, the CKAN API, indicator pages and charts).
Its title carries a made-up word found nowhere else, so a leak is a plain substring search.
The catalogue and the signed-in browsers are built once per module: the leak matrix only reads.
"""

from __future__ import annotations

import gzip
import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from catalog.accounts.tokens import token_create, token_revoke
from catalog.accounts.users import actor_for
from catalog.clock import frozen_at
from catalog.indicators.series import (
    IndicatorInput,
    ObservationInput,
    indicator_create,
    indicator_publish,
    observations_record,
)
from catalog.permissions import ADMIN, EDITOR, MEMBER, Actor
from catalog.publishing.known_issues import accept_known_issues
from catalog.publishing.resources import (
    INFER,
    Upload,
    resource_awaiting_create,
    resource_create,
    version_add,
)
from catalog.publishing.workflow import (
    dataset_approve,
    dataset_publish,
    dataset_reject,
    dataset_withdraw,
    release_without_review,
)
from opendata import create_app
from tests.conftest import DATABASES, POSTGRES_URL, Catalogue, _empty_postgres
from tests.web.conftest import PASSWORD, People, Visitor

SYSTEM = Actor.system("security test set-up")
OWNER = "children-education"
OTHER = "customer-corporate"
RELEASE = datetime(2030, 1, 4, 9, 30, 0)
FAR_FUTURE = datetime(2035, 6, 1, 9, 30, 0)


@dataclass(frozen=True)
class Item:
    """One indicator in one state, and the moment the matrix looks at it."""

    state: str
    ref: str
    marker: str
    moment: datetime | None
    public: bool

    def shown_in(self, text: str, *, echoed: bool) -> bool:
        """Whether a body shows the item: its title or a row of its data, or (where the URL
        did not ask for it by name) its URL name or marker word, as in a "did you mean"."""
        named = self.marker in text or self.name in text
        return f"check {self.marker}" in text or (not echoed and named)

    @property
    def name(self) -> str:
        return f"indicator-{self.ref.lower()}"

    @property
    def filename(self) -> str:
        return f"{self.ref.lower()}-observations.csv"


@dataclass
class Site:
    app: object
    resource_ids: dict[str, str]
    browsers: dict[str, Visitor]
    headers: dict[str, dict[str, str]]


# state -> (reference, marker word, moment looked at: None is the real time, public then?)
STATES = {
    "draft": ("LKA1", "quokkadraft", None, False),
    "in review": ("LKB2", "quokkareview", None, False),
    "approved": ("LKC3", "quokkaapproved", None, False),
    "embargoed": ("LKD4", "quokkaembargoed", None, False),
    "1 s before release": ("LKE5", "quokkasecond", RELEASE - timedelta(seconds=1), False),
    "1 s after release": ("LKE5", "quokkasecond", RELEASE + timedelta(seconds=1), True),
    "published": ("LKF6", "quokkapublished", None, True),
    "withdrawn": ("LKG7", "quokkawithdrawn", None, False),
}
ITEMS = {state: Item(state, *values) for state, values in STATES.items()}
CALLERS = (
    "anonymous",
    "other organisation",
    MEMBER,
    EDITOR,
    ADMIN,
    "expired token",
    "revoked token",
)
STAFF = (MEMBER, EDITOR, ADMIN)


def _indicator(catalogue: Catalogue, item: Item, actor: Actor):
    data = IndicatorInput(
        ref=item.ref,
        title=f"Leak check {item.marker}",
        definition=f"A series that exists to prove {item.marker} never leaks.",
        unit="%",
        polarity="Up is Good",
        collection_type="snapshot",
        frequency="quarterly",
        theme="education-and-skills",
        organisation=OWNER,
    )
    indicator = indicator_create(catalogue.session, actor=SYSTEM, data=data)
    note = f"Leak check {item.marker}"
    rows = [ObservationInput(period="2016/17 Q1", value=41.5, target=40.0, note=note)]
    observations_record(catalogue.session, actor=SYSTEM, indicator=indicator, rows=rows)
    indicator_publish(catalogue.session, store=catalogue.store, actor=actor, indicator=indicator)
    return indicator.dataset


def build_states(catalogue: Catalogue, submitter: Actor) -> dict[str, str]:
    """Every state through the real workflow; returns each state's resource id."""
    session, made = catalogue.session, {}
    for state, item in ITEMS.items():
        if item.ref in made:
            continue
        # A person's publish sends the indicator for review, as it would from the web.
        dataset = _indicator(catalogue, item, submitter)
        if state == "draft":
            dataset_reject(session, actor=SYSTEM, dataset=dataset, comment="Not yet.")
        elif state != "in review":
            dataset_approve(session, actor=SYSTEM, dataset=dataset)
        at = {"embargoed": FAR_FUTURE, "1 s before release": RELEASE}.get(state)
        if state in ("embargoed", "1 s before release", "published", "withdrawn"):
            dataset_publish(session, actor=SYSTEM, dataset=dataset, at=at)
        if state == "withdrawn":
            dataset_withdraw(session, actor=SYSTEM, dataset=dataset, reason="Wrong figures.")
        made[item.ref] = dataset.resources[0].id
    return {state: made[item.ref] for state, item in ITEMS.items()}


def _tokens(catalogue: Catalogue, accounts: dict) -> dict[str, dict[str, str]]:
    """A working token for each account, and an expired and a revoked one of the admin's."""
    session, headers = catalogue.session, {}
    for caller, account in accounts.items():
        _token, secret = token_create(session, actor=SYSTEM, account=account, name="matrix")
        headers[caller] = {"Authorization": f"Bearer {secret}"}
    admin = accounts[ADMIN]
    with frozen_at(datetime(2026, 1, 1)):
        _token, secret = token_create(
            session, actor=SYSTEM, account=admin, name="old", expires_at=datetime(2026, 1, 2)
        )
    headers["expired token"] = {"Authorization": f"Bearer {secret}"}
    token, secret = token_create(session, actor=SYSTEM, account=admin, name="revoked")
    token_revoke(session, actor=actor_for(admin), token_id=token.id)
    headers["revoked token"] = {"Authorization": f"Bearer {secret}"}
    headers["anonymous"] = {}
    return headers


def _accounts(catalogue: Catalogue) -> dict:
    people = People(catalogue.session)
    accounts = {role: people.make(f"Matrix {role}", role) for role in STAFF}
    accounts["other organisation"] = people.make("Matrix outsider", ADMIN, organisation=OTHER)
    return accounts


@contextmanager
def _matrix_app(request, tmp_path_factory, folder: str, build) -> Iterator[tuple]:
    """An app of its own on the parametrised database with both organisations, the matrix's
    accounts, their tokens and signed-in browsers, and what `build(catalogue, accounts)`
    adds; yields (app, what build returned, browsers, token headers)."""
    instance: Path = tmp_path_factory.mktemp(folder) / "instance"
    environ = {"OPENDATA_INSTANCE": str(instance), "OPENDATA_SECRET_KEY": "test"}
    if request.param == "postgresql":
        _empty_postgres(POSTGRES_URL)
        environ["OPENDATA_DATABASE_URL"] = POSTGRES_URL
    app = create_app({"TESTING": True, "ENVIRON": environ})
    assert app.test_cli_runner().invoke(args=["init"]).exit_code == 0
    with app.extensions["catalog"]["sessions"]() as session:
        catalogue = Catalogue(app, session)
        catalogue.organisation()
        catalogue.organisation(OTHER, "Customer and Corporate Services")
        catalogue.topic()
        accounts = _accounts(catalogue)
        built = build(catalogue, accounts)
        headers = _tokens(catalogue, accounts)
        session.commit()  # services only flush: the set-up is the edge of its unit of work
    browsers = {"anonymous": Visitor(app.test_client())}
    for caller, account in accounts.items():
        browsers[caller] = Visitor(app.test_client())
        assert browsers[caller].sign_in(account.email, PASSWORD).request.path == "/publish"
    try:
        yield app, built, browsers, headers
    finally:
        app.extensions["catalog"]["engine"].dispose()


@pytest.fixture(scope="module", params=DATABASES)
def site(request, tmp_path_factory) -> Iterator[Site]:
    def states(catalogue, accounts):
        return build_states(catalogue, actor_for(accounts[ADMIN]))

    with _matrix_app(request, tmp_path_factory, "security", states) as built:
        app, resource_ids, browsers, headers = built
        for caller in ("expired token", "revoked token"):
            browsers[caller] = browsers["anonymous"]
        yield Site(app, resource_ids, browsers, headers)


def body_text(response) -> str:
    """What a response says, with gzip and zip downloads opened up."""
    data = response.get_data()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    elif data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            data = b"\n".join(archive.read(name) for name in archive.namelist())
    return data.decode("utf-8", errors="replace")


# -- Hidden parts of a public dataset ------------------------------------------------------------

PARTS_NAME = "allotment-plots"
FIRST_RELEASE = datetime(2029, 3, 1, 9, 0, 0)  # the dataset and its two files go public
UPLOADED = datetime(2029, 6, 15, 10, 0, 0)  # every hidden part is uploaded: nothing public
RENTS_SCHEMA = {"fields": [{"name": "ward", "type": "string"}, {"name": "rent", "type": "integer"}]}


@dataclass(frozen=True)
class Part:
    """Something inside a public dataset that the public may not see until `public_from`
    (None: not in this matrix); its marker word is in its title, columns or notes."""

    case: str
    marker: str
    public_from: datetime | None

    def hidden_at(self, moment: datetime) -> bool:
        return self.public_from is None or moment < self.public_from


PARTS = {
    part.case: part
    for part in (
        Part("unreleased file", "quokkaunchecked", None),
        Part("failed file", "quokkafailed", None),
        Part("scheduled version", "quokkascheduled", RELEASE),
        Part("pending known issues", "quokkaknown", None),
        Part("awaited file", "quokkaawaited", None),
    )
}


@dataclass
class PartsSite:
    app: object
    ids: dict[str, str]  # "plots", "rates" (public files) and each hidden file's case
    browsers: dict[str, Visitor]
    headers: dict[str, dict[str, str]]


def _upload(name: str, text: str) -> Upload:
    return Upload(stream=io.BytesIO(text.encode()), filename=name)


def build_parts(catalogue: Catalogue) -> dict[str, str]:
    """A public dataset with two released files; then, months later, a file still waiting for
    its check, a file that failed it, a new version scheduled for RELEASE, a version with
    known issues whose release is not due, and a file listed with its content still to come:
    each through the real services."""
    session, store = catalogue.session, catalogue.store
    with frozen_at(FIRST_RELEASE):
        dataset = catalogue.dataset(
            PARTS_NAME,
            title="Allotment plots",
            topics=["education-and-skills"],
            files={"plots.csv": b"site,plots\r\nHull Road,40\r\n"},
            publish=False,
        )
        rates = catalogue.add_file(dataset, "rates.csv", b"ward,amount\r\nGuildhall,12\r\n")
        release_without_review(session, actor=SYSTEM, dataset=dataset, source="security test")
        session.commit()
    plots = dataset.resources[0]
    with frozen_at(UPLOADED):
        waiting = resource_create(
            session,
            store=store,
            actor=SYSTEM,
            dataset=dataset,
            title="Waiting list quokkaunchecked",
            upload=_upload("waiting.csv", "site,waiting\r\nHull Road,7\r\n"),
            check_now=False,
        )
        failed = resource_create(
            session,
            store=store,
            actor=SYSTEM,
            dataset=dataset,
            title="Rents quokkafailed",
            upload=_upload("rents.tsv", "ward\trent\r\nGuildhall\tunknown\r\n"),
            table_schema=RENTS_SCHEMA,
        )
        version_add(
            session,
            store=store,
            actor=SYSTEM,
            resource=plots,
            upload=_upload("plots.csv", "site,plots,quokkascheduled\r\nHull Road,41,1\r\n"),
            note="Adds the quokkascheduled column.",
            table_schema=INFER,
            release_at=RELEASE,
        )
        known = version_add(
            session,
            store=store,
            actor=SYSTEM,
            resource=rates,
            upload=_upload("rates.csv", "ward,amount\r\nGuildhall,n/a\r\n"),
            release_at=FAR_FUTURE,
        )
        accept_known_issues(session, actor=SYSTEM, version=known, note="quokkaknown gaps.")
        awaited = resource_awaiting_create(
            session,
            actor=SYSTEM,
            dataset=dataset,
            title="Ward map quokkaawaited",
            format="csv",
            description="Listed by a CKAN client before its quokkaawaited content.",
        )
        session.commit()
    assert not failed.versions[0].cleared and not waiting.versions[0].cleared
    return {
        "plots": plots.id,
        "rates": rates.id,
        "unreleased file": waiting.id,
        "failed file": failed.id,
        "awaited file": awaited.id,
    }


@pytest.fixture(scope="module", params=DATABASES)
def parts_site(request, tmp_path_factory) -> Iterator[PartsSite]:
    with _matrix_app(request, tmp_path_factory, "parts", lambda c, _: build_parts(c)) as built:
        yield PartsSite(*built)


ACTION = "/api/3/action/"


@dataclass(frozen=True)
class Surface:
    """A URL template and what it is: `item` pages are about the one item (404 when hidden),
    `complete` listings hold every public item, `partial` ones may show only a few,
    `staff` pages are the publishing side. `staff_read` marks API reads that a member of the
    owning organisation may make of a hidden item with their token."""

    url: str
    kind: str
    staff_read: bool = False

    @property
    def api(self) -> bool:
        return self.url.startswith("/api/")


def private_problems(response, surface: Surface) -> list[str]:
    """What is wrong with how an answer holding staff data may be cached."""
    cache = response.headers.get("Cache-Control", "")
    vary = response.headers.get("Vary", "")
    who = "Authorization" if surface.api else "Cookie"
    problems = []
    if "private" not in cache or "no-store" not in cache:
        problems.append(f"staff data with Cache-Control {cache!r}")
    if who.lower() not in vary.lower():
        problems.append(f"staff data with Vary {vary!r}")
    return problems
