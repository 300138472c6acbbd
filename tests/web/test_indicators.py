"""KPI pages as a resident reads them: the latest figure in plain words, whether it is getting
better and meeting its target (in words, not only colour), a chart that names itself, the same
figures in a table and a CSV, theme scorecards and an index to find indicators, nothing that is
not yet published, and revisions that are explained and never rewrite history."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from html import unescape
from html.parser import HTMLParser

import pytest

from catalog.clock import frozen_at
from catalog.indicators import (
    IndicatorInput,
    ObservationInput,
    indicator_create,
    indicator_publish,
    observations_record,
)
from catalog.permissions import Actor

ACTOR = Actor.system("test publisher")
SVG = "{http://www.w3.org/2000/svg}"
EDUCATION, HEALTH = "education-and-skills", "health-and-wellbeing"
CHILDREN, CORPORATE = "children-education", "customer-corporate"
QUARTERS = [f"2016/17 Q{n}" for n in (1, 2, 3, 4)] + [f"2017/18 Q{n}" for n in (1, 2, 3)]

CSS7_SENTENCE = (
    "42.1% in 2017/18 Q3, up 3.2 points on the previous quarter: better, and above the 40% target."
)
EFL3_SENTENCE = (
    "6.5% in 2017/18 Q3, up 0.7 points on the previous quarter: worse, and above the 5% target."
)
LAC_SENTENCE = (
    "No figure for 2017/18 Q3: withheld because the numbers are small enough to identify people."
)


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


class _Page(HTMLParser):
    """Text a screen reader reads (aria-hidden left out), tables as rows of cell texts, links."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr", "col", "area"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.words: list[str] = []
        self.tables: list[list[list[str]]] = []
        self.links: list[str] = []
        self._stack: list[bool] = []  # hidden flag per open element
        self._cell: list[str] | None = None

    @property
    def _hidden(self) -> bool:
        return any(self._stack)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables and self.tables[-1]:
            self._cell = []
        if tag in self.VOID:
            if tag == "br" and self._cell is not None:
                self._cell.append(" ")
            return
        hidden = attributes.get("aria-hidden") == "true" or tag in ("script", "style", "svg")
        self._stack.append(hidden)

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        if tag not in self.VOID and self._stack:
            self._stack.pop()

    def handle_data(self, data):
        if self._hidden:
            return
        self.words.extend(data.split())
        if self._cell is not None:
            self._cell.append(data)

    @property
    def text(self) -> str:
        return " ".join(self.words)


def read(response) -> _Page:
    assert response.status_code == 200, response.status_code
    page = _Page()
    page.feed(response.get_data(as_text=True))
    return page


def section(html: str, start: str, end: str) -> str:
    """The markup from the tag holding `start` up to `end`, to read one part of a page."""
    first = html.rindex("<", 0, html.index(start))
    return html[first : html.index(end, first)]


def listed_refs(response) -> list[str]:
    """Indicator references in the order a scorecard table lists them."""
    (table,) = read(response).tables
    return [row[0].split(":")[0] for row in table[1:]]


def csv_rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


# -- An indicator page ---------------------------------------------------------------------------


def headline(response) -> tuple[str, str]:
    """The headline panel as a screen reader reads it, and as markup."""
    html = section(response.get_data(as_text=True), "app-headline", "<h2")
    panel = _Page()
    panel.feed(html)
    return panel.text, html


def test_the_headline_says_in_plain_words_how_the_indicator_is_doing(client, kpis):
    text, html = headline(client.get("/indicators/CSS7"))
    assert text == f"{CSS7_SENTENCE} Getting better · On target"
    # Colour and arrows only repeat what the words say, and are hidden from screen readers.
    assert "govuk-tag--green" in html
    assert '<span aria-hidden="true">▲ </span>Getting better' in html
    assert '<span aria-hidden="true">✓ </span>On target' in html


@pytest.mark.parametrize(
    "ref, sentence, status, colour",
    [
        ("EFL3", EFL3_SENTENCE, "Getting worse · Off target", "govuk-tag--red"),
        ("62", LAC_SENTENCE, "Not comparable · No target", "govuk-tag--grey"),
        (
            "BPI108",
            "10.4 days in 2016/17, down 0.8 days on the previous year: better, "
            "and above the 10 days target.",
            "Getting better · Close to target",
            "govuk-tag--yellow",
        ),
    ],
)
def test_polarity_decides_better_or_worse_and_the_status(
    client, kpis, ref, sentence, status, colour
):
    text, html = headline(client.get(f"/indicators/{ref}"))
    assert text == f"{sentence} {status}"
    assert colour in html


def test_the_chart_is_inline_svg_named_by_its_title_and_the_sentence(client, kpis):
    html = client.get("/indicators/CSS7").get_data(as_text=True)
    svg = ET.fromstring(html[html.index("<svg") : html.index("</svg>") + len("</svg>")])
    assert svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert (title.get("id"), title.text) == (
        title_id,
        "CSS7: Children in need with a child protection plan",
    )
    assert (desc.get("id"), desc.text) == (desc_id, CSS7_SENTENCE)
    # Seven quarters are seven points; the provisional one is drawn hollow.
    markers = [c for c in svg.iter(f"{SVG}circle") if "kpi-marker" in c.get("class", "")]
    assert len(markers) == 7
    assert [m.get("class") for m in markers].count("kpi-marker kpi-provisional") == 1


