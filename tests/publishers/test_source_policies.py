"""Release policies of sources, as a site administrator sets them: only they may let a source
publish without review, the releases say who did, and a change applies from the next run."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from catalog.accounts.source_policies import auto_approves, policy_set
from catalog.errors import Invalid, NotAllowed
from catalog.models import Activity, Release, SourcePolicy
from publishers.run_log import recent_runs
from publishers.runs import publish_source
from tests.pages import mentions, parse_page
from tests.publishers.conftest import looked_after


@pytest.fixture
def filled(kpi_store):
    looked_after(kpi_store)
    return kpi_store


@pytest.fixture
def publish(places, source, pm):
    """A run exactly as the command line or a scheduled job starts it: no policy assumed."""

    def publish(actor=None):
        places.saved()  # a run is its own unit of work: what the test did before is kept
        return publish_source(places.session, store=places.store, source=source, actor=actor, pm=pm)

    return publish


def allow(session, actor, auto_approve=True):
    return policy_set(
        session,
        actor=actor,
        source="kpi-machine",
        auto_approve=auto_approve,
        reason="Figures are signed off in the KPI Machine before they are approved.",
    )


def test_only_a_site_administrator_can_set_a_policy(places, admin, sysadmin):
    with pytest.raises(NotAllowed, match="Only a site administrator"):
        allow(places.session, admin)  # an admin of an organisation is not enough
    assert places.session.scalars(select(SourcePolicy)).all() == []
    with pytest.raises(Invalid, match="Say why"):
        policy_set(
            places.session, actor=sysadmin, source="kpi-machine", auto_approve=True, reason=" "
        )
    assert auto_approves(places.session, "kpi-machine") is False


def test_without_a_policy_a_run_leaves_the_indicators_awaiting_review(
    publish, filled, places, admin, client
):
    refused = publish()
    assert refused.status == "failed" and "may not publish without review" in refused.error
    summary = publish(admin)
    assert summary.status == "done" and summary.actor == "Ann Admin"
    assert {o.state for o in summary.indicators} == {"in_review"}
    assert places.session.scalars(select(Release)).all() == []
    assert client.get("/indicators/CLA01").status_code == 404
    assert not mentions(parse_page(client.get("/datasets?q=looked")), "Children looked after")


def test_auto_approval_set_by_an_admin_publishes_and_the_release_says_who_allowed_it(
    publish, filled, places, sysadmin, client
):
    allow(places.session, sysadmin)
    summary = publish()
    assert summary.status == "done" and len(summary.published) == 4
    assert client.get("/indicators/CLA01").status_code == 200
    releases = places.session.scalars(select(Release)).all()
    assert {r.published_by for r in releases} == {"KPI Machine source, allowed by Sam Sysadmin"}
    assert {r.approved_by for r in releases} == {
        "KPI Machine source, allowed by Sam Sysadmin (no review: trusted source)"
    }
    [decision] = places.session.scalars(
        select(Activity).where(Activity.action == "source_policy.set")
    ).all()
    assert (decision.actor, decision.account_id) == ("Sam Sysadmin", sysadmin.account_id)
    assert decision.object_id == "kpi-machine" and decision.before is None
    assert decision.after["auto_approve"] is True and "signed off" in decision.after["reason"]
    [logged] = recent_runs(places.session, "kpi-machine")
    assert logged.actor == "KPI Machine source, allowed by Sam Sysadmin"


def test_switching_back_to_review_takes_effect_on_the_next_run(
    publish, filled, places, sysadmin, admin, client
):
    allow(places.session, sysadmin)
    assert publish().status == "done"
    filled.indicator("CLA02", title="Children leaving care", counts_people=True)
    filled.value("CLA02", "Q1 2017/18", 40)
    allow(places.session, sysadmin, auto_approve=False)
    assert auto_approves(places.session, "kpi-machine") is False
    refused = publish()
    assert refused.status == "failed" and "may not publish without review" in refused.error
    summary = publish(admin)
    assert summary.status == "done" and summary.actor == "Ann Admin"
    [new] = [o for o in summary.indicators if o.created]
    assert (new.ref, new.state) == ("CLA02", "in_review")
    assert client.get("/indicators/CLA02").status_code == 404
    assert client.get("/indicators/CLA01").status_code == 200  # what was released stays
    decisions = places.session.scalars(
        select(Activity).where(Activity.action == "source_policy.set").order_by(Activity.id)
    ).all()
    assert [d.after["auto_approve"] for d in decisions] == [True, False]
    assert decisions[1].before["auto_approve"] is True


def test_the_policy_command_sets_and_shows_the_policy_for_admins_only(
    runner, places, admin, sysadmin
):
    command = ["sources", "policy", "kpi-machine", "--reason", "Signed off upstream"]
    refused = runner.invoke(args=[*command, "--auto-approve", "--as", "ad@york.gov.uk"])
    assert refused.exit_code != 0
    assert "Only a site administrator" in refused.output
    assert "Needs --as EMAIL" in runner.invoke(args=["sources"]).output

    allowed = runner.invoke(args=[*command, "--auto-approve", "--as", "sa@york.gov.uk"])
    assert allowed.exit_code == 0, allowed.output
    assert "kpi-machine: Publishes without review (set by Sam Sysadmin on " in allowed.output
    assert "Signed off upstream" in allowed.output
    listing = runner.invoke(args=["sources"]).output
    assert "Publishes without review (set by Sam Sysadmin" in listing

    review = runner.invoke(args=[*command, "--review", "--as", "sa@york.gov.uk"])
    assert review.exit_code == 0, review.output
    assert "kpi-machine: Needs --as EMAIL; new indicators go for review" in review.output
    places.session.expire_all()
    assert auto_approves(places.session, "kpi-machine") is False

    unchosen = runner.invoke(args=[*command, "--as", "sa@york.gov.uk"])
    assert unchosen.exit_code != 0 and "Choose --auto-approve or --review" in unchosen.output
    unknown = runner.invoke(
        args=["sources", "policy", "nowhere", "--review", "--reason", "x", "--as", "sa@york.gov.uk"]
    )
    assert unknown.exit_code != 0 and "There is no source called 'nowhere'" in unknown.output
