"""What flows through the hooks: a batch of indicator series, and the problems checks find.

A batch is plain data built from the catalogue's own input types, so a source needs to know
nothing of the database, and whatever passes the checks can go straight to the services.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from catalog.indicators.series import IndicatorInput, ObservationInput


@dataclass
class Series:
    """One indicator as a source supplies it: its definition and the figures cleared to leave.

    `counts_people` marks series whose figures count people (the value of a count, or the
    numerator and denominator of a rate), which disclosure control must protect. `part_of` names
    the indicator whose figure for each period is the total of this series and its siblings.
    `suppressed` lists the periods disclosure control has turned into [c].
    """

    indicator: IndicatorInput
    observations: list[ObservationInput] = field(default_factory=list)
    counts_people: bool = False
    part_of: str | None = None
    suppressed: list[str] = field(default_factory=list)

    @property
    def ref(self) -> str:
        return self.indicator.ref


@dataclass
class Batch:
    series: list[Series] = field(default_factory=list)

    def find(self, ref: str) -> Series | None:
        return next((s for s in self.series if s.ref == ref), None)


@dataclass(frozen=True)
class Problem:
    """Something a check found, with a stable `code` to test and act on. A blocking problem
    vetoes the run. Messages name indicators and periods, never a withheld figure."""

    code: str
    message: str
    ref: str | None = None
    period: str | None = None
    blocking: bool = True

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "message": self.message,
            "ref": self.ref,
            "period": self.period,
            "blocking": self.blocking,
        }
