"""Your account, changing your password, and resetting a forgotten one through a link that the
command line prints or that the site emails through a real SMTP server started here."""

from __future__ import annotations

import asyncio
import logging
import re
import socket
import threading
import urllib.request
from datetime import timedelta
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from catalog.accounts.users import MAX_FAILURES
from catalog.clock import frozen_at, utcnow
from catalog.models import Activity
from opendata import create_app
from opendata.mail import wait_for_outgoing
from tests.live_server import instance_env, run_opendata, serving
from tests.pages import (
    banners,
    field_error,
    find_link,
    heading,
    lede,
    main,
    parse_page,
    row_of,
    summary_errors,
    summary_list,
    table,
    text_of,
    title,
)
from tests.web.conftest import PASSWORD, Visitor

NEW = "a brand new long passphrase"
BASE_URL = "http://data.york.test"
LINK = re.compile(r"(https?://\S+/account/reset-password/\S+)")
ASK_ADMIN = "Ask a site administrator for a link to reset your password."
SENT = "we have sent it a link to reset the password"


def _still_signed_in(browser: Visitor) -> bool:
    return browser.get("/publish").status_code == 200


def _can_sign_in(app, email: str, password: str) -> bool:
    page = Visitor(app.test_client()).sign_in(email, password)
    return page.request.path == "/publish"


def _change(browser: Visitor, current=PASSWORD, new=NEW, confirm=None):
    data = {
        "current_password": current,
        "new_password": new,
        "confirm_password": new if confirm is None else confirm,
    }
    return browser.submit("/account/password", data)


def _reset_link(runner, email: str) -> str:
    result = runner.invoke(args=["user", "reset-link", email])
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def _main(html: str):
    """The page's main content: its elements, attributes and text (not the CSP nonce)."""
    return main(parse_page(html))


def _path(link: str) -> str:
    return link.removeprefix(BASE_URL).removeprefix("http://127.0.0.1:5000")


# Your account


def test_your_account_shows_who_you_are_your_roles_and_where_to_go(signed_in, people, erin):
    people.make("Ola Other")
    browser = signed_in(erin)
    home = browser.get("/")
    assert find_link(parse_page(home).find("header"), "Your account")["href"] == "/account"
    page = browser.get("/account")
    assert page.status_code == 200
    shown = parse_page(page)
    details = summary_list(shown)
    assert details["Name"] == "Erin Editor" and details["Email address"] == erin.email
    roles = table(shown, "Your role in each organisation")
    assert row_of(roles, "Children, Education and Communities") == [
        "Children, Education and Communities",
        "Editor",
    ]
    assert find_link(shown, "Change your password")["href"] == "/account/password"
    assert find_link(shown, "Your API tokens")["href"] == "/account/tokens"
    assert "private, no-store" in page.headers["Cache-Control"]


def test_your_account_needs_you_signed_in(visitor, erin):
    assert "Your account" not in text_of(parse_page(visitor.get("/")).find("header"))
    response = visitor.get("/account")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert visitor.get("/account/password").status_code == 302


# Changing your password


def test_a_wrong_current_password_is_refused_and_counts_towards_the_lock_out(app, signed_in, erin):
    browser = signed_in(erin)
    page = _change(browser, current="not my password at all")
    assert page.status_code == 403
    shown = parse_page(page)
    assert summary_errors(shown) == [("Your current password is wrong.", "#current_password")]
    assert field_error(shown, "current_password") == "Your current password is wrong."
    assert title(shown).startswith("Error: Change your password")
    for _ in range(MAX_FAILURES - 1):
        _change(browser, current="another wrong guess")
    locked = _change(browser)
    assert locked.status_code == 403
    assert "this account is locked" in field_error(parse_page(locked), "current_password")
    # Only password changes are locked: signing in is slowed by its own counts, never locked.
    assert _can_sign_in(app, erin.email, PASSWORD)
    with frozen_at(utcnow() + timedelta(minutes=16)):
        (done,) = banners(parse_page(_change(browser)))
        assert "Your password has been changed" in done


@pytest.mark.parametrize(
    ("new", "confirm", "field", "message"),
    [
        ("too short", None, "new_password", "Use a password of at least 12 characters."),
        ("erin-editor@york.gov.uk", None, "new_password", "must not be your email address"),
        ("qwerty123456", None, "new_password", "That password is too easy to guess"),
        (NEW, NEW.upper(), "confirm_password", "The passwords do not match"),
    ],
)
def test_a_weak_or_mistyped_new_password_is_refused_beside_its_field(
    app, signed_in, erin, new, confirm, field, message
):
    browser = signed_in(erin)
    page = _change(browser, new=new, confirm=confirm)
    assert page.status_code == 422
    shown = parse_page(page)
    ((summary, href),) = summary_errors(shown)
    assert href == f"#{field}" and message in summary and message in field_error(shown, field)
    assert _can_sign_in(app, erin.email, PASSWORD)


