"""The indicators API as a developer or analyst uses it: every published indicator with its latest
figure and derived status as JSON or CSV, filtered and paged; one indicator's series, cut by
period; clear errors that name the parameter at fault; and CSV that is safe in a spreadsheet."""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qs, urlsplit

import pytest

from catalog.indicators.series import (
    IndicatorInput,
    ObservationInput,
    indicator_create,
    indicator_publish,
    observations_record,
)
from catalog.permissions import Actor

ACTOR = Actor.system("test publisher")
EDUCATION, HEALTH = "education-and-skills", "health-and-wellbeing"
CHILDREN, CORPORATE = "children-education", "customer-corporate"
QUARTERS = [f"2016/17 Q{n}" for n in (1, 2, 3, 4)] + [f"2017/18 Q{n}" for n in (1, 2, 3)]
CSS7_VALUES = [35.0, 36.2, 37.5, 36.8, 38.0, 38.9, 42.1]
FORMULAS = ["=SUM(A1:A9)", "+44 1904 551550 helpline", "-2 schools closed", "@mention"]


def _publish(catalogue, ref, title, rows, **fields):
    data = IndicatorInput(
        ref=ref,
        title=title,
        unit=fields.pop("unit", "%"),
        polarity=fields.pop("polarity", "Up is Good"),
        collection_type="snapshot",
        frequency=fields.pop("frequency", "quarterly"),
        theme=fields.pop("theme", EDUCATION),
        organisation=fields.pop("organisation", CHILDREN),
        **fields,
    )
    indicator = indicator_create(catalogue.session, actor=ACTOR, data=data)
    observations_record(catalogue.session, actor=ACTOR, indicator=indicator, rows=rows)
    indicator_publish(catalogue.session, store=catalogue.store, actor=ACTOR, indicator=indicator)
    return indicator


@pytest.fixture(scope="module")
def client(shared_app):
    return shared_app.test_client()


