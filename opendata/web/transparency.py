"""The public Transparency page: each Transparency Code requirement, the dataset meeting it,
the last period published, the next deadline and a status, as a page and as JSON."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, render_template, url_for

from catalog.calendar.transparency import (
    DUE_SOON_DAYS,
    MONTHS_AFTER,
    STATUS_LABELS,
    Position,
    public_compliance,
)
from catalog.clock import utcnow
from catalog.periods import Period
from catalog.publishing.requirements import ANNUAL, CODE_URL, QUARTERLY
from opendata.database import get_session

bp = Blueprint("transparency", __name__)

STATUS_TAGS = {
    "up-to-date": "govuk-tag--green",
    "due-soon": "govuk-tag--yellow",
    "overdue": "govuk-tag--red",
    "missing": "govuk-tag--orange",
}
RULES = {
    QUARTERLY: f"Quarterly data is due {MONTHS_AFTER[QUARTERLY]} month after the quarter ends.",
    ANNUAL: f"Annual data covers a financial year and is due {MONTHS_AFTER[ANNUAL]} months "
    "after it ends, by 30 September.",
    "dueSoon": f"Due soon means due within {DUE_SOON_DAYS} days.",
}


@bp.get("/transparency")
def index():
    now = utcnow()
    positions = public_compliance(get_session(), now)
    return render_template(
        "transparency.html",
        positions=positions,
        today=now.date(),
        counts=status_counts(positions),
        tags=STATUS_TAGS,
        code_url=CODE_URL,
        due_soon_days=DUE_SOON_DAYS,
    )


@bp.get("/transparency.json")
def as_json():
    now = utcnow()
    return jsonify(
        {
            "code": {"title": "Local Government Transparency Code 2015", "url": CODE_URL},
            "date": now.date().isoformat(),
            "rules": RULES,
            "requirements": [_position_json(p) for p in public_compliance(get_session(), now)],
        }
    )


def status_counts(positions: list[Position]) -> list[tuple[str, str, int]]:
    """(status, label, how many) for each status some requirement has, in a fixed order."""
    return [
        (status, label, count)
        for status, label in STATUS_LABELS.items()
        if (count := sum(p.status == status for p in positions))
    ]


def _position_json(position: Position) -> dict[str, Any]:
    requirement = position.requirement
    return {
        "key": requirement.key,
        "title": requirement.title,
        "frequency": requirement.frequency,
        "summary": requirement.summary,
        "schema": url_for("schemas.show", name=requirement.schema, _external=True)
        if requirement.schema
        else None,
        "datasets": [
            {
                "name": dataset.name,
                "title": dataset.title,
                "url": url_for("datasets.show", name=dataset.name, _external=True),
            }
            for dataset in position.datasets
        ],
        "lastPeriod": _period_json(position.last_period),
        "nextPeriod": _period_json(position.next_period),
        "nextDue": position.next_due.isoformat() if position.next_due else None,
        "status": position.status,
        "statusLabel": position.status_label,
    }


def _period_json(period: Period | None) -> dict[str, str] | None:
    if period is None:
        return None
    return {
        "code": period.code,
        "label": period.label,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
    }