def test_blank_fields_are_each_named(signed_in, erin):
    page = signed_in(erin).submit("/account/password", {})
    assert page.status_code == 422
    shown = parse_page(page)
    expected = [
        ("Enter your current password.", "#current_password"),
        ("Enter a new password.", "#new_password"),
        ("Enter the new password again.", "#confirm_password"),
    ]
    assert summary_errors(shown) == expected
    for message, href in expected:
        assert field_error(shown, href.removeprefix("#")) == message


def test_a_changed_password_works_the_old_one_does_not_and_other_sessions_end(
    app, signed_in, session, erin
):
    elsewhere = signed_in(erin)
    browser = signed_in(erin)
    page = _change(browser)
    assert page.request.path == "/account"
    (done,) = banners(parse_page(page))
    assert "Your password has been changed" in done
    assert _still_signed_in(browser)
    assert not _still_signed_in(elsewhere)
    assert elsewhere.get("/account").headers["Location"].startswith("/login")
    assert not _can_sign_in(app, erin.email, PASSWORD)
    assert _can_sign_in(app, erin.email, NEW)
    entry = session.scalars(
        select(Activity).where(Activity.action == "account.password_change")
    ).one()
    assert entry.actor == "Erin Editor" and entry.object_id == str(erin.id)
    assert NEW not in entry.summary and PASSWORD not in entry.summary


# Reset links from the command line


def test_the_command_prints_a_link_on_the_configured_base_url(environ, people, erin):
    app = create_app({"TESTING": True, "ENVIRON": {**environ, "OPENDATA_BASE_URL": BASE_URL}})
    try:
        result = app.test_cli_runner().invoke(
            args=["user", "reset-link", "Erin-Editor@york.gov.uk"]
        )
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith(f"{BASE_URL}/account/reset-password/")
        assert "Erin Editor" in result.stderr and "1 hour" in result.stderr
        unknown = app.test_cli_runner().invoke(args=["user", "reset-link", "no@york.gov.uk"])
        assert unknown.exit_code != 0 and "There is no account for no@york.gov.uk" in unknown.output
    finally:
        app.extensions["catalog"]["engine"].dispose()


def test_a_reset_link_sets_a_new_password_once_and_ends_every_session(
    app, runner, visitor, signed_in, erin
):
    elsewhere = signed_in(erin)
    link = _path(_reset_link(runner, erin.email))
    form = visitor.get(link)
    assert form.status_code == 200 and heading(parse_page(form)) == "Set a new password"
    assert form.headers["Referrer-Policy"] == "no-referrer"
    assert "no-store" in form.headers["Cache-Control"]
    page = visitor.submit(link, {"new_password": NEW, "confirm_password": NEW})
    assert page.request.path == "/login"
    (done,) = banners(parse_page(page))
    assert "Sign in with your new password" in done
    assert not _still_signed_in(elsewhere)
    assert not _can_sign_in(app, erin.email, PASSWORD)
    assert _can_sign_in(app, erin.email, NEW)
    again = visitor.get(link)
    assert again.status_code == 410 and "already been used" in lede(parse_page(again))
    assert again.headers["Referrer-Policy"] == "no-referrer"


def test_a_weak_password_on_the_reset_page_leaves_the_link_working(app, runner, visitor, erin):
    link = _path(_reset_link(runner, erin.email))
    page = visitor.submit(link, {"new_password": "short", "confirm_password": "short"})
    assert page.status_code == 422
    assert [href for _message, href in summary_errors(parse_page(page))] == ["#new_password"]
    blank = visitor.submit(link, {})
    assert blank.status_code == 422
    assert field_error(parse_page(blank), "confirm_password") == "Enter the new password again."
    assert visitor.get(link).status_code == 200
    assert _can_sign_in(app, erin.email, PASSWORD)


def test_an_expired_link_is_refused(app, runner, visitor, erin):
    link = _path(_reset_link(runner, erin.email))
    with frozen_at(utcnow() + timedelta(hours=1, seconds=1)):
        page = visitor.get(link)
        shown = parse_page(page)
        assert page.status_code == 410 and "has expired" in lede(shown)
        assert find_link(main(shown), "Ask for a new link")["href"] == "/account/forgotten-password"
    assert _can_sign_in(app, erin.email, PASSWORD)


