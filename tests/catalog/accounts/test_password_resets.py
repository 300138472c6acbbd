"""Changing a password and resetting it through a signed link, at the service layer: the rules,
the lock-out, and links that stop working when they expire, are altered or have been used."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from catalog.accounts.password_resets import (
    EXPIRED,
    LinkRefused,
    account_for_reset,
    lifetime_in_words,
    password_reset,
    reset_link_issue,
)
from catalog.accounts.users import (
    MAX_FAILURES,
    account_create,
    actor_for,
    authenticate,
    password_change,
)
from catalog.clock import frozen_at, utcnow
from catalog.errors import Invalid, NotAllowed, NotFound
from catalog.models import Activity
from catalog.permissions import Actor

SECRET = "the site's secret key"
OLD = "an old but long passphrase"
NEW = "a brand new long passphrase"
HOUR = timedelta(hours=1)
ADMIN = Actor.system("command line")


@pytest.fixture
def erin(session):
    account = account_create(
        session, actor=ADMIN, email="erin@york.gov.uk", name="Erin Editor", password=OLD
    )
    session.commit()
    return account


def _issue(session, email="erin@york.gov.uk", lifetime=HOUR):
    return reset_link_issue(session, actor=ADMIN, email=email, secret=SECRET, lifetime=lifetime)


def _signs_in(session, password: str) -> bool:
    try:
        authenticate(session, email="erin@york.gov.uk", password=password)
    except NotAllowed:
        return False
    return True


def _change(session, account, current=OLD, new=NEW, confirm=None):
    password_change(
        session,
        actor=actor_for(account),
        account=account,
        current_password=current,
        new_password=new,
        confirm=new if confirm is None else confirm,
    )


def test_a_password_change_needs_the_current_password_and_replaces_it(session, erin):
    with pytest.raises(NotAllowed) as wrong:
        _change(session, erin, current="not the password at all")
    assert wrong.value.field == "current_password"
    assert _signs_in(session, OLD)
    _change(session, erin)
    assert not _signs_in(session, OLD) and _signs_in(session, NEW)


def test_wrong_current_passwords_count_towards_the_lock_out(session, erin):
    for _ in range(MAX_FAILURES):
        with pytest.raises(NotAllowed):
            _change(session, erin, current="a wrong guess at it")
    with pytest.raises(NotAllowed) as locked:
        _change(session, erin)
    assert "locked" in locked.value.message
    assert _signs_in(session, OLD)  # signing in is slowed by its own counts, never locked
    with frozen_at(utcnow() + timedelta(minutes=16)):
        _change(session, erin)
        assert _signs_in(session, NEW)


@pytest.mark.parametrize(
    ("new", "field", "words"),
    [
        ("short one", "new_password", "at least 12 characters"),
        ("Erin@York.gov.uk", "new_password", "must not be your email address"),
        ("Password1234", "new_password", "too easy to guess"),
    ],
)
def test_a_new_password_follows_the_rules_for_new_accounts(session, erin, new, field, words):
    with pytest.raises(Invalid) as refused:
        _change(session, erin, new=new)
    assert refused.value.field == field and words in refused.value.message
    session.rollback()
    assert _signs_in(session, OLD)
    with pytest.raises(Invalid) as also_refused:
        account_create(session, actor=ADMIN, email="erin@york.gov.uk", name="E", password=new)
    assert words in also_refused.value.message


def test_the_new_password_must_be_typed_twice_alike(session, erin):
    with pytest.raises(Invalid) as refused:
        _change(session, erin, confirm=NEW + "!")
    assert refused.value.field == "confirm_password"
    session.rollback()
    assert _signs_in(session, OLD)


def test_nobody_sets_another_persons_password(session, erin):
    other = account_create(
        session, actor=ADMIN, email="ola@york.gov.uk", name="Ola Other", password=OLD
    )
    with pytest.raises(NotAllowed):
        password_change(
            session,
            actor=actor_for(other),
            account=erin,
            current_password=OLD,
            new_password=NEW,
            confirm=NEW,
        )
    assert _signs_in(session, OLD)


def test_a_reset_link_sets_a_new_password_once(session, erin):
    account, token = _issue(session)
    assert account_for_reset(session, token=token, secret=SECRET).id == erin.id
    password_reset(session, token=token, secret=SECRET, password=NEW, confirm=NEW)
    assert _signs_in(session, NEW) and not _signs_in(session, OLD)
    with pytest.raises(LinkRefused) as used:
        password_reset(session, token=token, secret=SECRET, password=OLD, confirm=OLD)
    assert used.value.gone and "already been used" in used.value.message
    assert _signs_in(session, NEW)


def test_a_reset_link_expires_after_its_lifetime(session, erin):
    issued = utcnow()
    with frozen_at(issued):  # the clock counts whole seconds: it must not tick mid-issue
        _account, token = _issue(session, lifetime=timedelta(minutes=30))
    with frozen_at(issued + timedelta(minutes=29, seconds=59)):
        assert account_for_reset(session, token=token, secret=SECRET).id == erin.id
    with frozen_at(issued + timedelta(minutes=30)), pytest.raises(LinkRefused) as expired:
        password_reset(session, token=token, secret=SECRET, password=NEW, confirm=NEW)
    assert expired.value.gone and expired.value.message == EXPIRED
    assert _signs_in(session, OLD)


def test_an_altered_link_or_one_signed_elsewhere_is_refused(session, erin):
    _account, token = _issue(session)
    payload, _, signature = token.rpartition(".")
    altered = payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    _other, foreign = reset_link_issue(
        session, actor=ADMIN, email=erin.email, secret="another site", lifetime=HOUR
    )
    for bad in (altered, foreign, token[:-3], "not-a-token", ""):
        with pytest.raises(LinkRefused) as refused:
            account_for_reset(session, token=bad, secret=SECRET)
        assert not refused.value.gone and "not valid" in refused.value.message
    assert _signs_in(session, OLD)


def test_changing_the_password_also_ends_a_link_not_yet_used(session, erin):
    _account, token = _issue(session)
    _change(session, erin)
    with pytest.raises(LinkRefused) as spent:
        account_for_reset(session, token=token, secret=SECRET)
    assert spent.value.gone


def test_a_reset_lifts_a_lock_out(session, erin):
    for _ in range(MAX_FAILURES):
        assert not _signs_in(session, "a wrong guess at it")
    _account, token = _issue(session)
    password_reset(session, token=token, secret=SECRET, password=NEW, confirm=NEW)
    assert _signs_in(session, NEW)


def test_no_link_for_an_unknown_email(session, erin):
    with pytest.raises(NotFound):
        _issue(session, email="nobody@york.gov.uk")


def test_the_audit_trail_says_what_happened_but_keeps_no_secret(session, erin):
    _account, token = _issue(session)
    password_reset(session, token=token, secret=SECRET, password=NEW, confirm=NEW)
    _change(session, erin, current=NEW, new=OLD)
    entries = session.scalars(
        select(Activity).where(Activity.object_id == str(erin.id)).order_by(Activity.id)
    ).all()
    assert [(e.action, e.actor) for e in entries] == [
        ("account.create", "command line"),
        ("account.reset_link", "command line"),
        ("account.password_reset", "Erin Editor"),
        ("account.password_change", "Erin Editor"),
    ]
    for entry in entries:
        written = f"{entry.summary} {entry.before} {entry.after}"
        assert token not in written and OLD not in written and NEW not in written
        assert erin.password_hash not in written


@pytest.mark.parametrize(
    ("lifetime", "words"),
    [
        (timedelta(hours=1), "1 hour"),
        (timedelta(hours=24), "24 hours"),
        (timedelta(minutes=30), "30 minutes"),
        (timedelta(minutes=1), "1 minute"),
    ],
)
def test_a_links_lifetime_in_words(lifetime, words):
    assert lifetime_in_words(lifetime) == words
