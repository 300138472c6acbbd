"""Two people editing the same dataset: the second to save is told, and nothing is lost."""

from __future__ import annotations

import io
import threading
from datetime import datetime, timedelta

from sqlalchemy import select

from catalog.clock import frozen_at
from catalog.errors import Conflict
from catalog.models import Activity, Dataset
from catalog.publishing.datasets import DatasetInput, dataset_update
from catalog.publishing.resources import Upload, version_add
from tests.conftest import ACTOR
from tests.faults.conftest import form_fields
from tests.pages import banners, field_value, parse_page, summary_errors

EDIT = "/publish/datasets/school-places/edit"
FORM = {
    "title": "School places",
    "name": "school-places",
    "organisation": "children-education",
    "licence": "OGL-UK-3.0",
}


def _open_form(browser, email):
    person = browser()
    person.sign_in(email)
    page = person.get(EDIT)
    assert page.status_code == 200
    return person, form_fields(page.text)


def _save(person, opened, **changes):
    return person.client.post(EDIT, data={**opened, **FORM, **changes})


def test_the_second_editor_to_save_gets_409_and_the_first_change_is_kept(
    catalogue, people, browser
):
    catalogue.dataset("school-places", publish=False, description="Places by school.")
    erin, ada = people.make("Erin Editor", "editor"), people.make("Ada Admin", "admin")
    erin_browser, erin_form = _open_form(browser, erin.email)
    ada_browser, ada_form = _open_form(browser, ada.email)
    assert erin_form["modified"] == ada_form["modified"]

    first = _save(erin_browser, erin_form, description="Places and pupils by school.")
    assert first.status_code == 302
    second = _save(ada_browser, ada_form, description="Places by ward.")
    assert second.status_code == 409
    shown = parse_page(second)
    said = [message for message, _href in summary_errors(shown)] + banners(shown)
    assert any("changed since you opened it: Erin Editor changed it at" in s for s in said)
    assert field_value(shown, "description") == "Places by ward."  # shown back, not thrown away

    session = catalogue.session
    session.expire_all()
    dataset = session.scalar(select(Dataset).where(Dataset.name == "school-places"))
    assert dataset.description == "Places and pupils by school."
    updates = session.scalars(
        select(Activity.actor).where(
            Activity.dataset_id == dataset.id, Activity.action == "dataset.update"
        )
    )
    assert list(updates) == ["Erin Editor"]

    reopened_browser, reopened = _open_form(browser, ada.email)
    saved = _save(reopened_browser, reopened, description="Places by ward.")
    assert saved.status_code == 302


def test_saving_twice_in_the_same_second_still_needs_the_newer_stamp(catalogue, people, browser):
    catalogue.dataset("school-places", publish=False)
    erin = people.make("Erin Editor", "editor")
    person, opened = _open_form(browser, erin.email)
    assert _save(person, opened, description="First.").status_code == 302
    assert _save(person, opened, description="Second.").status_code == 409
    fresh = form_fields(person.get(EDIT).text)
    assert fresh["modified"] != opened["modified"]
    assert _save(person, fresh, description="Second.").status_code == 302


def test_ckan_update_with_a_stale_metadata_modified_is_refused(client, catalogue, people, token_of):
    catalogue.dataset("school-places", publish=False)
    erin = token_of(people.make("Erin Editor", "editor"))
    ada = token_of(people.make("Ada Admin", "admin"))
    shown = client.post("/api/3/action/package_show", json={"id": "school-places"}, headers=ada)
    package = shown.json["result"]

    patched = client.post(
        "/api/3/action/package_patch",
        json={"id": "school-places", "notes": "Erin's notes.", **_stamp(package)},
        headers=erin,
    )
    assert patched.status_code == 200, patched.json
    stale = client.post(
        "/api/3/action/package_update",
        json={**package, "notes": "Ada's notes."},
        headers=ada,
    )
    assert stale.status_code == 409
    assert stale.json["error"]["__type"] == "Validation Error"
    assert "Erin Editor changed it" in stale.json["error"]["message"]
    now = client.post("/api/3/action/package_show", json={"id": "school-places"}, headers=ada)
    assert now.json["result"]["notes"] == "Erin's notes."

    retried = client.post(
        "/api/3/action/package_patch",
        json={"id": "school-places", "notes": "Ada's notes.", **_stamp(now.json["result"])},
        headers=ada,
    )
    assert retried.status_code == 200
    assert retried.json["result"]["notes"] == "Ada's notes."


