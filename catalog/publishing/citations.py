"""Citing exactly what was published (FOI Act s.21): one released version of one file.

A citation names the dataset, its publisher, the file, the version number, the UK date it was
released and the version's permanent URL, with the licence's attribution statement. A version
never changes once released, so a citation keeps pointing at the same bytes after any
correction. Only public versions can be cited; anything else does not exist (NotFound).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from catalog.models import Resource, ResourceVersion
from catalog.publishing.resources import get_public_file, get_public_version
from catalog.uk_time import utc_to_uk
from catalog.visibility import released_at

BIBTEX_ESCAPES = {char: f"\\{char}" for char in "&%$#_{}"} | {
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "\\": r"\textbackslash{}",
}
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


@dataclass(frozen=True)
class Citation:
    key: str
    dataset_title: str
    publisher: str
    resource_title: str
    version: int
    released: date
    url: str
    attribution: str
    licence: str
    sha256: str

    @property
    def title(self) -> str:
        return f"{self.dataset_title}: {self.resource_title}"

    @property
    def release_words(self) -> str:
        return f"{self.released.day} {self.released:%B %Y}"

    @property
    def text(self) -> str:
        return as_text(self)


def get_citation(
    session: Session, *, dataset_name: str, resource_id: str, number: int, url: str
) -> Citation:
    """The citation of a public version, whose permanent page is at `url`."""
    file = get_public_file(session, dataset_name, resource_id)
    return citation_for(file.resource, get_public_version(file, number), url)


def citation_for(resource: Resource, version: ResourceVersion, url: str) -> Citation:
    dataset = resource.dataset
    return Citation(
        key=f"{dataset.name}-{resource.id[:8]}-v{version.number}",
        dataset_title=dataset.title,
        publisher=dataset.organisation.title,
        resource_title=resource.title,
        version=version.number,
        released=utc_to_uk(released_at(version)).date(),
        url=url,
        attribution=dataset.licence.attribution,
        licence=dataset.licence.title,
        sha256=version.sha256,
    )


def as_text(citation: Citation) -> str:
    """A reference to paste into a letter or an FOI reply."""
    return (
        f"{citation.publisher} ({citation.released.year}). {citation.title}, "
        f"version {citation.version}. Released {citation.release_words}. {citation.url}. "
        f"{citation.attribution}"
    )


def as_bibtex(citation: Citation) -> str:
    """A BibTeX @misc entry (every BibTeX style knows it); the publisher is a corporate author,
    braced so it is not read as a person's name."""
    fields = [
        ("author", f"{{{_bibtex(citation.publisher)}}}"),
        ("title", f"{{{_bibtex(citation.title)}}}"),
        ("publisher", _bibtex(citation.publisher)),
        ("version", str(citation.version)),
        ("year", str(citation.released.year)),
        ("month", MONTHS[citation.released.month - 1]),
        ("date", citation.released.isoformat()),
        ("url", citation.url),
        ("howpublished", f"\\url{{{citation.url}}}"),
        ("note", _bibtex(f"{citation.attribution} SHA-256 {citation.sha256}.")),
    ]
    body = ",\n".join(
        f"  {name} = {value}" if name == "month" else f"  {name} = {{{value}}}"
        for name, value in fields
    )
    return f"@misc{{{citation.key},\n{body}\n}}\n"


def as_csl_json(citation: Citation) -> str:
    """A CSL JSON list with one item of type 'dataset', as Zotero, Pandoc and citeproc read."""
    item = {
        "id": citation.key,
        "type": "dataset",
        "title": citation.title,
        "container-title": citation.dataset_title,
        "author": [{"literal": citation.publisher}],
        "publisher": citation.publisher,
        "version": str(citation.version),
        "issued": {
            "date-parts": [[citation.released.year, citation.released.month, citation.released.day]]
        },
        "URL": citation.url,
        "license": citation.licence,
        "note": citation.attribution,
    }
    return json.dumps([item], ensure_ascii=False, indent=2) + "\n"


def _bibtex(value: str) -> str:
    return "".join(BIBTEX_ESCAPES.get(char, char) for char in value)
