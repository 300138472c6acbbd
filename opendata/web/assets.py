"""Static files: our CSS and the GOV.UK Frontend build the Makefile installs under static/."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, send_from_directory

STATIC = Path(__file__).resolve().parents[2] / "static"
ONE_DAY = 24 * 60 * 60

bp = Blueprint("assets", __name__)


@bp.get("/static/<path:filename>")
def static(filename: str):
    return send_from_directory(STATIC, filename, max_age=ONE_DAY)


@bp.get("/assets/<path:filename>")
def govuk_assets(filename: str):
    """GOV.UK Frontend's fonts and images, at the path its stylesheet expects."""
    return send_from_directory(STATIC / "govuk" / "assets", filename, max_age=ONE_DAY)
