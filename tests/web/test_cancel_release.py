"""Calling off a scheduled release: an admin can, with a reason, until its second comes; after
that it has happened and only a withdrawal or a correction will do. The public never sees a
trace of a release that was cancelled."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from catalog.clock import frozen_at
from catalog.models import Activity, Dataset, Release
from catalog.publishing.resources import Upload, version_add
from tests.conftest import ACTOR
from tests.pages import (
    banners,
    buttons,
    column,
    heading,
    lede,
    main,
    parse_page,
    summary_errors,
    summary_list,
    summary_lists,
    table,
)

RELEASE = datetime(2031, 4, 1, 8, 30)  # 09:30 in York (BST)
BEFORE = RELEASE - timedelta(hours=2)
SECRET = b"Ward,Budget\r\nGuildhall,1000000\r\n"
UPDATED = b"Ward,Budget\r\nGuildhall,7777777\r\n"
PAGE = "/publish/datasets/ward-budgets"
REASON = "The budget figures were not signed off by the finance committee."


@pytest.fixture
def scheduled(catalogue):
    """Ward budgets, approved without review and due out at RELEASE."""
    with frozen_at(BEFORE):
        return catalogue.dataset(
            "ward-budgets",
            title="Ward budgets",
            topics=["education-and-skills"],
            files={"budget.csv": SECRET},
            publish=RELEASE,
        )


def _public_bodies(client, dataset) -> dict[str, tuple[int, str]]:
    """Every public surface where the dataset or its figures could show."""
    resource = dataset.resources[0]
    base = f"/datasets/ward-budgets/resources/{resource.id}"
    urls = [
        "/",
        "/datasets",
        "/datasets?q=budgets",
        "/datasets/ward-budgets",
        base,
        f"{base}/download/budget.csv",
        f"{base}/versions/1/download/budget.csv",
        "/api/3/action/package_show?id=ward-budgets",
        "/api/3/action/package_search?q=budgets",
        "/feeds/releases.atom",
        "/sitemap.xml",
        "/catalog.jsonld",
    ]
    return {
        url: (r.status_code, r.get_data(as_text=True)) for url in urls for r in [client.get(url)]
    }


def _seen(bodies) -> list[str]:
    return [
        url
        for url, (status, body) in bodies.items()
        if status == 200 and ("Ward budgets" in body or "1000000" in body or "ward-budgets" in body)
    ]


def test_an_admin_cancels_a_release_a_second_before_it_and_it_never_appears(
    client, catalogue, scheduled, signed_in, ada
):
    with frozen_at(RELEASE - timedelta(seconds=1)):
        admin = signed_in(ada)
        page = parse_page(admin.get(PAGE))
        assert "Cancel this release" in buttons(main(page))
        assert summary_list(page)["Release"].startswith("Scheduled for")
        cancelled = admin.submit(PAGE, {"reason": REASON}, to=f"{PAGE}/cancel-release")
        assert cancelled.status_code == 200 and cancelled.request.path == PAGE
        shown = parse_page(cancelled)
        assert [done.split(".")[0] for done in banners(shown)] == ["Release cancelled"]
        details = summary_list(shown)
        assert details["Stage"] == "Approved" and "Release" not in details
        assert any(REASON in what for what in _history(shown))
        assert "Publish" in buttons(main(shown))  # it can be given a new date later

    for moment in (RELEASE, RELEASE + timedelta(days=1)):
        with frozen_at(moment):
            bodies = _public_bodies(client, scheduled)
        assert _seen(bodies) == [], moment
        assert bodies["/datasets/ward-budgets"][0] == 404
        download = bodies[
            f"/datasets/ward-budgets/resources/{scheduled.resources[0].id}/download/budget.csv"
        ]
        assert download[0] == 404

    session = catalogue.session
    session.expire_all()
    dataset = session.scalar(select(Dataset).where(Dataset.name == "ward-budgets"))
    assert (dataset.state, dataset.published_at) == ("approved", None)
    logged = session.scalar(select(Activity).where(Activity.action == "dataset.cancel_release"))
    assert logged.actor == "Ada Admin" and REASON in logged.summary
    [release] = session.scalars(select(Release).where(Release.dataset_id == dataset.id))
    assert release.summary.startswith("Cancelled") and REASON in release.summary


def _history(page) -> list[str]:
    """What the staff page's activity log says was done, newest first."""
    return column(table(page, "Activity log"), "What")