@pytest.mark.parametrize("ref", ["CSS7", "EFL3", "62", "BPI108"])
def test_the_table_holds_every_period_and_value_of_the_csv_download(client, kpis, ref):
    indicator = kpis[ref]
    (table,) = read(client.get(f"/indicators/{ref}")).tables
    assert table[0] == ["Period", "Value", "Target"]
    downloaded = csv_rows(client.get(f"/api/indicators/{ref}.csv"))
    assert len(downloaded) == len(table) - 1 == len(indicator.observations)

    def shown(number: str) -> str:
        if not number:
            return ""
        figure = f"{float(number):,.{indicator.decimals}f}"
        return {"%": f"{figure}%", "count": figure, "days": f"{figure} days"}[indicator.unit]

    expected = []
    for row in reversed(downloaded):  # the page lists the newest period first
        value = shown(row["value"]) or row["symbol"]
        if row["status"] != "final":
            value += f" {row['status']}"
        expected.append([row["period"], value, shown(row["target"])])
    assert table[1:] == expected


def test_the_table_shows_a_provisional_figure_and_a_suppressed_one_as_such(client, kpis):
    (table,) = read(client.get("/indicators/CSS7")).tables
    assert table[1] == ["2017/18 Q3", "42.1% provisional", "40.0%"]
    assert table[-1] == ["2016/17 Q1", "35.0%", "38.0%"]
    (table,) = read(client.get("/indicators/62")).tables
    assert table[1] == ["2017/18 Q3", "[c]", ""]
    assert table[2] == ["2017/18 Q2", "258", ""]


def test_the_page_explains_the_indicator_and_how_to_reuse_it(client, kpis):
    response = client.get("/indicators/CSS7")
    html = response.get_data(as_text=True)
    page = read(response)
    assert "Definition The percentage of children in need who have a child protection plan" in (
        page.text
    )
    assert "<strong>child protection plan</strong>" in html, "the definition is Markdown"
    assert "How it is calculated Children with a plan divided by all children in need" in (
        page.text
    )
    assert "Good performance A higher figure is better" in page.text
    assert "Responsible officer Head of Children's Social Care" in page.text
    assert "/api/indicators/CSS7.csv" in page.links
    assert "/api/indicators/CSS7" in page.links
    assert "/datasets/indicator-css7" in page.links

    embed = unescape(section(html, 'id="embed"', "</textarea>"))
    src = re.search(r'<img src="([^"]+)" alt="([^"]+)"', embed)
    assert src, embed
    assert src[1] == "http://localhost/indicators/CSS7/chart.svg"
    assert src[2] == CSS7_SENTENCE
    assert client.get(src[1]).status_code == 200


