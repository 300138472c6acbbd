"""Fixtures for publishing runs: a real KPI Machine database filled as officers fill it, the
catalogue's organisations and themes it names, and a run helper with the built-in plugins and
the release policy an administrator stored."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import create_engine, func, select, update
from sqlalchemy.orm import Session

from catalog.accounts.source_policies import auto_approves, policy_set
from catalog.accounts.users import account_create, actor_for, membership_set
from catalog.models import (
    Activity,
    Dataset,
    Indicator,
    Observation,
    Release,
    ResourceVersion,
)
from catalog.publishing.groups import get_organisation
from publishers.kpi_machine import KpiMachineSource
from publishers.kpi_store import KpiIndicator, KpiValue, StoreBase
from publishers.manager import plugin_manager
from publishers.runs import publish_source
from tests.conftest import ACTOR

AD = "Assistant Director Children's Specialist Services"


class KpiStore:
    """A KPI Machine database in the test's folder: indicators and values as officers enter
    them, approved or not."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_engine(url)
        StoreBase.metadata.create_all(self.engine)

    def indicator(self, ref: str, **fields) -> None:
        defaults = dict(
            title=f"Indicator {ref}",
            unit="count",
            polarity="Neutral",
            collection_type="Snapshot",
            frequency="Quarterly",
            theme="Education and skills",
            directorate="Children, Education and Communities",
            responsible_officer=AD,
        )
        with Session(self.engine) as store:
            store.add(KpiIndicator(ref=ref, **(defaults | fields)))
            store.commit()

    def value(self, ref: str, period: str, value: float | None, **fields) -> None:
        approved = fields.pop("approved", True)
        fields.setdefault("approved_by", AD if approved else None)
        fields.setdefault("approved_at", datetime(2018, 7, 11) if approved else None)
        with Session(self.engine) as store:
            store.add(KpiValue(ref=ref, period=period, value=value, approved=approved, **fields))
            store.commit()

    def change(self, ref: str, period: str, **fields) -> None:
        with Session(self.engine) as store:
            store.execute(
                update(KpiValue).where(KpiValue.ref == ref, KpiValue.period == period),
                fields,
            )
            store.commit()


@pytest.fixture
def kpi_store(tmp_path):
    store = KpiStore(f"sqlite:///{tmp_path / 'kpi_machine.sqlite'}")
    yield store
    store.engine.dispose()


@pytest.fixture
def source(kpi_store):
    return KpiMachineSource(kpi_store.url)


@pytest.fixture
def places(catalogue):
    """The organisations and themes the store names, as the catalogue knows them."""
    catalogue.organisation(
        "children-education-and-communities", "Children, Education and Communities"
    )
    catalogue.organisation("customer-and-corporate-services", "Customer and Corporate Services")
    catalogue.topic("how-the-council-will-operate", "How the Council will operate")
    return catalogue


@pytest.fixture
def pm():
    """The built-in plugins only, so an installed package cannot change what tests see."""
    return plugin_manager(installed=False)


ALLOWED = ("kpi-machine", "test-source")


def set_policy(session, source: str, auto_approve: bool) -> None:
    """Store the policy as the test's system administrator would, unless it is already so: a
    unit of work of its own, committed before any run reads it."""
    if auto_approves(session, source) != auto_approve:
        policy_set(
            session,
            actor=ACTOR,
            source=source,
            auto_approve=auto_approve,
            reason="Set by the test.",
        )
        session.commit()


@pytest.fixture
def run(places, source, pm):
    """Publish a source as an administrator has allowed (unless told `auto_approve=False`)."""
    for name in ALLOWED:
        set_policy(places.session, name, True)

    def run(chosen=None, auto_approve=True, **options):
        options.setdefault("actor", ACTOR)
        options.setdefault("pm", pm)
        chosen = chosen or source
        set_policy(places.session, chosen.name, auto_approve)
        places.saved()  # a run is its own unit of work: what the test did before is kept
        return publish_source(places.session, store=places.store, source=chosen, **options)

    return run


@pytest.fixture
def admin(places):
    """A person's account: an admin of the children's directorate."""
    session = places.session
    account = account_create(
        session, actor=ACTOR, email="ad@york.gov.uk", name="Ann Admin", password="a long password!"
    )
    organisation = get_organisation(session, "children-education-and-communities")
    membership_set(session, actor=ACTOR, account=account, organisation=organisation, role="admin")
    return places.saved(actor_for(account))


@pytest.fixture
def sysadmin(places):
    """A site administrator's account: the only kind that may set a source's policy."""
    account = account_create(
        places.session,
        actor=ACTOR,
        email="sa@york.gov.uk",
        name="Sam Sysadmin",
        password="a long password!",
        sysadmin=True,
    )
    return places.saved(actor_for(account))


def counts(session) -> dict[str, int]:
    """How many of each thing the catalogue holds, to prove a run wrote nothing."""
    session.expire_all()
    models = {
        "indicators": Indicator,
        "observations": Observation,
        "datasets": Dataset,
        "versions": ResourceVersion,
        "releases": Release,
        "activity": Activity,
    }
    return {
        name: session.scalar(select(func.count()).select_from(model))
        for name, model in models.items()
    }


def stored_files(catalogue) -> set[str]:
    return {p.name for p in catalogue.store.root.rglob("*") if p.is_file()}


def looked_after(store: KpiStore) -> None:
    """Children looked after at quarter end, and its parts: one small enough to identify."""
    store.indicator("CLA01", title="Children looked after", counts_people=True)
    for ref, title in (("CLA01a", "Unaccompanied"), ("CLA01b", "With parents")):
        store.indicator(ref, title=title, counts_people=True, total_ref="CLA01")
    store.indicator("CLA01c", title="Other placements", counts_people=True, total_ref="CLA01")
    quarters = ("Q1 2017/18", "Q2 2017/18", "Q3 2017/18")
    figures = {
        "CLA01": (204, 210, 214),
        "CLA01a": (6, 3, 7),
        "CLA01b": (12, 14, 15),
        "CLA01c": (186, 193, 192),
    }
    for ref, values in figures.items():
        for period, value in zip(quarters, values, strict=True):
            store.value(ref, period, value)
