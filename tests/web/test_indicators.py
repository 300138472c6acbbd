"""KPI pages as a resident reads them: the latest figure in plain words, whether it is getting
better and meeting its target (in words, not only colour), a chart that names itself, the same
figures in a table and a CSV, theme scorecards and an index to find indicators, nothing that is
not yet published, and revisions that are explained and never rewrite history. The tests that
only read one catalogue share it, in test_indicator_pages.py."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from bs4 import BeautifulSoup

from catalog.clock import frozen_at
from catalog.indicators.series import (
    IndicatorInput,
    ObservationInput,
    indicator_create,
    indicator_publish,
    observations_record,
)
from catalog.permissions import Actor
from tests.pages import (
    hrefs,
    parse_page,
    results_count,
    spoken_text,
)
from tests.pages import table as find_table

ACTOR = Actor.system("test publisher")
EDUCATION, HEALTH = "education-and-skills", "health-and-wellbeing"
CHILDREN, CORPORATE = "children-education", "customer-corporate"
QUARTERS = [f"2016/17 Q{n}" for n in (1, 2, 3, 4)] + [f"2017/18 Q{n}" for n in (1, 2, 3)]


# -- Building a small catalogue through the services, as a publisher would ----------------------


def _indicator(catalogue, ref, title, rows, *, publish: bool | datetime = True, **fields):
    data = IndicatorInput(
        ref=ref,
        title=title,
        unit=fields.pop("unit", "%"),
        polarity=fields.pop("polarity", "Up is Good"),
        collection_type=fields.pop("collection_type", "snapshot"),
        frequency=fields.pop("frequency", "quarterly"),
        theme=fields.pop("theme", EDUCATION),
        organisation=fields.pop("organisation", CHILDREN),
        **fields,
    )
    indicator = indicator_create(catalogue.session, actor=ACTOR, data=data)
    observations_record(catalogue.session, actor=ACTOR, indicator=indicator, rows=rows)
    if publish:
        at = publish if isinstance(publish, datetime) else None
        indicator_publish(
            catalogue.session, store=catalogue.store, actor=ACTOR, indicator=indicator, at=at
        )
    return indicator


def _quarterly(values, targets=None, **last):
    """Seven quarters of figures; `last` sets fields of the latest, such as symbol="[c]"."""
    rows = []
    for i, (period, value) in enumerate(zip(QUARTERS, values, strict=True)):
        target = targets[i] if targets else None
        rows.append(ObservationInput(period=period, value=value, target=target))
    for key, value in last.items():
        setattr(rows[-1], key, value)
    return rows


@pytest.fixture
def kpis(catalogue):
    return build_kpis(catalogue)


def build_kpis(catalogue):
    """Four published indicators in two themes, from two publishers."""
    catalogue.organisation(CORPORATE, "Customer and Corporate Services")
    catalogue.topic(HEALTH, "Health and wellbeing")
    made = {}
    made["CSS7"] = _indicator(
        catalogue,
        "CSS7",
        "Children in need with a child protection plan",
        # Written as officers write periods; stored canonically.
        [
            ObservationInput(period="Apr-Jun 2016", value=35.0, target=38.0),
            ObservationInput(period="Q2 2016/17", value=36.2, target=38.0),
            ObservationInput(period="2016/17 Q3", value=37.5, target=38.0),
            ObservationInput(period="2016/17 Q4", value=36.8, target=38.0),
            ObservationInput(period="2017/18 Q1", value=38.0, target=40.0),
            ObservationInput(period="2017/18 Q2", value=38.9, target=40.0),
            ObservationInput(period="2017/18 Q3", value=42.1, target=40.0, status="provisional"),
        ],
        decimals=1,
        tolerance=1.0,
        definition="The percentage of children in need who have a **child protection plan**.",
        method="Children with a plan divided by all children in need, at the quarter end.",
        responsible_role="Head of Children's Social Care",
    )
    made["EFL3"] = _indicator(
        catalogue,
        "EFL3",
        "Young people not in education, employment or training",
        _quarterly([7.0, 6.8, 6.5, 6.2, 6.0, 5.8, 6.5], [5.0] * 7),
        polarity="Up is Bad",
        organisation=CORPORATE,
        decimals=1,
        tolerance=0.5,
        definition="16 and 17 year olds not in education, employment or training (NEET).",
    )
    made["62"] = _indicator(
        catalogue,
        "62",
        "Children looked after",
        _quarterly([251, 248, 255, 260, 262, 258, None], symbol="[c]"),
        unit="count",
        polarity="Neutral",
        definition="Children looked after by the council at the end of the quarter.",
    )
    made["BPI108"] = _indicator(
        catalogue,
        "BPI108",
        "Delayed transfers of care",
        [
            ObservationInput(period="2015/16", value=11.2, target=10.0),
            ObservationInput(period="2016/17", value=10.4, target=10.0),
        ],
        unit="days",
        polarity="Up is Bad",
        frequency="annual",
        theme=HEALTH,
        organisation=CORPORATE,
        decimals=1,
        tolerance=0.5,
    )
    return made


# -- Reading pages as a browser and a screen reader do -------------------------------------------


@dataclass
class Read:
    """A page as a screen reader reads it (aria-hidden left out), its tables as rows of cell
    texts, and where its links go."""

    doc: BeautifulSoup
    text: str
    tables: list[list[list[str]]]
    links: list[str]


def read(response) -> Read:
    assert response.status_code == 200, response.status_code
    doc = parse_page(response)
    tables = [
        [[spoken_text(cell) for cell in row.find_all(["th", "td"])] for row in found("tr")]
        for found in doc.find_all("table")
    ]
    return Read(doc, spoken_text(doc), tables, hrefs(doc))


def headline(page: Read) -> str:
    """The panel under an indicator's title, as a screen reader reads it."""
    return spoken_text(page.doc.find(class_="app-headline"))