def test_a_release_whose_time_has_passed_cannot_be_cancelled(client, scheduled, signed_in, ada):
    with frozen_at(RELEASE + timedelta(seconds=1)):
        admin = signed_in(ada)
        refused = admin.submit(PAGE, {"reason": REASON}, to=f"{PAGE}/cancel-release")
        assert refused.status_code == 409
        said = lede(parse_page(refused))
        assert "already published" in said
        assert said.endswith("Withdraw it, or publish a correction, instead.")
        assert "Cancel this release" not in buttons(main(parse_page(admin.get(PAGE))))
        public = client.get("/datasets/ward-budgets")
        assert public.status_code == 200 and heading(parse_page(public)) == "Ward budgets"


def test_an_editor_cannot_cancel_a_release(client, scheduled, signed_in, erin):
    with frozen_at(RELEASE - timedelta(minutes=5)):
        editor = signed_in(erin)
        assert "Cancel this release" not in buttons(main(parse_page(editor.get(PAGE))))
        refused = editor.submit(PAGE, {"reason": REASON}, to=f"{PAGE}/cancel-release")
        assert refused.status_code == 403
        assert "Only an admin of the publishing organisation can cancel this release" in (
            lede(parse_page(refused))
        )
    with frozen_at(RELEASE):
        assert client.get("/datasets/ward-budgets").status_code == 200


def test_a_cancellation_needs_a_reason(client, scheduled, signed_in, ada):
    with frozen_at(RELEASE - timedelta(minutes=5)):
        admin = signed_in(ada)
        refused = admin.submit(PAGE, {"reason": "  "}, to=f"{PAGE}/cancel-release")
        assert refused.status_code == 422
        ((message, href),) = summary_errors(parse_page(refused))
        assert "Say why the release is being cancelled" in message and href == "#cancel-reason"
    with frozen_at(RELEASE):
        assert client.get("/datasets/ward-budgets").status_code == 200


@pytest.fixture
def budget_csv(catalogue):
    """budget.csv, public for a month, with version 2 added at BEFORE and due out at RELEASE."""
    with frozen_at(BEFORE - timedelta(days=30)):
        dataset = catalogue.dataset(
            "ward-budgets", title="Ward budgets", files={"budget.csv": SECRET}
        )
    resource = dataset.resources[0]
    with frozen_at(BEFORE):
        version_add(
            catalogue.session,
            store=catalogue.store,
            actor=ACTOR,
            resource=resource,
            upload=Upload(stream=io.BytesIO(UPDATED), filename="budget.csv"),
            note="Next year's budgets",
            release_at=RELEASE,
        )
    return resource


def test_cancelling_a_new_version_keeps_the_old_one_served(client, budget_csv, signed_in, ada):
    resource = budget_csv
    base = f"/datasets/ward-budgets/resources/{resource.id}"
    form = f"{PAGE}/resources/{resource.id}/versions/2/cancel-release"
    with frozen_at(RELEASE - timedelta(seconds=1)):
        admin = signed_in(ada)
        page = parse_page(admin.get(PAGE))
        (budget,) = [details for details in summary_lists(page) if "File" in details]
        assert budget["Release"].startswith("Scheduled for")
        assert "Cancel this release" in buttons(main(page))
        cancelled = parse_page(admin.submit(PAGE, {"reason": REASON}, to=form))
        (done,) = banners(cancelled)
        assert done.startswith("Release of version 2 of budget.csv cancelled")
        (budget,) = [details for details in summary_lists(cancelled) if "File" in details]
        assert budget["Release"].startswith("Not released: its release was cancelled")
    with frozen_at(RELEASE + timedelta(seconds=1)):
        assert client.get(f"{base}/download/budget.csv").data == SECRET
        assert client.get(f"{base}/versions/2/download/budget.csv").status_code == 404
        assert client.get(f"{base}/versions/2").status_code == 404
        everywhere = client.get(base).text + client.get("/datasets/ward-budgets").text
        everywhere += client.get("/feeds/releases.atom").text
        everywhere += client.get("/api/3/action/package_show?id=ward-budgets").text
        assert "7777777" not in everywhere and "Next year" not in everywhere
        assert "version 2" not in everywhere.lower()
        again = admin.submit(PAGE, {"reason": REASON}, to=form)
        assert again.status_code == 409 and "not scheduled for release" in lede(parse_page(again))


def test_a_new_version_already_released_cannot_be_cancelled(client, budget_csv, signed_in, ada):
    resource = budget_csv
    with frozen_at(RELEASE + timedelta(seconds=1)):
        admin = signed_in(ada)
        form = f"{PAGE}/resources/{resource.id}/versions/2/cancel-release"
        refused = admin.submit(PAGE, {"reason": REASON}, to=form)
        assert refused.status_code == 409 and "already published" in lede(parse_page(refused))
        base = f"/datasets/ward-budgets/resources/{resource.id}"
        assert client.get(f"{base}/download/budget.csv").data == UPDATED