@pytest.fixture(scope="module")
def kpis(shared_catalogue):
    """Built once for the module: every test here only reads."""
    catalogue = shared_catalogue
    catalogue.organisation(CORPORATE, "Customer and Corporate Services")
    catalogue.topic(HEALTH, "Health and wellbeing")
    css7 = [
        ObservationInput(period=period, value=value, target=38.0 if i < 4 else 40.0)
        for i, (period, value) in enumerate(zip(QUARTERS, CSS7_VALUES, strict=True))
    ]
    css7[-1].status = "provisional"
    _publish(
        catalogue,
        "CSS7",
        "Children in need with a child protection plan",
        css7,
        decimals=1,
        tolerance=1.0,
        definition="The percentage of children in need who have a child protection plan.",
    )
    _publish(
        catalogue,
        "EFL3",
        "Young people not in education, employment or training",
        [
            ObservationInput(period=p, value=v, target=5.0)
            for p, v in zip(QUARTERS, [7.0, 6.8, 6.5, 6.2, 6.0, 5.8, 6.5], strict=True)
        ],
        polarity="Up is Bad",
        organisation=CORPORATE,
        decimals=1,
        tolerance=0.5,
    )
    _publish(
        catalogue,
        "62",
        "Change in children looked after",
        [
            *(
                ObservationInput(period=p, value=v)
                for p, v in zip(QUARTERS[:3], [251, 248, 255], strict=True)
            ),
            ObservationInput(period=QUARTERS[3], value=-12.0, note=FORMULAS[0]),
            ObservationInput(period=QUARTERS[4], value=262, note=FORMULAS[1]),
            ObservationInput(period=QUARTERS[5], value=258, note=FORMULAS[2]),
            ObservationInput(period=QUARTERS[6], symbol="[c]", note=FORMULAS[3]),
        ],
        unit="count",
        polarity="Neutral",
    )
    _publish(
        catalogue,
        "BPI108",
        "=Delayed transfers of care",
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


def get_json(client, url: str, status: int = 200) -> dict:
    response = client.get(url)
    assert response.status_code == status, (url, response.get_data(as_text=True)[:300])
    assert response.mimetype == "application/json"
    return response.get_json()


def get_csv(client, url: str) -> list[dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.get_data(as_text=True)[:300])
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def refs(body: dict) -> list[str]:
    return [result["indicator"]["ref"] for result in body["results"]]


# -- The list ------------------------------------------------------------------------------------


def test_the_list_gives_each_indicator_with_its_latest_figure_and_status(client, kpis):
    body = get_json(client, "/api/indicators")
    assert body["count"] == 4
    assert body["next"] is None
    assert refs(body) == ["62", "BPI108", "CSS7", "EFL3"]
    css7 = body["results"][2]
    assert css7["indicator"]["title"] == "Children in need with a child protection plan"
    assert css7["indicator"]["theme"] == {"name": EDUCATION, "title": "Education and skills"}
    assert css7["indicator"]["url"] == "http://localhost/indicators/CSS7"
    assert css7["latest"]["period"] == "2017/18 Q3"
    assert css7["latest"]["value"] == 42.1
    assert css7["latest"]["target"] == 40.0
    assert css7["latest"]["status"] == "provisional"
    assert css7["rag"] == "green"
    assert css7["direction"] == {"movement": "up", "judgement": "better"}
    assert css7["summary"] == (
        "42.1% in 2017/18 Q3, up 3.2 points on the previous quarter: better, "
        "and above the 40% target."
    )
    efl3, looked_after = body["results"][3], body["results"][0]
    assert (efl3["rag"], efl3["direction"]) == ("red", {"movement": "up", "judgement": "worse"})
    assert looked_after["latest"]["value"] is None
    assert looked_after["latest"]["symbol"] == "[c]"
    assert looked_after["rag"] is None
    assert looked_after["direction"] == {"movement": "not_comparable", "judgement": None}


@pytest.mark.parametrize(
    "query, expected",
    [
        (f"theme={EDUCATION}", ["62", "CSS7", "EFL3"]),
        (f"theme={HEALTH}", ["BPI108"]),
        (f"organisation={CORPORATE}", ["BPI108", "EFL3"]),
        ("frequency=annual", ["BPI108"]),
        ("frequency=quarterly", ["62", "CSS7", "EFL3"]),
        (f"theme={EDUCATION}&organisation={CORPORATE}", ["EFL3"]),
        ("theme=no-such-theme", []),
    ],
)
def test_the_list_filters_by_theme_organisation_and_frequency(client, kpis, query, expected):
    body = get_json(client, f"/api/indicators?{query}")
    assert refs(body) == expected
    assert body["count"] == len(expected)
    rows = get_csv(client, f"/api/indicators.csv?{query}")
    assert [row["indicator"] for row in rows] == expected


def test_the_list_pages_and_next_leads_through_every_page(client, kpis):
    first = get_json(client, "/api/indicators?per_page=3")
    assert (first["count"], first["page"], first["per_page"]) == (4, 1, 3)
    assert refs(first) == ["62", "BPI108", "CSS7"]
    link = urlsplit(first["next"])
    assert link.path == "/api/indicators"
    assert parse_qs(link.query) == {"per_page": ["3"], "page": ["2"]}
    second = get_json(client, first["next"])
    assert refs(second) == ["EFL3"]
    assert second["next"] is None

    seen, url = [], "/api/indicators?per_page=1&theme=" + EDUCATION
    while url:
        body = get_json(client, url)
        assert body["count"] == 3
        seen += refs(body)
        url = body["next"]
        assert url is None or f"theme={EDUCATION}" in url, "next keeps the filters"
    assert seen == ["62", "CSS7", "EFL3"]

    beyond = get_json(client, "/api/indicators?per_page=3&page=3")
    assert (beyond["count"], beyond["results"], beyond["next"]) == (4, [], None)


def test_the_list_as_csv(client, kpis):
    rows = get_csv(client, "/api/indicators.csv")
    assert list(rows[0]) == [
        "indicator",
        "title",
        "theme",
        "organisation",
        "unit",
        "polarity",
        "frequency",
        "latest_period",
        "latest_value",
        "latest_symbol",
        "latest_target",
        "direction",
        "rag",
    ]
    css7 = next(row for row in rows if row["indicator"] == "CSS7")
    assert css7 == {
        "indicator": "CSS7",
        "title": "Children in need with a child protection plan",
        "theme": EDUCATION,
        "organisation": CHILDREN,
        "unit": "%",
        "polarity": "up_is_good",
        "frequency": "quarterly",
        "latest_period": "2017/18 Q3",
        "latest_value": "42.1",
        "latest_symbol": "",
        "latest_target": "40.0",
        "direction": "Getting better",
        "rag": "green",
    }
    looked_after = next(row for row in rows if row["indicator"] == "62")
    assert (looked_after["latest_value"], looked_after["latest_symbol"]) == ("", "[c]")


# -- One indicator -------------------------------------------------------------------------------


def test_an_indicator_with_every_observation(client, kpis):
    body = get_json(client, "/api/indicators/CSS7")
    indicator = body["indicator"]
    assert indicator["ref"] == "CSS7"
    assert indicator["unit"] == "%"
    assert indicator["polarity"] == "up_is_good"
    assert indicator["frequency"] == "quarterly"
    assert indicator["organisation"]["name"] == CHILDREN
    assert indicator["definition"].startswith("The percentage of children in need")
    assert indicator["dataset"] == "http://localhost/datasets/indicator-css7"
    assert body["summary"]["rag"] == "green"
    assert body["summary"]["latest"]["period"] == "2017/18 Q3"
    assert body["csv"] == "http://localhost/api/indicators/CSS7.csv"
    observations = body["observations"]
    assert [o["period"] for o in observations] == QUARTERS
    assert [o["value"] for o in observations] == CSS7_VALUES
    assert observations[0]["period_start"] == "2016-04-01"
    assert observations[0]["period_end"] == "2016-06-30"
    assert observations[-1]["status"] == "provisional"
    assert get_json(client, "/api/indicators/62")["observations"][-1]["symbol"] == "[c]"


@pytest.mark.parametrize(
    "query, periods",
    [
        ("", QUARTERS),
        ("from=2017/18 Q1", QUARTERS[4:]),
        ("from=2017/18", QUARTERS[4:]),  # the financial year: its quarters
        ("to=Q2 2017/18", QUARTERS[:6]),
        ("to=Jul-Sep 2017", QUARTERS[:6]),
        ("from=2016/17 Q3&to=2017/18 Q1", QUARTERS[2:5]),
        ("latest=2", QUARTERS[-2:]),
        ("latest=1", QUARTERS[-1:]),
        ("latest=100", QUARTERS),
        ("from=2016/17&latest=2", QUARTERS[-2:]),
        ("to=2016/17&latest=2", QUARTERS[2:4]),
        ("from=2018/19", []),
        ("from=2017/18 Q3&to=2017/18 Q1", []),
    ],
)
def test_a_series_cut_by_period_as_json_and_csv(client, kpis, query, periods):
    body = get_json(client, f"/api/indicators/CSS7?{query}")
    assert [o["period"] for o in body["observations"]] == periods
    rows = get_csv(client, f"/api/indicators/CSS7.csv?{query}")
    assert [row["period"] for row in rows] == periods
    values = {o["period"]: o["value"] for o in body["observations"]}
    assert {row["period"]: float(row["value"]) for row in rows} == values
    # The headline is always about the latest published figure, whatever the cut.
    assert body["summary"]["latest"]["period"] == "2017/18 Q3"


def test_the_series_csv_is_the_published_file_with_one_row_per_period(client, kpis):
    response = client.get("/api/indicators/CSS7.csv")
    assert response.headers["Content-Disposition"] == ("attachment; filename=css7-observations.csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert list(rows[0]) == [
        "indicator",
        "period",
        "period_start",
        "period_end",
        "value",
        "symbol",
        "unit",
        "numerator",
        "denominator",
        "target",
        "benchmark_england",
        "benchmark_region",
        "benchmark_neighbours",
        "status",
        "note",
    ]
    assert rows[-1]["period"] == "2017/18 Q3"
    assert (rows[-1]["value"], rows[-1]["target"], rows[-1]["status"]) == (
        "42.1",
        "40.0",
        "provisional",
    )
    assert (rows[0]["period_start"], rows[0]["period_end"]) == ("2016-04-01", "2016-06-30")


# -- Errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, parameter",
    [
        ("/api/indicators/CSS7?latest=0", "latest"),
        ("/api/indicators/CSS7?latest=-3", "latest"),
        ("/api/indicators/CSS7?latest=abc", "latest"),
        ("/api/indicators/CSS7?latest=1.5", "latest"),
        ("/api/indicators/CSS7?from=2017/19", "from"),
        ("/api/indicators/CSS7?from=banana", "from"),
        ("/api/indicators/CSS7?to=2017/18 Q5", "to"),
        ("/api/indicators/CSS7?to=Q3 2017", "to"),
        ("/api/indicators/CSS7.csv?latest=0", "latest"),
        ("/api/indicators/CSS7.csv?from=2017/19", "from"),
        ("/api/indicators?page=-1", "page"),
        ("/api/indicators?page=0", "page"),
        ("/api/indicators?page=two", "page"),
        ("/api/indicators?per_page=0", "per_page"),
        ("/api/indicators?per_page=501", "per_page"),
        ("/api/indicators?per_page=lots", "per_page"),
        ("/api/indicators.csv?page=-1", "page"),
    ],
)
def test_a_bad_parameter_is_a_400_that_names_it(client, kpis, url, parameter):
    error = get_json(client, url, status=400)["error"]
    assert error["status"] == 400
    named = error.get("field") == parameter or f"{parameter}:" in error["message"]
    assert named, f"the error does not name {parameter!r}: {error}"
    assert error["message"].strip()


@pytest.mark.parametrize("url", ["/api/indicators/NOPE", "/api/indicators/NOPE.csv"])
def test_an_unknown_indicator_is_a_404_in_json(client, kpis, url):
    error = get_json(client, url, status=404)["error"]
    assert error["status"] == 404
    assert "no published indicator" in error["message"]


# -- Safe CSV ------------------------------------------------------------------------------------


def test_csv_cells_that_would_run_as_formulas_are_neutralised(client, kpis):
    rows = get_csv(client, "/api/indicators/62.csv")
    assert [row["note"] for row in rows[3:]] == [f"'{text}" for text in FORMULAS]
    assert rows[3]["value"] == "-12.0", "a negative number stays a number"
    listed = get_csv(client, "/api/indicators.csv")
    assert next(r for r in listed if r["indicator"] == "BPI108")["title"] == (
        "'=Delayed transfers of care"
    )
    # JSON is not a spreadsheet: it keeps the text exactly as published.
    body = get_json(client, "/api/indicators/62")
    assert [o["note"] for o in body["observations"][3:]] == FORMULAS