def test_the_lifetime_of_a_link_is_configured(environ, people, erin):
    settings = {**environ, "OPENDATA_PASSWORD_RESET_HOURS": "24"}
    app = create_app({"TESTING": True, "ENVIRON": settings})
    try:
        browser = Visitor(app.test_client())
        link = _path(_reset_link(app.test_cli_runner(), erin.email))
        with frozen_at(utcnow() + timedelta(hours=23)):
            assert browser.get(link).status_code == 200
        with frozen_at(utcnow() + timedelta(hours=24, seconds=1)):
            assert browser.get(link).status_code == 410
    finally:
        app.extensions["catalog"]["engine"].dispose()


def test_an_altered_link_is_refused(app, runner, visitor, erin):
    link = _path(_reset_link(runner, erin.email))
    altered = link[:-4] + ("AAAA" if not link.endswith("AAAA") else "BBBB")
    for bad in (altered, "/account/reset-password/made-up"):
        page = visitor.get(bad)
        assert page.status_code == 400 and "not valid" in lede(parse_page(page))
        refused = visitor.client.post(bad, data={"new_password": NEW, "confirm_password": NEW})
        assert refused.status_code == 400
    assert _can_sign_in(app, erin.email, PASSWORD)


def test_the_built_in_servers_log_never_holds_a_reset_token(tmp_path):
    env = instance_env(tmp_path, secret="log test")
    run_opendata(["init"], env)
    account = ["user", "create", "erin@york.gov.uk", "--name", "Erin", "--password-stdin"]
    run_opendata(account, env, stdin=PASSWORD + "\n")
    link = run_opendata(["user", "reset-link", "erin@york.gov.uk"], env).strip()
    token = link.rsplit("/", 1)[1]
    with serving(env, tmp_path) as url, urllib.request.urlopen(url + _path(link)) as form:
        assert form.status == 200 and heading(parse_page(form.read())) == "Set a new password"
    log = (tmp_path / "server.log").read_text()
    assert "GET /account/reset-password/[hidden] HTTP/1.1" in log
    assert token not in log


# Forgotten passwords


def test_the_sign_in_page_leads_to_the_forgotten_password_page(visitor):
    to_forgotten = find_link(parse_page(visitor.get("/login")), "Forgot your password?")
    assert to_forgotten["href"] == "/account/forgotten-password"
    page = visitor.get("/account/forgotten-password")
    shown = parse_page(page)
    assert page.status_code == 200 and ASK_ADMIN in lede(shown)
    assert main(shown).find("form") is None  # no form: there is no email to send


class Inbox:
    """What a real SMTP server (aiosmtpd) received, once the site has finished sending.

    `accepting` can be cleared to hold every message at the relay until it is set again."""

    def __init__(self) -> None:
        self.received = []
        self.accepting = threading.Event()
        self.accepting.set()

    def messages(self) -> list:
        """What arrived, once the site has finished sending. (A method, not a property:
        aiosmtpd looks over every attribute of its handler, in its own thread.)"""
        wait_for_outgoing()
        return self.received

    async def handle_DATA(self, _server, _session, envelope):
        await asyncio.get_running_loop().run_in_executor(None, self.accepting.wait, 30)
        self.received.append(message_from_bytes(envelope.content, policy=default_policy))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox():
    received = Inbox()
    server = Controller(received, hostname="127.0.0.1", port=_free_port())
    server.start()
    received.address = f"127.0.0.1:{server.port}"
    yield received
    server.stop()


@pytest.fixture
def mailing_app(environ, people, inbox):
    settings = {
        **environ,
        "OPENDATA_BASE_URL": BASE_URL,
        "OPENDATA_MAIL_SERVER": inbox.address,
        "OPENDATA_MAIL_FROM": "York Open Data <opendata@york.gov.uk>",
    }
    app = create_app({"TESTING": True, "ENVIRON": settings})
    yield app
    app.extensions["catalog"]["engine"].dispose()


