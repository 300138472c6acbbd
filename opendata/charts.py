"""KPI series drawn as accessible SVG on the server, so a chart needs no JavaScript, works in an
<img> on another site, and reads the same to a screen reader as the figures on the page.

Output is plain text built from the standard library: same input, byte-identical output, so
ETags work. Values are formatted by catalog.indicators.performance so a chart never disagrees
with the sentence beside it.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from xml.sax.saxutils import escape

from catalog.indicators.performance import SYMBOL_MEANINGS, format_value

# GOV.UK palette: lines, markers and text have at least 3:1 contrast against white; MID_GREY
# is only for gridlines, which carry no data.
BLUE, BLACK, GREY, MID_GREY, WHITE = "#1d70b8", "#0b0c0c", "#505a5f", "#b1b4b6", "#ffffff"
# Legends name every line and draw it in its own style, so nothing relies on colour alone.
VALUE_STYLE = {"stroke": BLUE, "stroke_width": 3, "stroke_linejoin": "round"}
TARGET_STYLE = {"stroke": BLACK, "stroke_width": 2, "stroke_dasharray": "8 4"}
DOTTED = {"stroke_dasharray": "1 5", "stroke_linecap": "round"}
BENCHMARK_STYLE = {"stroke": GREY, "stroke_width": 2.5, **DOTTED}
YEAR_STYLE = {"stroke": GREY, "stroke_width": 2, "stroke_dasharray": "2 3 10 3"}
CHAR_WIDTH = 7.0  # rough advance of a 12px Arial character: layout without font metrics
LEGEND_CHAR_WIDTH, LEGEND_ROW = 8.2, 22  # the legend's text is 14px
# Units whose tick labels carry their own sign; any other unit is named once above the axis.
SELF_LABELLED_UNITS = ("%", "£", "count")
FIELDS = ("value", "target", "benchmark", "year")
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class ChartPoint:
    period: str  # canonical period code, e.g. "2017/18 Q3", shown on the x axis
    value: float | None  # None when withheld: symbol says why
    # GSS symbol "[c]" suppressed, "[x]" not available, "[z]" not applicable
    symbol: str | None = None
    provisional: bool = False
    target: float | None = None
    benchmark: float | None = None
    # The figure for the whole year this period falls in, where the series gives one beside
    # its quarters or months: drawn as its own level across the year, never on the value line.
    year: float | None = None


@dataclass(frozen=True)
class ChartData:
    title: str  # e.g. "CSS7: Percentage of children in need with a plan"
    description: str  # a plain-English summary sentence supplied by the caller
    unit: str  # "%", "count", "£", "days", "per 1,000", ...
    decimals: int
    points: list[ChartPoint]  # oldest first
    benchmark_label: str | None = None  # e.g. "England average"
    series_label: str = "Actual"  # what the legend calls the solid line
    year_label: str = "Whole year"  # what the legend calls the year's figures


@dataclass(frozen=True)
class _Frame:
    """The plot area and the value range it shows. Banded frames centre each period in its own
    slot (a line chart: room for step lines and labels); others spread points edge to edge."""

    left: float
    top: float
    right: float
    bottom: float
    lo: float
    hi: float
    count: int
    banded: bool = True

    @property
    def band(self) -> float:
        return (self.right - self.left) / max(self.count, 1)

    def x(self, index: int) -> float:
        if self.banded:
            return self.left + (index + 0.5) * self.band
        if self.count < 2:
            return (self.left + self.right) / 2
        return self.left + index * (self.right - self.left) / (self.count - 1)

    def y(self, value: float) -> float:
        return self.bottom - (value - self.lo) / (self.hi - self.lo) * (self.bottom - self.top)


def line_chart_svg(data: ChartData, *, width: int = 640, height: int = 320) -> str:
    """A full chart for an indicator page: axes, the value line, target, benchmark, legend."""
    ids = _ids("chart", data.title)
    if not data.points:
        message = _tag("text", "No data yet", x=width / 2, y=height / 2, text_anchor="middle")
        return _document(data, ids, width, height, [message])
    decimals = _decimals(data)
    ticks, tick_decimals = nice_ticks(*_domain(data), 10.0**-decimals)
    tick_labels = [_tick_text(tick, data.unit, tick_decimals) for tick in ticks]
    legend, legend_rows = _legend(data, width)
    frame = _layout(data, tick_labels, legend_rows, width, height, ticks)
    values = [_number(point.value) for point in data.points]
    body = [_y_axis(frame, ticks, tick_labels, data.unit), _x_axis(frame, data.points)]
    body += _reference_lines(data, frame)
    if line := _line_path(frame, values):
        body.append(_tag("path", d=line, fill="none", class_="kpi-value", **VALUE_STYLE))
    body += [_point(frame, i, point, data) for i, point in enumerate(data.points)]
    return _document(data, ids, width, height, body + [legend])


def sparkline_svg(data: ChartData, *, width: int = 120, height: int = 32) -> str:
    """A word-sized trend for tables and embeds: no axes or text, gaps left as gaps, and a dot
    on the latest value so the eye knows where "now" is."""
    values = [_number(point.value) for point in data.points]
    present = [(i, v) for i, v in enumerate(values) if v is not None]
    body: list[str] = []
    if present:
        lo, hi = min(v for _, v in present), max(v for _, v in present)
        lo, hi = (lo - 1, hi + 1) if lo == hi else (lo, hi)  # a flat line sits in the middle
        frame = _Frame(4, 4, width - 4, height - 4, lo, hi, len(values), banded=False)
        if line := _line_path(frame, values):
            style = {**VALUE_STYLE, "stroke_width": 1.5}
            body.append(_tag("path", d=line, fill="none", class_="kpi-value", **style))
        index, value = present[-1]
        fill = WHITE if data.points[index].provisional else BLUE
        dot = {"cx": frame.x(index), "cy": frame.y(value), "r": 3, "fill": fill}
        body.append(_tag("circle", class_="kpi-latest", stroke=BLUE, stroke_width=1.5, **dot))
    return _document(data, _ids("spark", data.title), width, height, body)


def nice_ticks(lo: float, hi: float, min_step: float) -> tuple[list[float], int]:
    """4 to 6 round ticks covering lo..hi (step 1, 2 or 5 x 10^n, never finer than the data's
    own precision, so counts never get 0.5), and how many decimals their labels need."""
    span = hi - lo
    exponent = math.floor(math.log10(span / 5))
    while True:
        for multiple in (1, 2, 5):
            step = multiple * 10.0**exponent
            first = math.floor(lo / step + 1e-9)
            last = math.ceil(hi / step - 1e-9)
            if step >= min_step * (1 - 1e-9) and last - first <= 5:
                last = max(last, first + 3)  # too few: add round steps above the data
                ticks = [round(k * step, 12) for k in range(first, last + 1)]
                return ticks, max(0, -math.floor(math.log10(step) + 1e-9))
        exponent += 1


def _domain(data: ChartData) -> tuple[float, float]:
    """The range to show: every value, target and benchmark, stretched to zero unless all of
    them are far from it (a line from 0 exaggerates nothing; 91% to 93% needs no zero)."""
    shown = [_number(getattr(p, field)) for p in data.points for field in FIELDS]
    numbers = [n for n in shown if n is not None]
    if not numbers:
        return 0.0, 1.0
    lo, hi = min(numbers), max(numbers)
    if lo > 0 and (lo <= hi / 2 or lo == hi):
        lo = 0.0
    elif hi < 0 and (hi >= lo / 2 or lo == hi):
        hi = 0.0
    return (lo, hi) if lo < hi else (0.0, 1.0)


def _layout(data, tick_labels, legend_rows, width, height, ticks) -> _Frame:
    """Margins from the longest labels, so big counts and long periods are never clipped."""
    period_width = max(len(p.period) for p in data.points) * CHAR_WIDTH
    left = max(max(len(t) for t in tick_labels) * CHAR_WIDTH + 16, period_width / 2 + 4)
    right = width - max(16, period_width / 2 + 4)
    top = legend_rows * LEGEND_ROW + (16 if data.unit in SELF_LABELLED_UNITS else 36)
    bottom = height - 36
    right, bottom = max(right, left + 1), max(bottom, top + 1)
    return _Frame(left, top, right, bottom, ticks[0], ticks[-1], len(data.points))


def _y_axis(frame: _Frame, ticks: list[float], labels: list[str], unit: str) -> str:
    """Gridlines with labels; the zero line is dark so negative values read as negative."""
    parts = []
    for tick, label in zip(ticks, labels, strict=True):
        y = frame.y(tick)
        colour = BLACK if tick == 0 else MID_GREY
        parts.append(_tag("line", x1=frame.left, x2=frame.right, y1=y, y2=y, stroke=colour))
        parts.append(_tag("text", _text(label), x=frame.left - 8, y=y + 4, text_anchor="end"))
    if unit not in SELF_LABELLED_UNITS:
        parts.append(_tag("text", _text(unit.removeprefix("rate ")), x=8, y=frame.top - 14))
    return _tag("g", "".join(parts), class_="kpi-y-axis")


def _x_axis(frame: _Frame, points: list[ChartPoint]) -> str:
    """The axis line and period labels: every k-th label, counted back from the latest so the
    newest period is always named, and k chosen so labels never overlap."""
    label_width = max(len(p.period) for p in points) * CHAR_WIDTH + 10
    every = max(1, math.ceil(label_width / frame.band))
    y = frame.bottom
    parts = [_tag("line", x1=frame.left, x2=frame.right, y1=y, y2=y, stroke=BLACK)]
    for i, point in enumerate(points):
        if (len(points) - 1 - i) % every == 0:
            x = frame.x(i)
            parts.append(_tag("line", x1=x, x2=x, y1=y, y2=y + 5, stroke=BLACK))
            parts.append(_tag("text", _text(point.period), x=x, y=y + 20, text_anchor="middle"))
    return _tag("g", "".join(parts), class_="kpi-x-axis")


def _line_path(frame: _Frame, values: list[float | None]) -> str:
    """Path data that lifts the pen at every missing value: a line through a gap would invent
    a figure nobody published."""
    parts = []
    for i, value in enumerate(values):
        if value is not None:
            command = "L" if i and values[i - 1] is not None else "M"
            parts.append(f"{command}{_num(frame.x(i))} {_num(frame.y(value))}")
    return " ".join(parts)


def _step_path(frame: _Frame, levels: list[float | None]) -> str:
    """A level held across each period's slot, stepping where it changes: targets are set per
    year, so a sloped line between them would show targets that never existed."""
    parts, previous = [], None
    for i, level in enumerate(levels):
        if level is not None:
            y, x_end = _num(frame.y(level)), _num(frame.x(i) + frame.band / 2)
            if previous is None:
                parts.append(f"M{_num(frame.x(i) - frame.band / 2)} {y}")
            elif level != previous:
                parts.append(f"V{y}")
            parts.append(f"H{x_end}")
        previous = level
    return " ".join(parts)


def _reference_lines(data: ChartData, frame: _Frame) -> list[str]:
    """Target (dashed), benchmark (dotted) and whole-year (dash-dot) levels, drawn under the
    values."""
    lines = []
    styles = (("target", TARGET_STYLE), ("benchmark", BENCHMARK_STYLE), ("year", YEAR_STYLE))
    for field, style in styles:
        if path := _step_path(frame, [_number(getattr(p, field)) for p in data.points]):
            lines.append(_tag("path", d=path, fill="none", class_=f"kpi-{field}", **style))
    return lines


def _point(frame: _Frame, i: int, point: ChartPoint, data: ChartData) -> str:
    """A circle per published value, hollow when provisional, whose tooltip gives the figure.
    A missing value gets its GSS symbol on the axis instead (no symbol means not available), so
    a gap is explained, not silent; in narrow slots symbols alternate height to stay apart."""
    x, value, provisional = frame.x(i), _number(point.value), point.provisional
    if value is None:
        symbol = (point.symbol or "[x]").strip()
        meaning = SYMBOL_MEANINGS.get(symbol.lower())
        tip = f"{point.period}: no figure {symbol}" + (f", {meaning}" if meaning else "")
        y = frame.bottom - 6 - (14 if frame.band < 26 and i % 2 else 0)
        inner = _tag("title", _text(tip)) + _text(symbol)
        return _tag("text", inner, x=x, y=y, text_anchor="middle", class_="kpi-withheld")
    tip = f"{point.period}: {format_value(value, data.unit, _decimals(data))}"
    tip += " (provisional)" if provisional else ""
    style = {"fill": WHITE if provisional else BLUE, "stroke": BLUE, "stroke_width": 2}
    css = "kpi-marker kpi-provisional" if provisional else "kpi-marker"
    return _tag(
        "circle", _tag("title", _text(tip)), cx=x, cy=frame.y(value), r=4.5, class_=css, **style
    )


def _legend(data: ChartData, width: int) -> tuple[str, int]:
    """Each line's style drawn beside its name, across the top where it is read first, wrapping
    onto more rows when too wide. Returns the markup and the number of rows."""
    provisional = any(p.provisional and _number(p.value) is not None for p in data.points)
    items = [
        (data.series_label, VALUE_STYLE, BLUE, _has(data, "value")),
        ("Provisional", None, WHITE, provisional),
        ("Target", TARGET_STYLE, None, _has(data, "target")),
        (data.benchmark_label or "Benchmark", BENCHMARK_STYLE, None, _has(data, "benchmark")),
        (data.year_label, YEAR_STYLE, None, _has(data, "year")),
    ]
    shown = [item[:3] for item in items if item[3]]
    parts, x, y = [], 16.0, 22
    for label, style, dot in shown:
        item_width = 56 + len(label) * LEGEND_CHAR_WIDTH
        if x > 16 and x + item_width > width - 16:
            x, y = 16.0, y + LEGEND_ROW
        if style:
            parts.append(_tag("line", x1=x, x2=x + 28, y1=y - 5, y2=y - 5, **style))
        if dot:
            circle = {"cx": x + 14, "cy": y - 5, "r": 4.5, "stroke": BLUE, "stroke_width": 2}
            parts.append(_tag("circle", fill=dot, **circle))
        parts.append(_tag("text", _text(label), x=x + 36, y=y))
        x += item_width
    legend = _tag("g", "".join(parts), class_="kpi-legend", font_size=14)
    return legend, (y - 22) // LEGEND_ROW + 1 if shown else 0


def _document(data: ChartData, ids: tuple[str, str], width: int, height: int, body) -> str:
    """A standalone SVG 1.1 file named by its <title> and <desc>, on white so the contrast
    holds whatever page embeds it. No XML declaration: UTF-8 is XML's default, and without one
    the same text can also be pasted inline into an HTML page."""
    title_id, desc_id = ids
    head = _tag("title", _text(data.title), id=title_id)
    head += _tag("desc", _text(data.description), id=desc_id)
    head += _tag("rect", width=width, height=height, fill=WHITE)
    root = {"xmlns": "http://www.w3.org/2000/svg", "version": "1.1", "width": width}
    root |= {"height": height, "viewBox": f"0 0 {width} {height}", "role": "img"}
    root |= {"aria_labelledby": f"{title_id} {desc_id}", "font_family": "Arial, sans-serif"}
    svg = _tag("svg", "\n".join([head, *filter(None, body)]), **root, font_size=12, fill=BLACK)
    return svg + "\n"


def _has(data: ChartData, field: str) -> bool:
    return any(_number(getattr(point, field)) is not None for point in data.points)


def _ids(kind: str, title: str) -> tuple[str, str]:
    """Ids for <title> and <desc> that differ between charts sharing a page, yet are stable."""
    suffix = hashlib.blake2s(f"{kind}:{title}".encode(), digest_size=4).hexdigest()
    return f"{kind}-{suffix}-title", f"{kind}-{suffix}-desc"


def _tag(name: str, inner: str = "", /, **attributes: object) -> str:
    """One element; attribute names use _ for - (class_ for class), numbers get _num."""
    attrs = "".join(
        f' {k.rstrip("_").replace("_", "-")}="{_attr(v)}"' for k, v in attributes.items()
    )
    return f"<{name}{attrs}>{inner}</{name}>" if inner else f"<{name}{attrs}/>"


def _attr(value) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _num(value)
    return escape(str(value), {'"': "&quot;"})


def _text(value: str) -> str:
    """Caller text made safe for XML: escaped, and stripped of characters XML cannot hold."""
    return escape(NOT_XML.sub("", str(value)))


def _num(value: float) -> str:
    """Coordinates to 2 decimals without trailing zeros: small, and stable across runs."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _number(value: float | None) -> float | None:
    """A plottable float, or None for missing, NaN and infinite values."""
    if value is None or isinstance(value, bool) or not math.isfinite(value):
        return None
    return float(value)


def _decimals(data: ChartData) -> int:
    """format_value needs 0 or more; past 6 nobody can read the figure anyway."""
    return min(max(int(data.decimals), 0), 6)


def _tick_text(tick: float, unit: str, decimals: int) -> str:
    """Axis labels: 40%, £1,500, 12,000; other units are named once above the axis."""
    if unit in ("%", "£"):
        return format_value(tick, unit, decimals)
    return f"{tick:,.{decimals}f}"
