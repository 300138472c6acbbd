"""KPI charts as SVG: valid documents a screen reader can name, lines that never bridge a gap,
and every figure, symbol and reference line where a reader expects it."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import pytest

from opendata.charts import ChartData, ChartPoint, line_chart_svg, nice_ticks, sparkline_svg

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    """Parse as a browser would receive it: UTF-8 bytes, which need no XML declaration."""
    assert svg.startswith("<svg ")
    root = ET.fromstring(svg.encode("utf-8"))
    assert root.tag == f"{SVG}svg"
    return root


def find_all(root: ET.Element, tag: str, css: str | None = None) -> list[ET.Element]:
    found = root.iter(f"{SVG}{tag}")
    return [e for e in found if css is None or css in e.get("class", "").split()]


def own_text(element: ET.Element) -> str:
    """An element's visible words, leaving out any tooltip <title> inside it."""
    return (element.text or "") + "".join(child.tail or "" for child in element)


def texts(root: ET.Element) -> list[str]:
    return [own_text(e) for e in find_all(root, "text")]


def chart(values, *, unit="%", decimals=1, title="CSS7: Children in need with a plan", **extra):
    quarters = [f"{2017 + i // 4}/{(18 + i // 4) % 100:02d} Q{i % 4 + 1}" for i in range(40)]
    points = [ChartPoint(quarters[i], value) for i, value in enumerate(values)]
    return ChartData(title, "Up on last quarter.", unit, decimals, points, **extra)


def points_chart(points, **extra):
    return ChartData("Indicator", "A sentence.", "%", 1, points, **extra)


def path_d(root: ET.Element, css: str) -> str:
    (path,) = find_all(root, "path", css)
    return path.get("d")


def test_chart_is_named_by_its_title_and_description():
    data = chart([40.2, 41.9, 42.1])
    for svg in (line_chart_svg(data), sparkline_svg(data)):
        root = parse(svg)
        assert root.get("role") == "img" and root.get("version") == "1.1"
        title_id, desc_id = root.get("aria-labelledby").split()
        (title,) = [e for e in root if e.tag == f"{SVG}title"]
        (desc,) = [e for e in root if e.tag == f"{SVG}desc"]
        assert (title.get("id"), title.text) == (title_id, "CSS7: Children in need with a plan")
        assert (desc.get("id"), desc.text) == (desc_id, "Up on last quarter.")
        assert root[0] is title, "the title comes first, where assistive technology looks"


def test_ids_differ_between_charts_that_share_a_page():
    one, two = chart([1.0], title="CSS7"), chart([1.0], title="CSS8")
    labels = [
        parse(svg).get("aria-labelledby")
        for svg in (line_chart_svg(one), line_chart_svg(two), sparkline_svg(one))
    ]
    ids = [i for label in labels for i in label.split()]
    assert len(set(ids)) == len(ids) == 6
    assert all(re.fullmatch(r"[a-z]+-[0-9a-f]{8}-(title|desc)", i) for i in ids)


def test_special_characters_are_escaped():
    title = 'Rent & "service" charges <over> £1,000\x07'
    data = ChartData(title, "Tom's <b>bold</b> & more", "£", 0, [ChartPoint("2017/18", 1250)])
    for svg in (line_chart_svg(data), sparkline_svg(data)):
        root = parse(svg)  # the words are text, so no element of theirs, such as <b>, exists
        assert {element.tag.rpartition("}")[2] for element in root.iter()}.isdisjoint({"b", "over"})
        assert root.find(f"{SVG}title").text == 'Rent & "service" charges <over> £1,000'
        assert root.find(f"{SVG}desc").text == "Tom's <b>bold</b> & more"
    assert "£1,250" in find_all(parse(line_chart_svg(data)), "circle")[0].find(f"{SVG}title").text


def test_one_marker_per_published_value_with_its_figure_as_a_tooltip():
    root = parse(line_chart_svg(chart([40.2, None, 42.1, math.nan, 38.0])))
    markers = find_all(root, "circle", "kpi-marker")
    assert len(markers) == 3
    tips = [m.find(f"{SVG}title").text for m in markers]
    assert tips == ["2017/18 Q1: 40.2%", "2017/18 Q3: 42.1%", "2018/19 Q1: 38.0%"]


def test_the_line_breaks_at_a_missing_value():
    broken = path_d(parse(line_chart_svg(chart([40.2, 41.0, None, 42.1, 43.0]))), "kpi-value")
    assert broken.count("M") == 2 and broken.count("L") == 2
    whole = path_d(parse(line_chart_svg(chart([40.2, 41.0, 42.1]))), "kpi-value")
    assert whole.count("M") == 1 and whole.count("L") == 2


