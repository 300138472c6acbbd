"""The licences the catalogue knows; the Open Government Licence v3.0 is the default."""

from __future__ import annotations

from sqlalchemy.orm import Session

from catalog.errors import NotFound
from catalog.models import Licence

OGL = "OGL-UK-3.0"

KNOWN = {
    OGL: (
        "Open Government Licence v3.0",
        "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        "Contains public sector information licensed under the Open Government Licence v3.0.",
    ),
    "CC-BY-4.0": (
        "Creative Commons Attribution 4.0",
        "https://creativecommons.org/licenses/by/4.0/",
        "Licensed under the Creative Commons Attribution 4.0 International licence.",
    ),
    "OGL-UK-3.0-OS": (
        "Open Government Licence v3.0 with Ordnance Survey data",
        "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        "Contains public sector information licensed under the Open Government Licence v3.0. "
        "Contains OS data © Crown copyright and database right.",
    ),
}

# The licences that meet the Open Definition (CKAN's `od_conformance` "approved"); CKAN
# clients read a dataset under one of them as open (`isopen`).
OPEN_DEFINITION = frozenset({OGL, "CC-BY-4.0", "OGL-UK-3.0-OS"})


def ensure_licences(session: Session) -> None:
    """Create the known licences that are missing; safe to run on every start-up."""
    for licence_id, (title, url, attribution) in KNOWN.items():
        if session.get(Licence, licence_id) is None:
            session.add(Licence(id=licence_id, title=title, url=url, attribution=attribution))


def get_licence(session: Session, licence_id: str) -> Licence:
    licence = session.get(Licence, licence_id)
    if licence is None:
        raise NotFound(f"There is no licence with the id '{licence_id}'.")
    return licence
