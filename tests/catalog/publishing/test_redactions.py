"""A file with names flagged for redaction is released only once an admin who did not upload
it confirms each flagged cell is not a private individual, or once the file is corrected; each
confirmation is in the audit trail."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from catalog.errors import Invalid, NotAllowed
from catalog.models import Activity
from catalog.publishing.known_issues import accept_known_issues
from catalog.publishing.redactions import flagged_cells, redaction_confirm
from catalog.publishing.resources import Upload, resource_create, version_add
from tests.catalog.publishing.four_eyes import make_people

SCHEMA = {
    "fields": [
        {"name": "supplier", "type": "string", "redaction": "Redacted - personal data"},
        {"name": "amount", "type": "integer"},
    ]
}
FLAGGED = b"supplier,amount\r\nMr Kipling,120\r\nAcme Ltd,80\r\nMrs A Jones,45\r\n"
WITH_ERRORS = FLAGGED + b"Foss Cleaning Ltd,TBC\r\n"
CORRECTED = (
    b"supplier,amount\r\nKipling Bakery Ltd,120\r\nAcme Ltd,80\r\nRedacted - personal data,45\r\n"
)


@pytest.fixture
def people(catalogue):
    return make_people(catalogue)


def _upload(catalogue, actor, content=FLAGGED):
    dataset = catalogue.dataset("card-spend", publish=False)
    resource = resource_create(
        catalogue.session,
        store=catalogue.store,
        actor=actor,
        dataset=dataset,
        title="Card spend",
        upload=Upload(stream=io.BytesIO(content), filename="card.csv"),
        table_schema=SCHEMA,
    )
    return resource.latest


def _confirm(catalogue, actor, version, *cells):
    return redaction_confirm(catalogue.session, actor=actor, version=version, cells=list(cells))


def test_the_report_lists_each_flagged_cell_by_row_and_field(catalogue, people):
    version = _upload(catalogue, people["editor"])
    assert [
        (c.row_number, c.field_name, c.cell) for c in flagged_cells(catalogue.session, version)
    ] == [
        (2, "supplier", "Mr Kipling"),
        (4, "supplier", "Mrs A Jones"),
    ]
    assert not version.cleared


@pytest.mark.parametrize(
    ("uploader", "confirmer", "allowed"),
    [
        ("editor", "other editor", False),
        ("admin", "admin", False),
        ("editor", "admin", True),
        ("admin", "other admin", True),
        ("editor", "sysadmin", True),
        ("sysadmin", "sysadmin", False),
    ],
)
def test_only_an_admin_who_did_not_upload_the_file_may_confirm(
    catalogue, people, uploader, confirmer, allowed
):
    version = _upload(catalogue, people[uploader])
    if not allowed:
        with pytest.raises(NotAllowed):
            _confirm(catalogue, people[confirmer], version, "2:supplier")
        return
    _confirm(catalogue, people[confirmer], version, "2:supplier")
    assert not version.cleared  # one flagged cell is left
    _confirm(catalogue, people[confirmer], version, "4:supplier")
    assert version.cleared
    logged = catalogue.session.scalars(
        select(Activity).where(Activity.action == "resource.redaction_confirm")
    ).all()
    assert [(entry.actor, entry.after["row"], entry.after["cell"]) for entry in logged] == [
        (people[confirmer].name, 2, "Mr Kipling"),
        (people[confirmer].name, 4, "Mrs A Jones"),
    ]


def test_a_note_of_known_issues_alone_never_releases_flagged_names(catalogue, people):
    version = _upload(catalogue, people["editor"], WITH_ERRORS)
    with pytest.raises(Invalid, match="2 cells look like"):
        accept_known_issues(
            catalogue.session, actor=people["admin"], version=version, note="Amounts to follow"
        )
    _confirm(catalogue, people["admin"], version, "2:supplier", "4:supplier")
    assert not version.cleared  # the amount still needs its note
    accept_known_issues(
        catalogue.session, actor=people["editor"], version=version, note="Amounts to follow"
    )
    assert version.cleared


@pytest.mark.parametrize("cells", [["3:supplier"], ["2:amount"], [], ["2:supplier", "9:supplier"]])
def test_only_flagged_cells_can_be_confirmed(catalogue, people, cells):
    version = _upload(catalogue, people["editor"])
    with pytest.raises(Invalid) as refused:
        _confirm(catalogue, people["admin"], version, *cells)
    assert refused.value.field == "cells"
    assert not version.cleared


def test_a_corrected_file_needs_no_confirmation(catalogue, people):
    version = _upload(catalogue, people["editor"])
    corrected = version_add(
        catalogue.session,
        store=catalogue.store,
        actor=people["editor"],
        resource=version.resource,
        upload=Upload(stream=io.BytesIO(CORRECTED), filename="card.csv"),
    )
    assert not version.cleared
    assert corrected.cleared and flagged_cells(catalogue.session, corrected) == []
