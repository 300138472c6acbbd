"""People in every role, a public dataset, and the changes each of them can make to it: shared
by the four-eyes, release-time and redaction tests."""

from __future__ import annotations

import io
from datetime import datetime

from sqlalchemy import select

from catalog.accounts.users import account_create, actor_for, membership_set
from catalog.models import ChangeState, ResourceChange
from catalog.permissions import Actor
from catalog.publishing.groups import get_organisation
from catalog.publishing.links import LinkRules
from catalog.publishing.resources import INFER, Upload, resource_create, version_add

SETUP = Actor.system("setup")
KPI_MACHINE = Actor.system("KPI Machine source, allowed by Sam Sysadmin")
PUBLISHED = datetime(2026, 11, 2, 9, 30)
NOW = datetime(2026, 12, 7, 10, 0)
V1 = b"Ward,Spend\r\nAcomb,100\r\nClifton,200\r\n"
V2 = b"Ward,Spend,Supplier\r\nAcomb,100.5,A Ltd\r\nClifton,200,B Ltd\r\nHeworth,300,C Ltd\r\n"
MESSY = b"Ward,Spend\r\nAcomb,100\r\nClifton,TBC\r\n"
OLD_ADDRESS = "https://files.example.org/spend.csv"
NEW_ADDRESS = "https://files.example.org/spend-2026.csv"
RULES = LinkRules(resolve=lambda host, port: ["93.184.215.14"])


def make_people(catalogue) -> dict[str, Actor]:
    """An editor, another editor, two admins and a sysadmin, by role."""

    def make(name: str, role: str | None = None, sysadmin: bool = False) -> Actor:
        account = account_create(
            catalogue.session,
            actor=SETUP,
            email=f"{name.split()[0].lower()}@york.gov.uk",
            name=name,
            password="a long enough password",
            sysadmin=sysadmin,
        )
        if role:
            organisation = get_organisation(catalogue.session, "children-education")
            membership_set(
                catalogue.session,
                actor=SETUP,
                account=account,
                organisation=organisation,
                role=role,
            )
        return actor_for(account)

    return {
        "editor": make("Erin Editor", "editor"),
        "other editor": make("Ed Editor", "editor"),
        "admin": make("Ada Admin", "admin"),
        "other admin": make("Bea Admin", "admin"),
        "sysadmin": make("Sam Sysadmin", sysadmin=True),
    }


def upload(catalogue, actor: Actor, resource, content: bytes, *, schema=INFER):
    """A new version of the file, its columns worked out afresh (or, with `schema=None`,
    checked against the previous version's)."""
    return version_add(
        catalogue.session,
        store=catalogue.store,
        actor=actor,
        resource=resource,
        upload=Upload(stream=io.BytesIO(content), filename="spend.csv"),
        table_schema=schema,
    )


def add_file(catalogue, actor: Actor, dataset, content: bytes = V2):
    return resource_create(
        catalogue.session,
        store=catalogue.store,
        actor=actor,
        dataset=dataset,
        title="Spend by supplier",
        upload=Upload(stream=io.BytesIO(content), filename="suppliers.csv"),
    )


def pending_changes(catalogue, dataset) -> list[ResourceChange]:
    query = select(ResourceChange).where(
        ResourceChange.dataset_id == dataset.id, ResourceChange.state == ChangeState.PENDING
    )
    return list(catalogue.session.scalars(query.order_by(ResourceChange.id)))
