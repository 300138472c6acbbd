"""What flows through the hooks: a batch of indicator series, and the problems checks find.

A batch is plain data built from the catalogue's own input types, so a source needs to know
nothing of the database, and whatever passes the checks can go straight to the services.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from catalog.indicators.series import IndicatorInput, ObservationInput


@dataclass(frozen=True)
class Problem:
    """Something a check found, with a stable `code` to test and act on. A blocking problem
    vetoes the run. Messages name indicators and periods, never a withheld figure. A problem
    with a row of the source names the row as written: `period` as the officer typed it and
    `value` as the store holds it, so it can be found and corrected (the run log that keeps
    them is read by administrators only)."""

    code: str
    message: str
    ref: str | None = None
    period: str | None = None
    blocking: bool = True
    value: str | None = None

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "message": self.message,
            "ref": self.ref,
            "period": self.period,
            "blocking": self.blocking,
            "value": self.value,
        }


@dataclass
class Series:
    """One indicator as a source supplies it: its definition and the figures cleared to leave.

    `counts_people` marks series whose figures count people (the value of a count, or the
    numerator and denominator of a rate), which disclosure control must protect. `part_of` names
    the indicator whose figure for each period is the total of this series and its siblings.
    `other_parts` marks a total with parts the source does not supply (not included, not for
    publication, nothing approved), whose figures a reader therefore cannot know.
    `suppressed` lists the periods disclosure control has turned into [c]; `withheld` keeps
    their true counts in memory, for disclosure control's own check, and is never written.
    """

    indicator: IndicatorInput
    observations: list[ObservationInput] = field(default_factory=list)
    counts_people: bool = False
    part_of: str | None = None
    other_parts: bool = False
    suppressed: list[str] = field(default_factory=list)
    withheld: dict[str, float] = field(default_factory=dict, repr=False)

    @property
    def ref(self) -> str:
        return self.indicator.ref


@dataclass
class Batch:
    """The series a source supplies, and the problems it found reading them (a row it could
    not vouch for); any such problem vetoes the run. `released` is filled in by the run: the
    values earlier released files show, by (reference, period), which a reader may have kept."""

    series: list[Series] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    released: dict[tuple[str, str], set[float]] = field(default_factory=dict)

    def find(self, ref: str) -> Series | None:
        return next((s for s in self.series if s.ref == ref), None)
