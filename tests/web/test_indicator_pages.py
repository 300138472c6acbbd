"""KPI pages as a resident reads them, on one catalogue of four published indicators built
once per database for the whole module, since every test here only reads: the latest figure in
plain words, whether it is getting better and meeting its target (in words, not only colour), a
chart that names itself, the same figures in a table and a CSV, theme scorecards and an index to
find indicators. Tests that change the catalogue are in test_indicators.py."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html import unescape

import pytest

from tests.web.test_indicators import (
    CHILDREN,
    CORPORATE,
    EDUCATION,
    HEALTH,
    _Page,
    build_kpis,
    csv_rows,
    listed_refs,
    read,
    section,
)

SVG = "{http://www.w3.org/2000/svg}"
CSS7_SENTENCE = (
    "42.1% in 2017/18 Q3, up 3.2 points on the previous quarter: better, and above the 40% target."
)
EFL3_SENTENCE = (
    "6.5% in 2017/18 Q3, up 0.7 points on the previous quarter: worse, and above the 5% target."
)
LAC_SENTENCE = (
    "No figure for 2017/18 Q3: withheld because the numbers are small enough to identify people."
)


@pytest.fixture(scope="module")
def kpis(shared_catalogue):
    return build_kpis(shared_catalogue)


@pytest.fixture(scope="module")
def client(shared_app):
    return shared_app.test_client()


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
