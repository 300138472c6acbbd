"""Four eyes through the pages, as staff use them: a new quarter for a public dataset waits in
the review queue with its report, preview and difference from what the public sees; only an
admin who did not upload it can approve it, now or at a UK time the calendar follows; names
flagged for redaction are confirmed cell by cell by an admin who did not upload the file."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, time, timedelta

import pytest

from catalog.calendar.announcements import EntryInput, When, entry_announce
from catalog.clock import frozen_at
from catalog.uk_time import uk_to_utc, utc_to_uk
from tests.conftest import ACTOR
from tests.pages import csrf_token, parse_page, text_of

PUBLISHED = datetime(2026, 11, 2, 9, 30)
NOW = datetime(2026, 12, 7, 10, 0)
RELEASE = uk_to_utc(date(2027, 1, 21), time(9, 30))
SECOND = timedelta(seconds=1)
V1 = b"Ward,Spend\r\nAcomb,100\r\nClifton,200\r\n"
V2 = b"Ward,Spend,Supplier\r\nAcomb,100.5,A Ltd\r\nClifton,200,B Ltd\r\nHeworth,300,C Ltd\r\n"
PAGE = "/publish/datasets/ward-spend"
SCHEMA = {
    "fields": [
        {"name": "supplier", "type": "string", "redaction": "Redacted - personal data"},
        {"name": "amount", "type": "integer"},
    ]
}
FLAGGED = b"supplier,amount\r\nMr Kipling,120\r\nAcme Ltd,80\r\nMrs A Jones,45\r\n"


@pytest.fixture
def bea(people):
    return people.make("Bea Admin", "admin")


@pytest.fixture
def spend(catalogue):
    with frozen_at(PUBLISHED):
        return catalogue.dataset("ward-spend", files={"spend.csv": V1}, publish=PUBLISHED)


def _post_file(browser, url: str, content: bytes, filename="spend.csv", **fields):
    """Send a file from the staff page's multipart form, with that page's CSRF token."""
    token = csrf_token(parse_page(browser.get(PAGE)))
    data = {"csrf_token": token, "file": (io.BytesIO(content), filename), **fields}
    return browser.client.post(url, data=data, follow_redirects=True)


def _new_quarter(browser, spend, **fields):
    resource = spend.resources[0]
    url = f"{PAGE}/files/{resource.id}/versions"
    return _post_file(browser, url, V2, schema="infer", **fields)


def _review_form(page):
    return page.find("form", action=lambda action: action and action.endswith("/review"))


def _public_download(client, spend) -> bytes:
    resource = spend.resources[0]
    return client.get(f"/datasets/ward-spend/resources/{resource.id}/download/spend.csv").data


def test_a_new_quarter_waits_for_review_showing_what_will_change(
    client, spend, signed_in, erin, ada
):
    with frozen_at(NOW):
        editor = signed_in(erin)
        uploaded = _new_quarter(editor, spend)
        assert uploaded.status_code == 200
        assert _public_download(client, spend) == V1
        assert _review_form(parse_page(uploaded)) is None  # the editor cannot approve it
        admin = signed_in(ada)
        queue = parse_page(admin.get("/publish/review"))
        [row] = [r for r in queue.find_all("tr") if "Version 2 of spend.csv" in text_of(r)]
        assert "Erin Editor" in text_of(row)

        staff = parse_page(admin.get(PAGE))
        change = staff.find(id="changes").find_next("h3")
        assert text_of(change) == "New version 2 of spend.csv"
        difference = {
            text_of(tr.th): text_of(tr.td)
            for tr in staff.find("table", id=lambda i: i and i.endswith("-difference")).find_all(
                "tr"
            )
        }
        assert difference == {
            "Rows": "2 now, 3 after",
            "Columns added": "Supplier",
            "Columns removed": "None",
            "Columns with another type": "Spend: integer to number",
        }
        preview = staff.find(id=lambda i: i and i.endswith("-preview")).find_parent("table")
        assert "Heworth" in text_of(preview)
        assert "No problems" in text_of(staff.find(id="changes").find_next("dl"))
        # The release time fields show by CSS alone: GOV.UK's script would otherwise put
        # aria-expanded, which ARIA does not allow on a radio, on "At a set time".
        form = _review_form(staff)
        assert form.select("input[name='when'][data-aria-controls]") == []
        assert form.select_one(".app-when .app-when__later input[name='release_time']")


def test_only_an_admin_who_did_not_upload_it_may_approve(client, spend, signed_in, ada, bea):
    with frozen_at(NOW):
        uploader = signed_in(ada)
        page = parse_page(_new_quarter(uploader, spend))
        assert _review_form(page) is None
        assert "You made this change" in text_of(page.find(id="changes").parent)
        action = parse_page(signed_in(bea).get(PAGE)).find(
            "form", action=lambda a: a and "/changes/" in a
        )["action"]
        refused = uploader.submit(PAGE, {"decision": "approve", "when": "now"}, to=action)
        assert refused.status_code == 403
        assert _public_download(client, spend) == V1

        approved = signed_in(bea).submit(PAGE, {"decision": "approve", "when": "now"}, to=action)
        assert "Approved version 2 of spend.csv" in text_of(parse_page(approved))
        assert _public_download(client, spend) == V2


def _release_fields(moment: datetime) -> dict[str, str]:
    """The approval form filled in for release at `moment` (UTC), as a UK date and time."""
    uk = utc_to_uk(moment)
    return {
        "decision": "approve",
        "when": "later",
        "release-day": str(uk.day),
        "release-month": str(uk.month),
        "release-year": str(uk.year),
        "release_time": f"{uk:%H:%M}",
    }


def test_an_approved_quarter_is_released_at_its_uk_time_and_not_a_second_before(
    client, spend, signed_in, erin, ada
):
    with frozen_at(NOW):
        _new_quarter(signed_in(erin), spend)
        admin = signed_in(ada)
        action = _review_form(parse_page(admin.get(PAGE)))["action"]
        approved = admin.submit(PAGE, _release_fields(RELEASE), to=action)
        assert "21 January 2027 at 09:30 UK time" in text_of(parse_page(approved))
    for moment, expected in [(RELEASE - SECOND, V1), (RELEASE, V2), (RELEASE + SECOND, V2)]:
        with frozen_at(moment):
            assert _public_download(client, spend) == expected, moment


def test_an_early_release_says_why_on_the_calendar(client, catalogue, spend, signed_in, erin, ada):
    with frozen_at(NOW):
        entry_announce(
            catalogue.session,
            actor=ACTOR,
            data=EntryInput(
                organisation="children-education",
                title="Ward spend, October to December 2026",
                when=When(day=date(2027, 1, 21)),
                dataset="ward-spend",
                period="2026/27 Q3",
            ),
        )
        _new_quarter(signed_in(erin), spend, period="2026/27 Q3")
        admin = signed_in(ada)
        action = _review_form(parse_page(admin.get(PAGE)))["action"]
        refused = admin.submit(PAGE, {"decision": "approve", "when": "now"}, to=action)
        assert refused.status_code == 422
        field = parse_page(refused).find("textarea", attrs={"name": "early_reason"})
        error = field.find_previous("p", class_="govuk-error-message")
        assert "announced this release for 21 January 2027" in text_of(error)
        assert _public_download(client, spend) == V1

        reason = "Brought forward to answer a question at full council."
        fields = {"decision": "approve", "when": "now", "early_reason": reason}
        admin.submit(PAGE, fields, to=action)
        assert _public_download(client, spend) == V2
        calendar = parse_page(client.get("/calendar"))
        assert reason in text_of(calendar.find("main"))


def test_flagged_names_are_confirmed_cell_by_cell_by_another_admin(catalogue, signed_in, erin, ada):
    with frozen_at(NOW):
        catalogue.dataset("ward-spend", publish=False)
        editor = signed_in(erin)
        schema = (io.BytesIO(json.dumps(SCHEMA).encode()), "schema.json")
        _post_file(
            editor, f"{PAGE}/files", FLAGGED, "card.csv", title="Card spend", schema_file=schema
        )
        report_url = parse_page(editor.get(PAGE)).find(
            "a", href=lambda h: h and h.endswith("/report")
        )["href"]
        report = parse_page(editor.get(report_url))
        cells = report.find("table", id="flagged-cells")
        rows = [[text_of(td) for td in tr.find_all("td")] for tr in cells.tbody.find_all("tr")]
        assert rows == [
            ["2", "supplier", "Mr Kipling", "Not confirmed"],
            ["4", "supplier", "Mrs A Jones", "Not confirmed"],
        ]
        assert report.find("input", attrs={"name": "cell"}) is None

        admin = signed_in(ada)
        boxes = parse_page(admin.get(report_url)).find_all("input", attrs={"name": "cell"})
        assert [box["value"] for box in boxes] == ["2:supplier", "4:supplier"]
        confirm_url = report_url.replace("/report", "/redaction")
        done = admin.submit(report_url, {"cell": ["2:supplier", "4:supplier"]}, to=confirm_url)
        confirmed = parse_page(done).find("table", id="flagged-cells")
        assert all("Confirmed by Ada Admin" in text_of(tr) for tr in confirmed.tbody.find_all("tr"))
        history = text_of(parse_page(admin.get(PAGE)).find("caption", string="Activity log").parent)
        assert "Confirmed that “Mr Kipling” (row 2, supplier)" in history
        assert "Confirmed that “Mrs A Jones” (row 4, supplier)" in history


def test_a_version_waiting_for_review_shows_nowhere_public(client, spend, signed_in, erin):
    resource = spend.resources[0]
    base = f"/datasets/ward-spend/resources/{resource.id}"
    urls = [
        "/datasets/ward-spend",
        base,
        f"{base}/download/spend.csv",
        f"{base}/versions/2",
        f"{base}/versions/2/download/spend.csv",
        f"/api/data/{resource.id}",
        "/api/3/action/package_show?id=ward-spend",
        "/api/3/action/package_search?q=Heworth",
        "/datasets/ward-spend/datapackage.json",
        "/catalog.jsonld",
        "/feeds/releases.atom",
    ]
    with frozen_at(NOW):
        _new_quarter(signed_in(erin), spend)
        seen = [
            url
            for url in urls
            for body in [client.get(url).get_data(as_text=True)]
            if "Heworth" in body or "Supplier" in body or "C Ltd" in body
        ]
    assert seen == []
