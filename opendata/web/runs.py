"""Publishing runs for staff: what each run of a source did, what it withheld, what it warned
about, and which indicators are no longer in the store while their figures stay published."""

from __future__ import annotations

from flask import Blueprint, render_template

from opendata.auth import no_store, require_actor, require_sign_in
from opendata.database import get_session
from publishers.run_log import get_staff_run, staff_runs
from publishers.summary import DroppedIndicator

bp = Blueprint("runs", __name__, url_prefix="/publish/runs")
bp.before_request(require_sign_in)
bp.after_request(no_store)


@bp.get("")
def index():
    runs = staff_runs(get_session(), actor=require_actor())
    return render_template("publish/runs.html", runs=runs)


@bp.get("/<int:run_id>")
def show(run_id: int):
    run = get_staff_run(get_session(), actor=require_actor(), run_id=run_id)
    summary = run.after or {}
    dropped = [DroppedIndicator(**data) for data in summary.get("dropped", [])]
    return render_template("publish/run.html", run=run, summary=summary, dropped=dropped)