def test_a_public_packages_metadata_modified_works_as_a_stamp(client, catalogue, people, token_of):
    """A public package's `metadata_modified` is when the public last saw it change (here a
    new version released after the last edit), not the edit stamp: sent back, it still lets
    the edit through, and it is stale once someone else has saved."""
    published = datetime(2029, 3, 1, 9, 0)
    released = published + timedelta(days=60)
    with frozen_at(published):
        dataset = catalogue.dataset(
            "school-places", files={"places.csv": b"ward,places\r\nA,1\r\n"}
        )
    with frozen_at(published + timedelta(days=30)):
        version_add(
            catalogue.session,
            store=catalogue.store,
            actor=ACTOR,
            resource=dataset.resources[0],
            upload=Upload(stream=io.BytesIO(b"ward,places\r\nA,2\r\n"), filename="places.csv"),
            release_at=released,
        )
    erin = token_of(people.make("Erin Editor", "editor"))
    ada = token_of(people.make("Ada Admin", "admin"))
    with frozen_at(released + timedelta(days=1)):
        shown = client.post("/api/3/action/package_show", json={"id": "school-places"})
        package = shown.json["result"]
        erins = {"id": "school-places", "notes": "Erin's notes.", **_stamp(package)}
        patched = client.post("/api/3/action/package_patch", json=erins, headers=erin)
        adas = {"id": "school-places", "notes": "Ada's notes.", **_stamp(package)}
        stale = client.post("/api/3/action/package_patch", json=adas, headers=ada)
    assert package["metadata_modified"] == released.isoformat()
    assert patched.status_code == 200, patched.json
    assert stale.status_code == 409


def test_a_ckan_client_that_sends_no_stamp_updates_as_before(client, catalogue, people, token_of):
    catalogue.dataset("school-places", publish=False)
    erin = token_of(people.make("Erin Editor", "editor"))
    for notes in ("One.", "Two."):
        patched = client.post(
            "/api/3/action/package_patch",
            json={"id": "school-places", "notes": notes},
            headers=erin,
        )
        assert patched.json["result"]["notes"] == notes


def test_a_malformed_stamp_is_a_clear_error(client, catalogue, people, token_of):
    catalogue.dataset("school-places", publish=False)
    erin = token_of(people.make("Erin Editor", "editor"))
    sent = {"id": "school-places", "notes": "x", "metadata_modified": "yesterday"}
    refused = client.post("/api/3/action/package_patch", json=sent, headers=erin)
    assert refused.status_code == 409
    assert "'yesterday' is not the time the dataset was last modified" in refused.text


def _stamp(package: dict) -> dict[str, str]:
    return {"metadata_modified": package["metadata_modified"]}


def test_two_saves_at_the_same_moment_cannot_both_win(app, catalogue):
    """Both editors opened the same version and save at once, on two connections: the
    compare-and-set in the database lets exactly one through."""
    dataset = catalogue.dataset("school-places", publish=False)
    opened = dataset.modified_at
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def save(who: str) -> None:
        with app.extensions["catalog"]["sessions"]() as session:
            mine = session.get(Dataset, dataset.id)
            data = DatasetInput.from_dataset(mine, description=f"{who}'s description.")
            start.wait()
            try:
                dataset_update(session, actor=ACTOR, dataset=mine, data=data, opened_at=opened)
                session.commit()  # each save is a request of its own, committed at its edge
                outcomes[who] = "saved"
            except Conflict:
                session.rollback()
                outcomes[who] = "refused"

    threads = [threading.Thread(target=save, args=(who,)) for who in ("Erin", "Ada")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()) == ["refused", "saved"]
    winner = next(who for who, outcome in outcomes.items() if outcome == "saved")
    session = catalogue.session
    session.expire_all()
    assert session.get(Dataset, dataset.id).description == f"{winner}'s description."