@pytest.mark.parametrize("kind", ["chart.svg", "sparkline.svg"])
def test_the_charts_are_svg_files_that_revalidate_cheaply(client, kpis, kind):
    response = client.get(f"/indicators/CSS7/{kind}")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    root = ET.fromstring(response.data)
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}desc").text == CSS7_SENTENCE
    etag = response.headers["ETag"]
    assert etag
    again = client.get(f"/indicators/CSS7/{kind}", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    other = client.get(f"/indicators/EFL3/{kind}", headers={"If-None-Match": etag})
    assert other.status_code == 200, "another indicator's chart is not the same file"


def test_an_unknown_indicator_is_not_found(client, kpis):
    for url in ("/indicators/NOPE", "/indicators/NOPE/chart.svg", "/indicators/NOPE/sparkline.svg"):
        assert client.get(url).status_code == 404, url


# -- Theme scorecards ----------------------------------------------------------------------------


def test_a_theme_scorecard_lists_only_that_themes_indicators(client, kpis):
    response = client.get(f"/indicators/themes/{EDUCATION}")
    assert listed_refs(response) == ["62", "CSS7", "EFL3"]
    text = read(response).text
    assert "1 on target 0 close to target 1 off target 1 with no target" in text
    assert "Delayed transfers of care" not in text
    assert listed_refs(client.get(f"/indicators/themes/{HEALTH}")) == ["BPI108"]


def test_a_theme_scorecard_row_reads_across(client, kpis):
    (table,) = read(client.get(f"/indicators/themes/{EDUCATION}?sort=rag")).tables
    assert table[0] == [
        "Indicator",
        "Latest",
        "Period",
        "Target",
        "Direction of travel",
        "Status",
    ]
    assert table[1] == [
        "EFL3: Young people not in education, employment or training",
        "6.5%",
        "2017/18 Q3",
        "5.0%",
        "Getting worse",
        "Off target",
    ]
    assert table[3] == ["62: Children looked after", "[c]", "2017/18 Q3", "None set"] + [
        "Not comparable",
        "No target",
    ]


@pytest.mark.parametrize(
    "query, refs",
    [
        ("", ["62", "CSS7", "EFL3"]),
        ("?sort=ref", ["62", "CSS7", "EFL3"]),
        ("?sort=rag", ["EFL3", "CSS7", "62"]),  # off target first, no target last
        ("?sort=title", ["CSS7", "62", "EFL3"]),
        (f"?organisation={CHILDREN}", ["62", "CSS7"]),
        (f"?organisation={CORPORATE}", ["EFL3"]),
        (f"?organisation={CHILDREN}&sort=rag", ["CSS7", "62"]),
    ],
)
def test_a_theme_scorecard_filters_by_publisher_and_sorts(client, kpis, query, refs):
    assert listed_refs(client.get(f"/indicators/themes/{EDUCATION}{query}")) == refs


def test_a_theme_scorecard_for_an_unknown_theme_is_not_found(client, kpis):
    assert client.get("/indicators/themes/no-such-theme").status_code == 404


# -- The indicators index ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, refs",
    [
        ("", ["62", "BPI108", "CSS7", "EFL3"]),
        (f"?theme={HEALTH}", ["BPI108"]),
        (f"?theme={EDUCATION}", ["62", "CSS7", "EFL3"]),
        (f"?organisation={CORPORATE}", ["BPI108", "EFL3"]),
        ("?frequency=annual", ["BPI108"]),
        ("?frequency=quarterly", ["62", "CSS7", "EFL3"]),
        ("?rag=red", ["EFL3"]),
        ("?rag=amber", ["BPI108"]),
        ("?rag=green", ["CSS7"]),
        ("?rag=none", ["62"]),
        ("?q=css7", ["CSS7"]),
        ("?q=efl", ["EFL3"]),
        ("?q=looked+after", ["62"]),
        ("?q=children", ["62", "CSS7"]),
        (f"?q=children&organisation={CHILDREN}&frequency=quarterly&rag=green", ["CSS7"]),
        ("?sort=rag", ["EFL3", "BPI108", "CSS7", "62"]),
        ("?sort=title", ["CSS7", "62", "BPI108", "EFL3"]),
    ],
)
def test_the_index_filters_and_searches(client, kpis, query, refs):
    response = client.get(f"/indicators{query}")
    assert listed_refs(response) == refs
    count = f"{len(refs)} indicator{'' if len(refs) == 1 else 's'}"
    assert count in read(response).text


def test_the_index_says_when_nothing_matches(client, kpis):
    response = client.get("/indicators?q=qwxzvbnm")
    page = read(response)
    assert page.tables == []
    assert "0 indicators" in page.text
    assert "No indicators match" in page.text


def test_the_index_links_to_every_theme_scorecard(client, kpis):
    links = read(client.get("/indicators")).links
    assert f"/indicators/themes/{EDUCATION}" in links
    assert f"/indicators/themes/{HEALTH}" in links


@pytest.mark.parametrize("query", ["?sort=colour", "?rag=purple"])
def test_a_bad_sort_or_status_is_a_clear_bad_request(client, kpis, query):
    response = client.get(f"/indicators{query}")
    assert response.status_code == 400
    assert "must be" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    ["", f"?theme={HEALTH}", "?q=children", "?rag=red", "?sort=rag", "?rag=none&q=looked"],
)
def test_the_index_download_lists_what_the_page_lists(client, kpis, query):
    html = client.get(f"/indicators{query}").get_data(as_text=True)
    link = re.search(r'<a class="govuk-link" href="([^"]+)">Download this list as CSV', html)
    assert link, "the index offers its list as CSV"
    response = client.get(unescape(link[1]))
    assert response.status_code == 200, (
        f"'Download this list as CSV' on /indicators{query} answers {response.status_code}: "
        f"{response.get_data(as_text=True)[:200]}"
    )
    rows = csv_rows(response)
    assert [row["indicator"] for row in rows] == listed_refs(client.get(f"/indicators{query}"))


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
    assert "52 indicators" in page.text
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
    assert "42.1% in 2017/18 Q3, up 2.7 points on the previous quarter" in page.text
    assert f"Notes and revisions 2017/18 Q2 (revised): {note}" in page.text

    rows = csv_rows(client.get("/api/indicators/CSS7.csv"))
    q2 = next(row for row in rows if row["period"] == "2017/18 Q2")
    assert (q2["value"], q2["status"], q2["note"]) == ("39.4", "revised", note)

    dataset_page = client.get(f"/datasets/{css7.dataset.name}/resources/{resource.id}").text
    assert f"{base}/versions/2" in dataset_page and f"{base}/versions/1" in dataset_page
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
    text = read(client.get("/indicators/EFL3")).text
    assert "2017/18 Q1 (revised): Revised from 6.0 to 6.1 on 14 February 2018." in text


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
    assert "42.4% in 2017/18 Q3, up 3.5 points on the previous quarter" in page.text
    assert "Notes and revisions" not in page.text


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
    assert f"2017/18 Q2 (revised): {note}" in page.text
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
    notes = page.text[page.text.index("Notes and revisions") : page.text.index("Download and")]
    assert not withheld.search(notes), f"the page gives the withheld figure: {notes!r}"
