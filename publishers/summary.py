"""What a publishing run did, as plain data: for the command line, the run log and notifiers.

It names indicators and periods, never a figure, so it can be logged and mailed without
leaking a withheld count.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime

from publishers.batches import Problem

DONE, DRY_RUN, REFUSED, FAILED = "done", "dry_run", "refused", "failed"


@dataclass
class IndicatorOutcome:
    ref: str
    title: str
    created: bool = False
    definition_changed: bool = False
    added: list[str] = field(default_factory=list)
    revised: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    suppressed: list[str] = field(default_factory=list)
    new_version: bool = False
    state: str = ""
    rehearsed: bool = False  # a dry run: nothing happened, this is what would

    @property
    def changed(self) -> bool:
        return self.created or self.definition_changed or bool(self.added or self.revised)

    def line(self) -> str:
        parts = ["new indicator"] if self.created else []
        parts += ["definition changed"] if self.definition_changed else []
        parts.append(
            f"{len(self.added)} added, {len(self.revised)} revised, {len(self.unchanged)} unchanged"
        )
        if self.suppressed:
            parts.append(f"{len(self.suppressed)} shown as [c]")
        if self.new_version:
            parts.append(self._fate())
        return f"{self.ref}: {'; '.join(parts)}"

    def _fate(self) -> str:
        if self.rehearsed:
            return "would go for review" if self.state == "in_review" else "would be published"
        return "in review" if self.state == "in_review" else "published"

    def details(self) -> list[str]:
        """Which periods were added, revised and withheld, one line each."""
        named = (("added", self.added), ("revised", self.revised), ("[c]", self.suppressed))
        return [f"{label}: {', '.join(periods)}" for label, periods in named if periods]


@dataclass
class DroppedIndicator:
    """An indicator a source supplied before and no longer does (not approved, not included,
    or gone from the store). Its published figures stay public: withdrawing them is a
    person's decision, with a reason. `newly` is set on the first run that finds it gone."""

    ref: str
    title: str
    dataset: str
    dataset_id: str
    newly: bool = False

    def line(self) -> str:
        return (
            f"{self.ref}: no longer in the store; its published figures stay public until "
            f"someone withdraws the dataset {self.dataset} with a reason."
        )


@dataclass
class RunSummary:
    source: str
    source_title: str
    actor: str
    dry_run: bool
    started_at: datetime
    finished_at: datetime | None = None
    status: str = ""
    release_at: datetime | None = None
    indicators: list[IndicatorOutcome] = field(default_factory=list)
    dropped: list[DroppedIndicator] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    error: str | None = None
    notification_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status in (DONE, DRY_RUN)

    @property
    def changed(self) -> bool:
        return any(outcome.changed for outcome in self.indicators)

    @property
    def published(self) -> list[IndicatorOutcome]:
        """Indicators with a new file version that is public (or scheduled to be)."""
        return [o for o in self.indicators if o.new_version and o.state == "published"]

    @property
    def in_review(self) -> list[IndicatorOutcome]:
        return [o for o in self.indicators if o.changed and o.state == "in_review"]

    def headline(self) -> str:
        if self.status == FAILED:
            return f"{self.source_title}: the run failed and nothing was written. {self.error}"
        if not self.dropped:
            return self._outcome()
        count = len(self.dropped)
        return (
            f"{self._outcome()} No longer in the store: {count} "
            f"indicator{'s' if count != 1 else ''} ({', '.join(d.ref for d in self.dropped)}); "
            "their published figures stay public until someone withdraws them."
        )

    def _outcome(self) -> str:
        name = self.source_title
        if self.status == REFUSED:
            return (
                f"{name}: refused by checks ({len(self.problems)} problems); nothing was written."
            )
        if not self.changed:
            return f"{name}: nothing new ({len(self.indicators)} indicators unchanged)."
        counts = (
            f"{sum(o.created for o in self.indicators)} new indicators, "
            f"{sum(len(o.added) for o in self.indicators)} figures added, "
            f"{sum(len(o.revised) for o in self.indicators)} revised, "
            f"{sum(len(o.suppressed) for o in self.indicators)} shown as [c]"
        )
        if self.status == DRY_RUN:
            return f"{name} (dry run, nothing written) would give: {counts}."
        waiting = f", {len(self.in_review)} awaiting review" if self.in_review else ""
        return f"{name}: {counts}; {len(self.published)} indicators released{waiting}."

    def as_dict(self) -> dict:
        """JSON-ready, for the activity log and job results."""
        data = asdict(self)
        for key in ("started_at", "finished_at", "release_at"):
            data[key] = data[key].isoformat() if data[key] else None
        data["problems"] = [problem.as_dict() for problem in self.problems]
        return data | {"headline": self.headline()}
