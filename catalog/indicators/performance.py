"""Values derived from an indicator's series, never stored: direction of travel, RAG status
against the target, the period to compare with, and a plain-English sentence about the latest
value.

Polarity says which way is good: up is good, up is bad, or neutral (no judgement at all).
A missing value (None, or a withheld symbol such as [c], [x] or [z] upstream) is never compared.
A tolerance is an amount in the indicator's own unit (points for a percentage), or, when
relative, a percentage of the figure compared with (the target for RAG, the previous value for
direction of travel).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Literal

from catalog.errors import Invalid
from catalog.periods import MONTH, QUARTER, Period, parse_period

Polarity = Literal["up_is_good", "up_is_bad", "neutral"]
UP_IS_GOOD: Final = "up_is_good"
UP_IS_BAD: Final = "up_is_bad"
NEUTRAL: Final = "neutral"
POLARITIES: tuple[Polarity, ...] = (UP_IS_GOOD, UP_IS_BAD, NEUTRAL)

Movement = Literal["up", "down", "no_change", "not_comparable"]
UP: Final = "up"
DOWN: Final = "down"
NO_CHANGE: Final = "no_change"
NOT_COMPARABLE: Final = "not_comparable"
Judgement = Literal["better", "worse", "no_change"]
BETTER: Final = "better"
WORSE: Final = "worse"

Rag = Literal["green", "amber", "red"]
GREEN: Final = "green"
AMBER: Final = "amber"
RED: Final = "red"

# Units the sentences know; anything else is written after the number ("12 tonnes").
PERCENT, COUNT, POUNDS, DAYS = "%", "count", "£", "days"

# What the GSS symbols mean, for sentences about a period with no figure.
SYMBOL_MEANINGS = {
    "[c]": "withheld because the numbers are small enough to identify people",
    "[x]": "not available",
    "[z]": "not applicable",
}

# Float noise (42.1 - 41.1 = 1.0000000000000014) must not decide a tie.
PRECISION = 9


@dataclass(frozen=True)
class Direction:
    """Direction of travel against the comparison period.

    movement: which way the value went (no_change within the tolerance; not_comparable when
    either value is missing). judgement: better, worse or no_change read through the polarity;
    None for neutral indicators and when not comparable. change: current minus previous, signed,
    in the indicator's unit, or None when not comparable.
    """

    movement: Movement
    judgement: Judgement | None
    change: float | None

    @property
    def comparable(self) -> bool:
        return self.movement != NOT_COMPARABLE


def parse_polarity(text: str) -> Polarity:
    """Read polarity as York writes it ("Up is Good", "Up is Bad", "Neutral") or as stored."""
    key = "_".join(str(text or "").lower().replace("_", " ").split())
    for polarity in POLARITIES:
        if key == polarity:
            return polarity
    raise Invalid(
        f"'{text}' is not a polarity: use Up is Good, Up is Bad or Neutral.", field="polarity"
    )


def _check_polarity(polarity: str) -> None:
    if polarity not in POLARITIES:
        raise ValueError(f"Unknown polarity {polarity!r}; expected one of {POLARITIES}.")


def _present(value: float | None) -> float | None:
    """The value, or None when it is missing (None, or NaN from a withheld figure)."""
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def band(tolerance: float, base: float, *, relative: bool) -> float:
    """The tolerance as an amount: itself, or that percentage of `base`."""
    if tolerance < 0:
        raise ValueError("The tolerance cannot be negative.")
    return round(abs(base) * tolerance / 100, PRECISION) if relative else tolerance


def direction_of_travel(
    current: float | None,
    previous: float | None,
    *,
    polarity: str,
    tolerance: float = 0.0,
    relative: bool = False,
) -> Direction:
    """Compare the current value with the previous one. A change no bigger than `tolerance`
    (or, when relative, that percentage of the previous value) counts as no change."""
    _check_polarity(polarity)
    if tolerance < 0:
        raise ValueError("The tolerance cannot be negative.")
    now, before = _present(current), _present(previous)
    if now is None or before is None:
        return Direction(NOT_COMPARABLE, None, None)
    change = round(now - before, PRECISION)
    if abs(change) <= band(tolerance, before, relative=relative):
        return Direction(NO_CHANGE, None if polarity == NEUTRAL else NO_CHANGE, change)
    movement: Movement = UP if change > 0 else DOWN
    if polarity == NEUTRAL:
        return Direction(movement, None, change)
    good = (movement == UP) == (polarity == UP_IS_GOOD)
    return Direction(movement, BETTER if good else WORSE, change)


def rag_status(
    value: float | None,
    target: float | None,
    *,
    polarity: str,
    tolerance: float,
    relative: bool = False,
) -> Rag | None:
    """Green when the value meets or beats the target, amber when it misses by no more than
    `tolerance` (or, when relative, that percentage of the target), red otherwise; None for
    neutral indicators or without a value or a target."""
    _check_polarity(polarity)
    if tolerance < 0:
        raise ValueError("The tolerance cannot be negative.")
    actual, aim = _present(value), _present(target)
    if polarity == NEUTRAL or actual is None or aim is None:
        return None
    shortfall = round(aim - actual if polarity == UP_IS_GOOD else actual - aim, PRECISION)
    if shortfall <= 0:
        return GREEN
    return AMBER if shortfall <= band(tolerance, aim, relative=relative) else RED


def tolerance_rule(tolerance: float, *, relative: bool, unit: str, decimals: int) -> str:
    """What amber means for an indicator, in words for its page."""
    if not tolerance:
        return "There is no tolerance: a figure that misses its target at all is off target."
    if relative:
        amount = f"{_number(tolerance, 2).rstrip('0').rstrip('.')}% of the target"
    else:
        amount = format_change(tolerance, unit, decimals)
    return f"A figure that misses its target by no more than {amount} is close to target."


def comparison_period(
    series_periods: Iterable[Period | str], period: Period | str, *, seasonal: bool
) -> Period | None:
    """The period to compare `period` with: the one just before it, or for a seasonal series the
    same period a year earlier. None when the series does not have it: no skipping back over a
    gap, since an older value is not "the previous quarter". Periods may be given as canonical
    codes."""
    period = _as_period(period)
    wanted = period.year_before() if seasonal else period.previous()
    return wanted if wanted in {_as_period(p) for p in series_periods} else None


def _as_period(period: Period | str) -> Period:
    return period if isinstance(period, Period) else parse_period(period)


def comparison_phrase(period: Period, *, seasonal: bool) -> str:
    """How a sentence names the comparison period: "previous quarter", "same month last year"."""
    noun = {QUARTER: "quarter", MONTH: "month"}.get(period.kind)
    if noun is None:
        return "previous year"
    return f"same {noun} last year" if seasonal else f"previous {noun}"


def _number(value: float, decimals: int) -> str:
    """Thousands separators, and never "-0.0" for a value that rounds to nothing."""
    return f"{value if round(value, decimals) else 0.0:,.{decimals}f}"


def format_value(value: float, unit: str, decimals: int) -> str:
    """A value as a page shows it: 42.1%, 1,216, £1,250, -£32, 8.5 days, 53.2 per 1,000."""
    if unit == POUNDS:
        return f"{'-' if round(value, decimals) < 0 else ''}£{_number(abs(value), decimals)}"
    return _with_unit(_number(value, decimals), unit)


def format_change(change: float, unit: str, decimals: int) -> str:
    """The size of a change, without its sign: 3.2 points, 1,200, £500, 1.5 days."""
    size, prefix = round(abs(change), decimals), ""
    if size == 0 and change != 0:  # too small to show at this many decimals
        size, prefix = 10**-decimals, "less than "
    if unit == PERCENT:
        number = _number(size, decimals)
        return f"{prefix}{number} {'point' if number == '1' else 'points'}"
    return prefix + format_value(size, unit, decimals)


def _with_unit(number: str, unit: str) -> str:
    if unit == PERCENT:
        return f"{number}%"
    if unit == COUNT:
        return number
    if unit == DAYS:
        return f"{number} {'day' if number == '1' else 'days'}"
    if unit.startswith("rate "):
        return f"{number} {unit.removeprefix('rate ')}"
    return f"{number} {unit}"


def _target_text(target: float, unit: str, decimals: int) -> str:
    return format_value(target, unit, decimals if target != int(target) else 0)


def describe_latest(
    value: float | None,
    *,
    unit: str,
    decimals: int,
    period_label: str,
    direction: Direction | None,
    comparison: str,
    target: float | None = None,
    polarity: str,
    symbol: str | None = None,
) -> str:
    """One plain-English sentence about the latest value, ending in a full stop:

    "42.1% in 2017/18 Q3, up 3.2 points on the previous quarter: better, and above the 40% target."

    `comparison` names the comparison period (see comparison_phrase). `direction` None leaves
    the comparison out. Neutral indicators get no better or worse. With no value, `symbol` (a GSS
    symbol such as [c]) says why.
    """
    _check_polarity(polarity)
    present = _present(value)
    if present is None:
        reason = SYMBOL_MEANINGS.get((symbol or "").strip().lower())
        return f"No figure for {period_label}" + (f": {reason}." if reason else ".")
    clauses = [f"{format_value(present, unit, decimals)} in {period_label}"]
    if direction is not None:
        clauses.append(_movement_text(direction, unit, decimals, comparison))
    sentence = ", ".join(clauses)
    if direction is not None and direction.judgement in (BETTER, WORSE) and polarity != NEUTRAL:
        sentence += f": {direction.judgement}"
    if target is not None:
        gap = round(present - target, PRECISION)
        where = "above" if gap > 0 else "below" if gap < 0 else "meeting"
        joiner = ", and " if direction is not None else ", "
        sentence += f"{joiner}{where} the {_target_text(target, unit, decimals)} target"
    return sentence + "."


def _movement_text(direction: Direction, unit: str, decimals: int, comparison: str) -> str:
    if direction.movement == NOT_COMPARABLE:
        return f"with no figure for the {comparison} to compare with"
    if direction.movement == NO_CHANGE:
        return f"{'about the same as' if direction.change else 'no change on'} the {comparison}"
    size = format_change(direction.change or 0.0, unit, decimals)
    return f"{direction.movement} {size} on the {comparison}"
