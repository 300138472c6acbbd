"""The staff view of Transparency Code deadlines: what is late or due soon, and the work not
yet public that will meet it, so a publisher sees a gap before an auditor does."""

from __future__ import annotations

from flask import Blueprint, render_template

from catalog.calendar.transparency import DUE_SOON_DAYS, public_compliance, unpublished_work
from catalog.clock import utcnow
from catalog.publishing.staff import stage_of
from opendata.auth import no_store, require_actor, require_sign_in
from opendata.database import get_session
from opendata.web.transparency import STATUS_TAGS, status_counts

bp = Blueprint("transparency_staff", __name__, url_prefix="/publish/transparency")
bp.before_request(require_sign_in)
bp.after_request(no_store)


@bp.get("")
def index():
    actor, session = require_actor(), get_session()
    now = utcnow()
    positions = public_compliance(session, now)
    return render_template(
        "publish/transparency.html",
        positions=positions,
        attention=[p for p in positions if p.needs_attention],
        work=unpublished_work(session, actor),
        stage_of=stage_of,
        today=now.date(),
        counts=status_counts(positions),
        tags=STATUS_TAGS,
        due_soon_days=DUE_SOON_DAYS,
    )