def test_provisional_markers_are_hollow_and_say_so():
    data = points_chart(
        [ChartPoint("2017/18", 40.0), ChartPoint("2018/19", 41.0, provisional=True)]
    )
    root = parse(line_chart_svg(data))
    final, provisional = find_all(root, "circle", "kpi-marker")
    assert final.get("fill") == "#1d70b8" and "provisional" not in final.find(f"{SVG}title").text
    assert provisional.get("fill") == "#ffffff" and provisional.get("stroke") == "#1d70b8"
    assert provisional.find(f"{SVG}title").text == "2018/19: 41.0% (provisional)"
    assert "Provisional" in texts(root)
    assert "Provisional" not in texts(parse(line_chart_svg(chart([40.0, 41.0]))))


def test_withheld_values_show_their_symbol_on_the_axis():
    data = points_chart(
        [
            ChartPoint("2016/17", 40.0),
            ChartPoint("2017/18", None, "[c]"),
            ChartPoint("2018/19", None),
        ]
    )
    root = parse(line_chart_svg(data))
    withheld = find_all(root, "text", "kpi-withheld")
    assert [own_text(w) for w in withheld] == ["[c]", "[x]"]
    assert "small enough to identify people" in withheld[0].find(f"{SVG}title").text
    assert len(find_all(root, "circle", "kpi-marker")) == 1


def test_target_and_benchmark_lines_and_legend_only_when_given():
    plain = parse(line_chart_svg(chart([40.0, 42.0])))
    assert not find_all(plain, "path", "kpi-target") and not find_all(
        plain, "path", "kpi-benchmark"
    )
    assert "Target" not in texts(plain) and "Benchmark" not in texts(plain)
    assert "Actual" in texts(plain)

    points = [
        ChartPoint("2016/17", 40.0, target=40, benchmark=38.5),
        ChartPoint("2017/18", 42.0, target=40, benchmark=39.0),
        ChartPoint("2018/19", 43.0, target=45, benchmark=39.5),
    ]
    root = parse(line_chart_svg(points_chart(points, benchmark_label="England average")))
    (target,) = find_all(root, "path", "kpi-target")
    (benchmark,) = find_all(root, "path", "kpi-benchmark")
    assert target.get("stroke-dasharray") == "8 4" and target.get("stroke") == "#0b0c0c"
    assert benchmark.get("stroke-dasharray") == "1 5" and benchmark.get("stroke") == "#505a5f"
    assert target.get("d").count("V") == 1, "a step where the target changes"
    assert {"Actual", "Target", "England average"} <= set(texts(root))
    legend_lines = find_all(root.find(f".//{SVG}g[@class='kpi-legend']"), "line")
    assert len({line.get("stroke-dasharray") for line in legend_lines}) == 3, "styles differ"


def test_y_axis_has_four_to_six_nice_ticks_with_unit_labels():
    root = parse(line_chart_svg(chart([12.2, 31.9, 44.1])))
    labels = [e.text for e in find_all(root.find(f".//{SVG}g[@class='kpi-y-axis']"), "text")]
    assert labels == ["0%", "10%", "20%", "30%", "40%", "50%"]
    close = parse(line_chart_svg(chart([40.2, 41.9, 44.1])))
    labels = [e.text for e in find_all(close.find(f".//{SVG}g[@class='kpi-y-axis']"), "text")]
    assert labels == ["40%", "41%", "42%", "43%", "44%", "45%"]
    money = parse(line_chart_svg(chart([-320.5, 210.25], unit="£", decimals=2)))
    labels = [e.text for e in find_all(money.find(f".//{SVG}g[@class='kpi-y-axis']"), "text")]
    assert labels == ["-£400", "-£200", "£0", "£200", "£400"]


def test_large_counts_get_thousands_separators_and_room():
    root = parse(line_chart_svg(chart([1_250_000, 1_480_000, 1_700_000], unit="count", decimals=0)))
    labels = [e.text for e in find_all(root.find(f".//{SVG}g[@class='kpi-y-axis']"), "text")]
    assert "1,500,000" in labels
    left = float(find_all(root, "line")[0].get("x1"))
    assert left >= len("1,500,000") * 7, "tick labels fit left of the plot"


@pytest.mark.parametrize(
    ("lo", "hi", "min_step"),
    [(0, 47.8, 0.1), (38.5, 47.8, 0.1), (-320.5, 210.25, 0.01), (0, 1, 1), (0, 2, 1),
     (0, 0.003, 0.001), (1_200_000, 1_700_000, 1), (1000.2, 1000.4, 1), (-5, 0, 1)],
)  # fmt: skip
def test_nice_ticks_cover_the_range_in_round_steps(lo, hi, min_step):
    ticks, decimals = nice_ticks(lo, hi, min_step)
    step = ticks[1] - ticks[0]
    assert 4 <= len(ticks) <= 6
    assert ticks[0] <= lo and ticks[-1] >= hi
    assert step >= min_step * 0.999
    mantissa = step / 10 ** math.floor(math.log10(step) + 1e-9)
    assert any(math.isclose(mantissa, m) for m in (1, 2, 5))
    assert all(math.isclose(b - a, step) for a, b in zip(ticks, ticks[1:], strict=False))
    assert decimals == max(0, -math.floor(math.log10(step) + 1e-9))


