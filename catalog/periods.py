"""Reporting periods as UK councils write them, each with its start and end dates.

Financial years run 1 April to 31 March and their quarters follow them (Q1 is April to June,
Q4 is January to March). Academic years run 1 September to 31 August. Every period has one
canonical code (2017/18, 2017/18 Q3, 2018-01, 2017, AY2017/18) and a plain-English label.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import total_ordering

from catalog.errors import Invalid

FINANCIAL_YEAR = "financial_year"
QUARTER = "quarter"
MONTH = "month"
CALENDAR_YEAR = "calendar_year"
ACADEMIC_YEAR = "academic_year"
KINDS = (FINANCIAL_YEAR, QUARTER, MONTH, CALENDAR_YEAR, ACADEMIC_YEAR)

FIRST_YEAR, LAST_YEAR = 1900, 2099

MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
MONTHS = {name.lower(): n for n, name in enumerate(MONTH_NAMES, 1)}
MONTHS |= {name[:3].lower(): n for n, name in enumerate(MONTH_NAMES, 1)} | {"sept": 9}

# Kind -> (month the year starts in, code pattern, label pattern); {pair} is "2017/18".
YEARLY = {
    FINANCIAL_YEAR: (4, "{pair}", "{pair} financial year"),
    CALENDAR_YEAR: (1, "{year}", "{year}"),
    ACADEMIC_YEAR: (9, "AY{pair}", "{pair} academic year"),
}
# How many of each kind make a year.
PER_YEAR = {QUARTER: 4, MONTH: 12, **dict.fromkeys(YEARLY, 1)}

ACCEPTED_FORMS = (
    "Write a financial year as 2017/18, a quarter as 2017/18 Q3 or Oct-Dec 2017, a month as "
    "2018-01 or January 2018, a calendar year as 2017, or an academic year as AY2017/18."
)


@total_ordering
@dataclass(frozen=True)
class Period:
    """One reporting period. Periods sort by start date (then end date, so a quarter sorts
    before the financial year that begins on the same day)."""

    code: str
    kind: str
    start: date
    end: date
    label: str

    def __str__(self) -> str:
        return self.code

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return (self.start, self.end) < (other.start, other.end)

    @property
    def _position(self) -> tuple[int, int]:
        """(year, number): the financial year and quarter, the calendar year and month, or the
        first year of a yearly period and 1."""
        if self.kind == QUARTER:
            year = self.start.year if self.start.month >= 4 else self.start.year - 1
            return year, (self.start.month - 4) % 12 // 3 + 1
        if self.kind == MONTH:
            return self.start.year, self.start.month
        return self.start.year, 1

    def previous(self) -> Period:
        """The period just before this one, of the same kind (2017/18 Q1 -> 2016/17 Q4)."""
        return self._step(-1)

    def following(self) -> Period:
        """The period just after this one, of the same kind (2017/18 Q4 -> 2018/19 Q1)."""
        return self._step(1)

    def _step(self, by: int) -> Period:
        year, number = self._position
        year, index = divmod(year * PER_YEAR[self.kind] + number - 1 + by, PER_YEAR[self.kind])
        return make_period(self.kind, year, index + 1)

    def year_before(self) -> Period:
        """The same period a year earlier (2017/18 Q3 -> 2016/17 Q3, 2018-01 -> 2017-01)."""
        year, number = self._position
        return make_period(self.kind, year - 1, number)

    @classmethod
    def financial_year(cls, year: int) -> Period:
        return make_period(FINANCIAL_YEAR, year)

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        """`year` starts the financial year: Period.quarter(2017, 4) is January to March 2018."""
        return make_period(QUARTER, year, quarter)

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return make_period(MONTH, year, month)

    @classmethod
    def calendar_year(cls, year: int) -> Period:
        return make_period(CALENDAR_YEAR, year)

    @classmethod
    def academic_year(cls, year: int) -> Period:
        return make_period(ACADEMIC_YEAR, year)


def make_period(kind: str, year: int, number: int = 1) -> Period:
    """Build a period from its kind, its (first) year and, for quarters and months, its number."""
    if kind not in KINDS:
        raise ValueError(f"Unknown kind of period {kind!r}.")
    if not 1 <= number <= PER_YEAR[kind]:
        raise ValueError(f"A {kind.replace('_', ' ')} is numbered 1 to {PER_YEAR[kind]}.")
    if kind in YEARLY:
        first_month, code, label = YEARLY[kind]
        start = date(year, first_month, 1)
    elif kind == MONTH:
        start, code, label = date(year, number, 1), "{year}-{number:02d}", "{first} {year}"
    else:  # Q1 starts in April of the first year, Q4 in January of the second
        start = date(year + (number == 4), number * 3 % 12 + 1, 1)
        code, label = "{pair} Q{number}", "{first} to {last} {start.year} ({pair} Q{number})"
    years, month = divmod(start.month - 1 + 12 // PER_YEAR[kind], 12)
    end = date(start.year + years, month + 1, 1) - timedelta(days=1)
    names: dict[str, object] = {
        "first": MONTH_NAMES[start.month - 1],
        "last": MONTH_NAMES[end.month - 1],
    }
    names |= dict(pair=f"{year}/{(year + 1) % 100:02d}", year=year, number=number, start=start)
    return Period(code.format(**names), kind, start, end, label.format(**names))


def next_period(codes: Iterable[str | None]) -> str:
    """The code of the period after the latest of `codes`, so the next file's form can offer
    it; "" when none is given (or none reads as a period, as a hand-typed old one may not)."""
    periods = []
    for code in codes:
        try:
            periods.append(parse_period(code or ""))
        except Invalid:
            continue
    return max(periods).following().code if periods else ""


# -- Parsing -------------------------------------------------------------------------------------


def _fail(text: str, why: str) -> Invalid:
    return Invalid(f"'{text}' is not a period: {why}", field="period")


def _year(text: str, digits: str) -> int:
    year = int(digits)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise _fail(text, f"years must be between {FIRST_YEAR} and {LAST_YEAR}.")
    return year


def _pair(text: str, m: re.Match[str], what: str = "a financial year") -> int:
    """The first year of a pair such as 2017/18, 2017-18 or 2017/2018, checked to follow on."""
    first, second = _year(text, m["y"]), m["y2"]
    if int(second) != (first + 1 if len(second) == 4 else (first + 1) % 100):
        example = "AY2017/18" if what == "an academic year" else "2017/18"
        raise _fail(text, f"the years of {what} must follow each other, as in {example}.")
    return first


def _follows_on(m: re.Match[str]) -> bool:
    """Whether the two years of a pair follow each other (2010-11 does, 2010-05 does not)."""
    first, second = int(m["y"]), m["y2"]
    return int(second) == (first + 1 if len(second) == 4 else (first + 1) % 100)


def _month_number(text: str, name: str) -> int:
    if name.rstrip(".") not in MONTHS:
        raise _fail(text, f"'{name}' is not a month; write Jan or January.")
    return MONTHS[name.rstrip(".")]


def _month(text: str, m: re.Match[str], academic: bool) -> Period:
    number = int(m["m"]) if m["m"].isdigit() else _month_number(text, m["m"])
    return make_period(MONTH, _year(text, m["y"]), number)


def _calendar_year(text: str, m: re.Match[str], academic: bool) -> Period:
    return make_period(CALENDAR_YEAR, _year(text, m["y"]))


def _financial_year(text: str, m: re.Match[str], academic: bool) -> Period:
    return make_period(FINANCIAL_YEAR, _pair(text, m))


def _academic_year(text: str, m: re.Match[str], academic: bool) -> Period:
    return make_period(ACADEMIC_YEAR, _pair(text, m, "an academic year"))


def _bare_pair(text: str, m: re.Match[str], academic: bool) -> Period:
    return (_academic_year if academic else _financial_year)(text, m, academic)


def _quarter(text: str, m: re.Match[str], academic: bool) -> Period:
    if not 1 <= int(m["q"]) <= 4:
        raise _fail(text, "a quarter is numbered 1 to 4, as in 2017/18 Q3.")
    return make_period(QUARTER, _pair(text, m), int(m["q"]))


def _month_range(text: str, m: re.Match[str], academic: bool) -> Period:
    first, last = _month_number(text, m["m1"]), _month_number(text, m["m2"])
    if first not in (1, 4, 7, 10) or last != first + 2:
        raise _fail(
            text,
            "a range of months must be a quarter of the financial year: Apr-Jun, Jul-Sep, "
            "Oct-Dec or Jan-Mar, as in Oct-Dec 2017.",
        )
    number = (first - 4) % 12 // 3 + 1
    return make_period(QUARTER, _year(text, m["y"]) - (number == 4), number)


def _quarter_without_pair(text: str, m: re.Match[str], academic: bool) -> Period:
    raise _fail(
        text,
        "a quarter needs its financial year, as in 2017/18 Q3 or Q3 2017/18 (Q1 is April to June).",
    )


PAIR = r"(?P<y>\d{4})\s*[/-]\s*(?P<y2>\d{4}|\d{2})"
YEAR = r"(?P<y>\d{4})"
QUARTER_NUMBER = r"(?:q|qtr|quarter)\s*(?P<q>\d)"
MONTH_NAME = r"[a-z]+\.?"

Parser = Callable[[str, re.Match[str], bool], Period]

# Tried in order against the lower-cased text; the first full match decides.
RULES: list[tuple[str, Parser]] = [
    # YYYY-MM is always a month, so 2011-12 is December 2011, never the 2011/12 financial year.
    (r"(?P<y>\d{4})-(?P<m>0[1-9]|1[0-2])", _month),
    (r"(?P<m>0?[1-9]|1[0-2])/(?P<y>\d{4})", _month),
    (PAIR, _bare_pair),
    (rf"(?:fy|financial year)\s*{PAIR}", _financial_year),
    (rf"{PAIR}\s*financial year", _financial_year),
    (rf"(?:ay|academic year)\s*{PAIR}", _academic_year),
    (rf"{PAIR}\s*academic year", _academic_year),
    (rf"{QUARTER_NUMBER}\s*{PAIR}", _quarter),
    (rf"{PAIR}\s*{QUARTER_NUMBER}", _quarter),
    (r"(?:q|qtr|quarter)\s*\d\s*\d{4}|\d{4}\s*(?:q|qtr|quarter)\s*\d", _quarter_without_pair),
    (rf"(?P<m1>{MONTH_NAME})\s*(?:-|to)\s*(?P<m2>{MONTH_NAME})\s*{YEAR}", _month_range),
    (rf"(?P<m>{MONTH_NAME})\s*{YEAR}", _month),
    (YEAR, _calendar_year),
]
COMPILED = [(re.compile(pattern), parse) for pattern, parse in RULES]
BARE_PAIR = re.compile(PAIR)


def parse_period(text: str, *, academic: bool = False, yearly: bool = False) -> Period:
    """Read a period as councils write it. With academic=True a bare 2017/18 is an academic year.
    With yearly=True (a series of whole years) 2010-11 is the 2010/11 year, never November 2010.

    Raises Invalid(field="period") saying what was wrong and how to write it.
    """
    shown = " ".join(str(text or "").split())
    if not shown:
        raise Invalid(f"A period is needed. {ACCEPTED_FORMS}", field="period")
    normal = re.sub(r"[\u2010-\u2015\u2212]", "-", shown.lower())
    if yearly and (match := BARE_PAIR.fullmatch(normal)) and _follows_on(match):
        return _bare_pair(shown, match, academic)
    for pattern, parse in COMPILED:
        match = pattern.fullmatch(normal)
        if match:
            return parse(shown, match, academic)
    raise _fail(shown, f"it is not a form we recognise. {ACCEPTED_FORMS}")
