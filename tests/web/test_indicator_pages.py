"""KPI pages as a resident reads them, on one catalogue of four published indicators built
once per database for the whole module, since every test here only reads: the latest figure in
plain words, whether it is getting better and meeting its target (in words, not only colour), a
chart that names itself, the same figures in a table and a CSV, theme scorecards and an index to
find indicators. Tests that change the catalogue are in test_indicators.py."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from bs4 import Tag

from tests.pages import (
    find_link,
    lede,
    main,
    mentions,
    parse_page,
    results_count,
    summary_list,
    tag_colour,
    text_of,
)
from tests.web.test_indicators import (
    CHILDREN,
    CORPORATE,
    EDUCATION,
    HEALTH,
    build_kpis,
    csv_rows,
    headline,
    listed_refs,
    read,
)

SVG = "{http://www.w3.org/2000/svg}"


def lede_after_count(page) -> str:
    """What the index says under its count of indicators."""
    return text_of(page.doc.find(attrs={"role": "status"}).find_next("p"))


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


def _status(page) -> Tag:
    """The headline's status tag (on target, off target...)."""
    return page.doc.find(class_="app-headline").find(class_="govuk-tag")


def test_the_headline_says_in_plain_words_how_the_indicator_is_doing(client, kpis):
    page = read(client.get("/indicators/CSS7"))
    assert headline(page) == f"{CSS7_SENTENCE} Getting better · On target"
    # Colour and arrows only repeat what the words say, and are hidden from screen readers.
    status = _status(page)
    assert tag_colour(status) == "green"
    direction = page.doc.find(class_="app-headline").find(class_="app-direction")
    for said, mark, words in ((direction, "▲", "Getting better"), (status, "✓", "On target")):
        hidden = said.find(attrs={"aria-hidden": "true"})
        assert text_of(hidden) == mark and text_of(said) == f"{mark} {words}"


@pytest.mark.parametrize(
    "ref, sentence, status, colour",
    [
        ("EFL3", EFL3_SENTENCE, "Getting worse · Off target", "red"),
        ("62", LAC_SENTENCE, "Not comparable · No target", "grey"),
        (
            "BPI108",
            "10.4 days in 2016/17, down 0.8 days on the previous year: better, "
            "and above the 10 days target.",
            "Getting better · Close to target",
            "yellow",
        ),
    ],
)
def test_polarity_decides_better_or_worse_and_the_status(
    client, kpis, ref, sentence, status, colour
):
    page = read(client.get(f"/indicators/{ref}"))
    assert headline(page) == f"{sentence} {status}"
    assert tag_colour(_status(page)) == colour


def test_the_chart_is_inline_svg_named_by_its_title_and_the_sentence(client, kpis):
    figure = read(client.get("/indicators/CSS7")).doc.find("figure", class_="app-chart")
    svg = ET.fromstring(str(figure.find("svg")))
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
    page = read(client.get("/indicators/CSS7"))
    about = summary_list(page.doc)
    assert about["Definition"].startswith(
        "The percentage of children in need who have a child protection plan"
    )
    definition = page.doc.find("dt", string="Definition").find_next("dd")
    assert text_of(definition.find("strong")) == "child protection plan", "it is Markdown"
    assert about["How it is calculated"].startswith(
        "Children with a plan divided by all children in need"
    )
    assert about["Good performance"] == "A higher figure is better"
    assert about["Responsible officer"] == "Head of Children's Social Care"
    assert find_link(page.doc, "Download every figure as CSV")["href"] == (
        "/api/indicators/CSS7.csv"
    )
    assert find_link(page.doc, "Get every figure as JSON")["href"] == "/api/indicators/CSS7"
    assert find_link(page.doc, "See this indicator as a dataset, with every published version")[
        "href"
    ] == ("/datasets/indicator-css7")

    embed = parse_page(page.doc.find("textarea", id="embed").get_text()).find("img")
    assert embed["src"] == "http://localhost/indicators/CSS7/chart.svg"
    assert embed["alt"] == CSS7_SENTENCE
    assert client.get(embed["src"]).status_code == 200


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
    page = read(response)
    assert "1 on target 0 close to target 1 off target 1 with no target" in page.text
    assert not mentions(page.doc, "Delayed transfers of care")
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
    assert results_count(read(response).doc) == count


def test_the_index_says_when_nothing_matches(client, kpis):
    response = client.get("/indicators?q=qwxzvbnm")
    page = read(response)
    assert page.tables == []
    assert results_count(page.doc) == "0 indicators"
    assert "No indicators match" in lede_after_count(page)


def test_the_index_links_to_every_theme_scorecard(client, kpis):
    links = read(client.get("/indicators")).links
    assert f"/indicators/themes/{EDUCATION}" in links
    assert f"/indicators/themes/{HEALTH}" in links


@pytest.mark.parametrize("query", ["?sort=colour", "?rag=purple"])
def test_a_bad_sort_or_status_is_a_clear_bad_request(client, kpis, query):
    response = client.get(f"/indicators{query}")
    assert response.status_code == 400
    assert "must be" in lede(parse_page(response))


@pytest.mark.parametrize(
    "query",
    ["", f"?theme={HEALTH}", "?q=children", "?rag=red", "?sort=rag", "?rag=none&q=looked"],
)
def test_the_index_download_lists_what_the_page_lists(client, kpis, query):
    page = read(client.get(f"/indicators{query}"))
    link = find_link(main(page.doc), "Download this list as CSV")["href"]
    response = client.get(link)
    assert response.status_code == 200, (
        f"'Download this list as CSV' on /indicators{query} answers {response.status_code}: "
        f"{response.get_data(as_text=True)[:200]}"
    )
    rows = csv_rows(response)
    assert [row["indicator"] for row in rows] == listed_refs(client.get(f"/indicators{query}"))