def test_the_axis_starts_at_zero_unless_values_are_far_from_it():
    near = parse(line_chart_svg(chart([12.0, 30.0])))
    far = parse(line_chart_svg(chart([91.0, 93.5])))
    first = [
        find_all(r.find(f".//{SVG}g[@class='kpi-y-axis']"), "text")[0].text for r in (near, far)
    ]
    assert first[0] == "0%" and first[1] != "0%"


def test_period_labels_are_thinned_so_they_never_overlap():
    data = chart([40.0 + i % 7 for i in range(40)])
    root = parse(line_chart_svg(data))
    labels = find_all(root.find(f".//{SVG}g[@class='kpi-x-axis']"), "text")
    xs = [float(label.get("x")) for label in labels]
    assert 3 <= len(labels) < 40
    assert min(b - a for a, b in zip(xs, xs[1:], strict=False)) >= len("2017/18 Q1") * 7
    assert labels[-1].text == data.points[-1].period, "the latest period is always named"
    assert all(float(x) <= 640 for x in xs)


@pytest.mark.parametrize(
    "values",
    [[], [42.1], [None, None], [7, 7, 7], [-3.5, -1.25, -2.0], [0, 0], [5_000_000_000, 1]],
    ids=["empty", "single", "all-none", "all-equal", "negative", "all-zero", "huge"],
)
@pytest.mark.parametrize("decimals", [0, 1, 2, 3])
def test_awkward_series_render(values, decimals):
    data = chart(values, decimals=decimals)
    for svg in (line_chart_svg(data), sparkline_svg(data)):
        root = parse(svg)
        assert not re.search(r"nan|inf", svg, re.IGNORECASE)
        assert root.get("width") and root.find(f"{SVG}title") is not None
    root = parse(line_chart_svg(data))
    assert len(find_all(root, "circle", "kpi-marker")) == sum(v is not None for v in values)
    assert ("No data yet" in texts(root)) == (not values)


def test_negative_values_draw_a_dark_zero_line():
    root = parse(line_chart_svg(chart([-3.5, 2.0], unit="count")))
    zero = [
        line
        for line, text in zip(
            find_all(root.find(f".//{SVG}g[@class='kpi-y-axis']"), "line"),
            find_all(root.find(f".//{SVG}g[@class='kpi-y-axis']"), "text"),
            strict=True,
        )
        if text.text == "0"
    ]
    assert [line.get("stroke") for line in zero] == ["#0b0c0c"]


def test_text_is_arial_at_twelve_pixels_or_more():
    points = [ChartPoint("2017/18", 1.0, target=2.0, benchmark=1.5)]
    root = parse(line_chart_svg(points_chart(points, benchmark_label="England")))
    assert root.get("font-family") == "Arial, sans-serif"
    sizes = [float(e.get("font-size")) for e in root.iter() if e.get("font-size")]
    assert sizes and min(sizes) >= 12


def test_unit_without_its_own_sign_is_named_above_the_axis():
    root = parse(line_chart_svg(chart([8.5, 9.25], unit="days", decimals=2)))
    assert "days" in texts(root)
    rate = parse(line_chart_svg(chart([53.2], unit="rate per 1,000")))
    assert "per 1,000" in texts(rate)
    marker = find_all(root, "circle", "kpi-marker")[0]
    assert marker.find(f"{SVG}title").text == "2017/18 Q1: 8.50 days"


def test_sparkline_has_no_text_breaks_at_gaps_and_marks_the_latest_value():
    data = chart([40.0, 41.0, None, 43.0, 44.0, None])
    root = parse(sparkline_svg(data))
    assert not find_all(root, "text")
    assert root.get("width") == "120" and root.get("height") == "32"
    assert path_d(root, "kpi-value").count("M") == 2
    (dot,) = find_all(root, "circle")
    last_x = path_d(root, "kpi-value").split()[-2].lstrip("ML")
    assert dot.get("cx") == last_x, "the dot sits on the latest published value"
    assert find_all(parse(sparkline_svg(chart([]))), "path") == []


def test_output_is_deterministic():
    points = [
        ChartPoint("2017/18 Q1", 40.2, target=40, benchmark=39.1),
        ChartPoint("2017/18 Q2", None, "[c]", target=40),
        ChartPoint("2017/18 Q3", 1 / 3, provisional=True, target=45),
    ]
    data = points_chart(points, benchmark_label="England average")
    copy = points_chart(list(points), benchmark_label="England average")
    assert line_chart_svg(data) == line_chart_svg(copy)
    assert sparkline_svg(data) == sparkline_svg(copy)
    assert line_chart_svg(data, width=480) != line_chart_svg(data)