def notes(page: Read) -> list[str]:
    """The bullets under 'Notes and revisions' on an indicator page (none when it has none)."""
    found = page.doc.find("h2", string="Notes and revisions")
    if found is None:
        return []
    return [spoken_text(li) for li in found.find_next("ul")("li")]


def listed_refs(response) -> list[str]:
    """Indicator references in the order a scorecard table lists them."""
    (table,) = read(response).tables
    return [row[0].split(":")[0] for row in table[1:]]


def csv_rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_the_index_download_is_not_cut_short(client, catalogue):
    """York publishes more than 50 indicators; the list download holds every one of them."""
    for n in range(1, 53):
        _indicator(
            catalogue,
            f"T{n:02d}",
            f"Test indicator {n}",
            [ObservationInput(period="2017/18", value=float(n))],
            unit="count",
            polarity="Neutral",
            frequency="annual",
        )
    page = read(client.get("/indicators"))
    assert results_count(page.doc) == "52 indicators"
    rows = csv_rows(client.get("/api/indicators.csv"))
    assert len(rows) == 52, f"the list download stops at {len(rows)} of 52 indicators"


# -- Nothing unpublished leaks -------------------------------------------------------------------

SECRET_TITLE = "Secret ambulance handover times"


def _surfaces(client, ref: str) -> dict[str, tuple[int, str]]:
    urls = [
        "/indicators",
        f"/indicators?q={ref}",
        "/indicators?q=secret",
        f"/indicators?theme={EDUCATION}",
        "/indicators?rag=red",
        f"/indicators/themes/{EDUCATION}",
        f"/indicators/themes/{EDUCATION}?sort=rag",
        f"/indicators/{ref}",
        f"/indicators/{ref}/chart.svg",
        f"/indicators/{ref}/sparkline.svg",
        "/api/indicators",
        f"/api/indicators?theme={EDUCATION}",
        "/api/indicators.csv",
        f"/api/indicators/{ref}",
        f"/api/indicators/{ref}.csv",
        f"/api/indicators/{ref}.csv?latest=1",
        "/datasets",
        "/datasets?q=secret",
        f"/datasets/indicator-{ref.lower()}",
    ]
    found = {}
    for url in urls:
        response = client.get(url)
        found[url] = (response.status_code, response.get_data(as_text=True))
    return found


def _leaks(surfaces, ref: str) -> list[str]:
    return [
        url
        for url, (status, body) in surfaces.items()
        if status == 200 and (SECRET_TITLE in body or "999.5" in body or f"{ref}:" in body)
    ]


def _secret(catalogue, ref: str, publish: bool | datetime):
    return _indicator(
        catalogue,
        ref,
        SECRET_TITLE,
        _quarterly([20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 999.5], [30.0] * 7),
        publish=publish,
        decimals=1,
    )


def test_a_draft_indicator_appears_nowhere(client, catalogue, kpis):
    _secret(catalogue, "SEC1", publish=False)
    surfaces = _surfaces(client, "SEC1")
    assert _leaks(surfaces, "SEC1") == []
    for url in ("/indicators/SEC1", "/indicators/SEC1/chart.svg", "/api/indicators/SEC1.csv"):
        assert surfaces[url][0] == 404, url
    assert '"count":4' in surfaces["/api/indicators"][1].replace(" ", "")


