"""Every row of the KPI store checked before anything is published, with plain-English reasons.

A figure published wrong is worse than a figure published late: a negative count, a period
read as the wrong kind, or two figures for one quarter would reach residents as fact. So the
source checks every approved row of every indicator it would publish, and any row it cannot
vouch for vetoes the whole run. Each problem names the indicator, the period and the value as
the officer wrote them, so the KPI team can find the row and put it right. The store's columns
and what they may hold are in docs/kpi-store.md.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass

from catalog.errors import Invalid
from catalog.periods import (
    ACADEMIC_YEAR,
    CALENDAR_YEAR,
    FINANCIAL_YEAR,
    MONTH,
    QUARTER,
    Period,
    parse_period,
)
from publishers.batches import Problem
from publishers.kpi_store import KpiIndicator, KpiValue, Written

# Units whose figures count people or households: never negative, and protected by disclosure
# control whatever the store's people flag says.
PEOPLE_UNITS = {"people", "persons", "children", "adults", "pupils", "families", "households"}
COUNT_UNITS = {"count", "number"} | PEOPLE_UNITS
# The kinds of period each frequency may hold: its own, and coarser ones of the same year
# (a quarterly year-to-date series may give the full year's figure).
KINDS_ALLOWED = {
    "monthly": (MONTH, QUARTER, FINANCIAL_YEAR),
    "quarterly": (QUARTER, FINANCIAL_YEAR),
    "annual": (FINANCIAL_YEAR,),
    "academic_year": (ACADEMIC_YEAR,),
    "calendar_year": (CALENDAR_YEAR,),
}
KIND_WORDS = {
    MONTH: "a month",
    QUARTER: "a quarter",
    FINANCIAL_YEAR: "a financial year",
    ACADEMIC_YEAR: "an academic year",
    CALENDAR_YEAR: "a calendar year",
}
FREQUENCY_EXAMPLES = {
    "monthly": "2018-01 or January 2018",
    "quarterly": "2017/18 Q3",
    "annual": "2017/18",
    "academic_year": "2017/18",
    "calendar_year": "2017",
}
FIGURES = ("value", "target", "numerator", "denominator")


@dataclass(frozen=True)
class CheckedRow:
    """A row that passed: its period read, its figures as numbers."""

    row: KpiValue
    period: Period
    figures: dict[str, float | None]


def row_problem(ref: str, period: str, value: Written, message: str, code: str) -> Problem:
    """A problem with one row, naming it as the store has it."""
    return Problem(code, message, ref=ref, period=period, value=_shown(value))


def unknown_references(values: list[KpiValue], known: set[str]) -> list[Problem]:
    """Approved rows for an indicator the store does not define."""
    return [
        row_problem(
            row.ref,
            row.period,
            row.value,
            f"There is no indicator '{row.ref}' in the store, so this figure has nothing to "
            "belong to. Add the indicator or correct the reference.",
            "row-unknown-reference",
        )
        for row in values
        if row.ref not in known
    ]


def missing_total(indicator: KpiIndicator, known: set[str]) -> list[Problem]:
    """An indicator that names a total the store does not have."""
    if not indicator.total_ref or indicator.total_ref in known:
        return []
    return [
        Problem(
            "row-missing-total",
            f"It is part of the total '{indicator.total_ref}', which is not in the store: add "
            "that indicator or clear the total reference.",
            ref=indicator.ref,
        )
    ]


def check_rows(
    indicator: KpiIndicator, frequency: str, rows: list[KpiValue]
) -> tuple[list[CheckedRow], list[Problem]]:
    """The indicator's rows that pass, and a problem for each that does not. Two rows for one
    period, however each is written, are both named."""
    passed: list[CheckedRow] = []
    problems: list[Problem] = []
    by_period: dict[str, list[KpiValue]] = defaultdict(list)
    for row in rows:
        found = _row_problems(indicator, frequency, row)
        if isinstance(found, CheckedRow):
            passed.append(found)
        else:
            problems.extend(found)
        try:
            by_period[read_period(row.period, frequency).code].append(row)
        except Invalid:
            continue  # already named as a period that cannot be read
    duplicated = set()
    for code, same in by_period.items():
        if len(same) > 1:
            problems.extend(_duplicates(indicator.ref, code, same))
            duplicated |= {id(row) for row in same}
    return [c for c in passed if id(c.row) not in duplicated], problems


def _row_problems(indicator: KpiIndicator, frequency: str, row: KpiValue):
    """The row checked, or its problems."""
    say = _sayer(indicator.ref, row)
    try:
        period = read_period(row.period, frequency)
    except Invalid as error:
        return [say(error.message, "row-period")]
    problems = []
    if period.kind not in KINDS_ALLOWED[frequency]:
        problems.append(say(_wrong_kind(period, frequency), "row-period-frequency"))
    figures: dict[str, float | None] = {}
    for name in FIGURES:
        number, message = as_number(getattr(row, name), name)
        figures[name] = number
        if message:
            problems.append(say(message, "row-not-a-number"))
    problems += [say(m, "row-out-of-range") for m in _range_problems(indicator, figures)]
    return problems or CheckedRow(row, period, figures)


def read_period(text: str, frequency: str) -> Period:
    """A period read for a series of this frequency: in a yearly series 2010-11 is a year."""
    yearly = frequency in ("annual", "academic_year")
    return parse_period(text, academic=frequency == "academic_year", yearly=yearly)


def _wrong_kind(period: Period, frequency: str) -> str:
    words = frequency.replace("_", " ")
    return (
        f"The indicator is {'an' if words[0] in 'aeiou' else 'a'} {words} series, but this "
        f"period reads as {KIND_WORDS[period.kind]} ({period.label}). Write it as "
        f"{FREQUENCY_EXAMPLES[frequency]}."
    )


def as_number(written: Written, name: str = "value") -> tuple[float | None, str | None]:
    """The figure as a number (None when empty), or why it is not one."""
    if written is None or (isinstance(written, str) and not written.strip()):
        return None, None
    if isinstance(written, bool):
        return None, f"The {name} '{written}' is not a number."
    if isinstance(written, int | float):
        number = float(written)
    else:
        try:
            number = float(written.strip().replace(",", ""))
        except ValueError:
            return None, (
                f"The {name} '{written}' is not a number. Write the number alone (45, not 45%), "
                "or leave the value empty where the figure is not available."
            )
    if not math.isfinite(number):
        return None, f"The {name} '{written}' is not a number."
    return number, None


def is_count(unit: str) -> bool:
    return unit.strip().lower() in COUNT_UNITS


def names_people(unit: str, title: str) -> bool:
    """Whether a series' unit or title names people ("households", "Children looked after"):
    such a series counts people whatever the store's flag says, since the flag can add
    protection but never take it away."""
    words = set(re.findall(r"[a-z]+", f"{unit} {title}".lower()))
    return bool(words & PEOPLE_UNITS)


def _range_problems(indicator: KpiIndicator, figures: dict[str, float | None]) -> list[str]:
    found = []
    value = figures["value"]
    if value is not None:
        if is_count(indicator.unit) and value < 0:
            found.append("The value is a count, and a count cannot be negative.")
        elif indicator.minimum is not None and value < indicator.minimum:
            lowest = _plain(indicator.minimum)
            found.append(f"The value is below the lowest this indicator allows ({lowest}).")
        if indicator.maximum is not None and value > indicator.maximum:
            highest = _plain(indicator.maximum)
            found.append(f"The value is above the highest this indicator allows ({highest}).")
    for name in ("numerator", "denominator"):
        if (figures[name] or 0) < 0:
            found.append(f"The {name} is a count and cannot be negative.")
    numerator, denominator = figures["numerator"], figures["denominator"]
    if numerator is not None and denominator is not None and numerator > denominator >= 0:
        found.append("The numerator is larger than the denominator.")
    return found


def _duplicates(ref: str, code: str, same: list[KpiValue]) -> list[Problem]:
    spellings = " and ".join(f"'{row.period}'" for row in same)
    message = (
        f"{code} is given {len(same)} times for this indicator (as {spellings}): keep one "
        "row per period."
    )
    return [row_problem(ref, row.period, row.value, message, "row-duplicate") for row in same]


def _sayer(ref: str, row: KpiValue):
    def say(message: str, code: str) -> Problem:
        return row_problem(ref, row.period, row.value, message, code)

    return say


def _shown(value: Written) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return "(empty)"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _plain(number: float) -> str:
    return str(int(number)) if number.is_integer() else str(number)
