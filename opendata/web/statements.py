"""The licence and accessibility statements."""

from __future__ import annotations

from flask import Blueprint, render_template

from catalog.licences import OGL, get_licence
from opendata.database import get_session

bp = Blueprint("statements", __name__)


@bp.get("/licence")
def licence():
    return render_template("licence.html", licence=get_licence(get_session(), OGL))


@bp.get("/accessibility")
def accessibility():
    return render_template("accessibility.html")
