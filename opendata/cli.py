"""The `opendata` program (`opendata = "opendata.cli:main"`): Flask's command line over an app
built from the OPENDATA_* settings, with the commands of `opendata.commands`.

The app never imports this module, so it may import `create_app` at its top.
"""

from __future__ import annotations

from flask.cli import FlaskGroup

from opendata import create_app

main = FlaskGroup(
    name="opendata",
    create_app=create_app,
    add_default_commands=True,
    add_version_option=False,
    help="Run and manage the open data catalogue.",
)