@pytest.mark.parametrize("offset, visible", [(-1, False), (0, True), (1, True)])
def test_an_embargoed_indicator_appears_at_its_second_and_not_before(
    client, catalogue, kpis, offset, visible
):
    release = datetime(2031, 4, 1, 9, 30, 0)
    _secret(catalogue, "SEC1", publish=release)
    with frozen_at(release + timedelta(seconds=offset)):
        surfaces = _surfaces(client, "SEC1")
    leaks = _leaks(surfaces, "SEC1")
    if not visible:
        assert leaks == []
        assert surfaces["/indicators/SEC1"][0] == 404
        return
    # Every surface that should name it does; the "red only" filter rightly leaves it out
    # (999.5% beats its 30% target), and bare /datasets lists only the newest few.
    missing = set(surfaces) - set(leaks)
    assert missing <= {"/indicators?rag=red", "/datasets"}, missing


def test_a_new_quarter_released_with_an_embargo_appears_at_its_second(client, catalogue, kpis):
    """Figures published with a release time (`at=`) stay private until then, also when the
    indicator already has earlier figures public."""
    css7 = kpis["CSS7"]
    release = datetime(2031, 4, 1, 9, 30, 0)
    observations_record(
        catalogue.session,
        actor=ACTOR,
        indicator=css7,
        rows=[ObservationInput(period="2017/18 Q4", value=77.7, target=40.0)],
    )
    indicator_publish(
        catalogue.session, store=catalogue.store, actor=ACTOR, indicator=css7, at=release
    )
    resource = css7.dataset.resources[0]
    download = f"/datasets/{css7.dataset.name}/resources/{resource.id}/download/css7.csv"
    urls = [
        "/indicators/CSS7",
        "/indicators/CSS7/chart.svg",
        "/indicators",
        f"/indicators/themes/{EDUCATION}",
        "/api/indicators/CSS7",
        "/api/indicators/CSS7.csv",
        "/api/indicators",
        download,
    ]
    with frozen_at(release - timedelta(seconds=1)):
        early = [url for url in urls if "77.7" in client.get(url, follow_redirects=True).text]
        newest = read(client.get("/indicators/CSS7")).tables[0][1][0]
    with frozen_at(release):
        on_time = [url for url in urls if "77.7" in client.get(url, follow_redirects=True).text]
    assert on_time == urls
    assert early == [], f"the embargoed 2017/18 Q4 figure is public before {release}: {early}"
    assert newest == "2017/18 Q3"


# -- Revisions -----------------------------------------------------------------------------------


def test_a_revised_figure_is_shown_explained_and_the_old_file_kept(client, catalogue, kpis):
    css7 = kpis["CSS7"]
    resource = css7.dataset.resources[0]
    base = f"/datasets/{css7.dataset.name}/resources/{resource.id}"
    first = resource.versions[0]
    original = client.get(f"{base}/versions/1/download/{first.filename}")
    assert original.status_code == 200
    assert original.data == client.get("/api/indicators/CSS7.csv").data

    note = "Corrected after late returns from two schools."
    summary = observations_record(
        catalogue.session,
        actor=ACTOR,
        indicator=css7,
        rows=[ObservationInput(period="Q2 2017/18", value=39.4, target=40.0, note=note)],
    )
    assert summary.revised == ["2017/18 Q2"]
    indicator_publish(catalogue.session, store=catalogue.store, actor=ACTOR, indicator=css7)

    page = read(client.get("/indicators/CSS7"))
    (table,) = page.tables
    assert table[2] == ["2017/18 Q2", "39.4% revised", "40.0%"]
    assert headline(page).startswith("42.1% in 2017/18 Q3, up 2.7 points on the previous quarter")
    assert notes(page) == [f"2017/18 Q2 (revised): {note}"]

    rows = csv_rows(client.get("/api/indicators/CSS7.csv"))
    q2 = next(row for row in rows if row["period"] == "2017/18 Q2")
    assert (q2["value"], q2["status"], q2["note"]) == ("39.4", "revised", note)

    dataset_page = parse_page(client.get(f"/datasets/{css7.dataset.name}/resources/{resource.id}"))
    versions = hrefs(find_table(dataset_page, "Every version of this file"))
    assert f"{base}/versions/2" in versions and f"{base}/versions/1" in versions
    again = client.get(f"{base}/versions/1/download/{first.filename}")
    assert again.status_code == 200
    assert again.data == original.data, "version 1 stays byte for byte as first published"
    latest = client.get(f"{base}/download/{first.filename}")
    assert latest.data != original.data
    assert latest.data == client.get("/api/indicators/CSS7.csv").data