def test_a_forgotten_password_link_is_emailed_and_works(mailing_app, inbox, erin, caplog):
    browser = Visitor(mailing_app.test_client())
    caplog.set_level(logging.DEBUG)
    page = browser.submit("/account/forgotten-password", {"email": erin.email})
    assert page.status_code == 200 and SENT in lede(parse_page(page))
    (message,) = inbox.messages()
    assert message["To"] == erin.email and message["Subject"] == "Reset your password"
    assert message["From"] == "York Open Data <opendata@york.gov.uk>"
    body = message.get_content()
    assert "Dear Erin Editor" in body and "1 hour" in body
    link = LINK.search(body).group(1)
    assert link.startswith(f"{BASE_URL}/account/reset-password/")  # never the request's host
    reset = browser.submit(_path(link), {"new_password": NEW, "confirm_password": NEW})
    assert reset.request.path == "/login"
    assert _can_sign_in(mailing_app, erin.email, NEW)
    token = link.rsplit("/", 1)[1]
    assert token not in caplog.text


def test_the_answer_is_the_same_whether_or_not_the_account_exists(mailing_app, inbox, erin):
    browser = Visitor(mailing_app.test_client())
    known = browser.submit("/account/forgotten-password", {"email": erin.email})
    unknown = browser.submit("/account/forgotten-password", {"email": "nobody@york.gov.uk"})
    assert known.status_code == unknown.status_code == 200
    assert _main(known.text.replace(erin.email, "EMAIL")) == _main(
        unknown.text.replace("nobody@york.gov.uk", "EMAIL")
    )
    assert [m["To"] for m in inbox.messages()] == [erin.email]


def test_the_page_answers_without_waiting_for_the_mail_relay(mailing_app, inbox, erin):
    """So how long it takes never tells anyone whether the address has an account."""
    inbox.accepting.clear()
    browser = Visitor(mailing_app.test_client())
    page = browser.submit("/account/forgotten-password", {"email": erin.email})
    assert page.status_code == 200 and SENT in lede(parse_page(page))
    assert inbox.received == []  # the relay has not taken the message yet
    inbox.accepting.set()
    assert [m["To"] for m in inbox.messages()] == [erin.email]


def test_asking_again_within_five_minutes_sends_no_second_email(mailing_app, inbox, erin):
    browser = Visitor(mailing_app.test_client())
    start = utcnow()
    with frozen_at(start):
        first = browser.submit("/account/forgotten-password", {"email": erin.email})
    with frozen_at(start + timedelta(minutes=4, seconds=59)):
        again = browser.submit("/account/forgotten-password", {"email": erin.email})
    assert first.status_code == again.status_code == 200 and SENT in lede(parse_page(again))
    assert len(inbox.messages()) == 1
    with frozen_at(start + timedelta(minutes=5, seconds=1)):
        browser.submit("/account/forgotten-password", {"email": erin.email})
    assert len(inbox.messages()) == 2


def test_a_mail_server_that_fails_is_logged_and_the_answer_is_the_same(
    environ, people, erin, caplog
):
    settings = {**environ, "OPENDATA_MAIL_SERVER": f"127.0.0.1:{_free_port()}"}
    app = create_app({"TESTING": True, "ENVIRON": settings})
    try:
        page = Visitor(app.test_client()).submit(
            "/account/forgotten-password", {"email": erin.email}
        )
        assert page.status_code == 200 and SENT in lede(parse_page(page))
        wait_for_outgoing()
        assert "Could not send a password reset email" in caplog.text
        assert "reset-password/" not in caplog.text
    finally:
        app.extensions["catalog"]["engine"].dispose()


def test_a_forgotten_password_form_needs_an_email_address(mailing_app, inbox):
    page = Visitor(mailing_app.test_client()).submit("/account/forgotten-password", {})
    assert page.status_code == 422
    shown = parse_page(page)
    assert summary_errors(shown) == [("Enter your email address.", "#email")]
    assert field_error(shown, "email") == "Enter your email address."
    assert inbox.messages() == []


# Forms from elsewhere


def test_every_new_form_refuses_a_post_without_its_csrf_token(
    app, client, runner, signed_in, mailing_app, inbox, erin
):
    link = _path(_reset_link(runner, erin.email))
    browser = signed_in(erin)
    new = {"new_password": NEW, "confirm_password": NEW}
    forged = [
        (browser.client, "/account/password", {"current_password": PASSWORD, **new}),
        (client, link, new),
        (mailing_app.test_client(), "/account/forgotten-password", {"email": erin.email}),
    ]
    for sender, url, data in forged:
        refused = sender.post(url, data=data)
        assert refused.status_code == 400, url
        assert "did not come from this site" in lede(parse_page(refused))
    assert inbox.messages() == []
    assert _can_sign_in(app, erin.email, PASSWORD)
    assert client.get(link).status_code == 200