def test_a_revision_without_a_note_says_what_changed_and_when(client, catalogue, kpis):
    efl3 = kpis["EFL3"]
    with frozen_at(datetime(2018, 2, 14, 10, 0, 0)):
        observations_record(
            catalogue.session,
            actor=ACTOR,
            indicator=efl3,
            rows=[ObservationInput(period="2017/18 Q1", value=6.1, target=5.0)],
        )
        indicator_publish(catalogue.session, store=catalogue.store, actor=ACTOR, indicator=efl3)
    shown = notes(read(client.get("/indicators/EFL3")))
    assert "2017/18 Q1 (revised): Revised from 6.0 to 6.1 on 14 February 2018." in shown


def test_republishing_unchanged_figures_adds_no_version(client, catalogue, kpis):
    css7 = kpis["CSS7"]
    indicator_publish(catalogue.session, store=catalogue.store, actor=ACTOR, indicator=css7)
    assert [v.number for v in css7.dataset.resources[0].versions] == [1]


def test_a_provisional_figure_confirmed_is_final_not_revised(client, catalogue, kpis):
    css7 = kpis["CSS7"]
    observations_record(
        catalogue.session,
        actor=ACTOR,
        indicator=css7,
        rows=[ObservationInput(period="2017/18 Q3", value=42.4, target=40.0)],
    )
    indicator_publish(catalogue.session, store=catalogue.store, actor=ACTOR, indicator=css7)
    page = read(client.get("/indicators/CSS7"))
    assert page.tables[0][1] == ["2017/18 Q3", "42.4%", "40.0%"]
    assert headline(page).startswith("42.4% in 2017/18 Q3, up 3.5 points on the previous quarter")
    assert "Notes and revisions" not in page.text and notes(page) == []


def test_sending_the_series_again_keeps_a_revision_and_its_note(client, catalogue, kpis):
    """A publisher hook sends the whole approved series each time. Sending again the very row
    that made a revision changes nothing: the figure is still marked revised, with its note."""
    css7 = kpis["CSS7"]
    note = "Corrected after late returns from two schools."
    revision = ObservationInput(period="2017/18 Q2", value=39.4, target=40.0, note=note)
    observations_record(catalogue.session, actor=ACTOR, indicator=css7, rows=[revision])
    indicator_publish(catalogue.session, store=catalogue.store, actor=ACTOR, indicator=css7)

    again = ObservationInput(period="2017/18 Q2", value=39.4, target=40.0, note=note)
    summary = observations_record(catalogue.session, actor=ACTOR, indicator=css7, rows=[again])
    indicator_publish(catalogue.session, store=catalogue.store, actor=ACTOR, indicator=css7)

    page = read(client.get("/indicators/CSS7"))
    assert page.tables[0][2] == ["2017/18 Q2", "39.4% revised", "40.0%"], (
        "sending the same figure again turned a revised figure back into a final one"
    )
    assert f"2017/18 Q2 (revised): {note}" in notes(page)
    assert summary.unchanged == ["2017/18 Q2"] and summary.revised == []
    assert len(css7.dataset.resources[0].versions) == 2, "an identical resend is no new version"


def test_a_figure_withheld_later_is_not_repeated_in_its_revision_note(client, catalogue, kpis):
    """Disclosure control: when a small count already published is then withheld as [c], the
    current page and downloads say [c] and never state the withheld number again."""
    small = _indicator(
        catalogue,
        "CSS12",
        "Children placed more than 20 miles from home",
        [
            ObservationInput(period="2017/18 Q1", value=7),
            ObservationInput(period="2017/18 Q2", value=3),
        ],
        unit="count",
        polarity="Up is Bad",
    )
    with frozen_at(datetime(2018, 2, 14, 10, 0, 0)):
        observations_record(
            catalogue.session,
            actor=ACTOR,
            indicator=small,
            rows=[ObservationInput(period="2017/18 Q2", symbol="[c]")],
        )
        indicator_publish(catalogue.session, store=catalogue.store, actor=ACTOR, indicator=small)
    page = read(client.get("/indicators/CSS12"))
    assert page.tables[0][1] == ["2017/18 Q2", "[c] revised", ""]
    (row,) = [r for r in csv_rows(client.get("/api/indicators/CSS12.csv")) if r["value"] == ""]
    assert row["symbol"] == "[c]"
    withheld = re.compile(r"(?<![\d.])3(\.0)?(?![\d.])")
    assert not withheld.search(row["note"]), f"the note gives the withheld figure: {row['note']!r}"
    said = " ".join(notes(page))
    assert said and not withheld.search(said), f"the page gives the withheld figure: {said!r}"
