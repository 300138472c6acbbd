"""An Atom 1.0 document of public releases, as plain XML text.

Entry ids are tag: URIs built from the dataset's and version's stable ids and the release date,
so a feed reader never shows the same release twice, even after a dataset is renamed.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from catalog.distribution.feeds import ReleaseEntry

ATOM = "http://www.w3.org/2005/Atom"


def rfc3339(moment: datetime) -> str:
    """Stored times are naive UTC."""
    return moment.replace(microsecond=0).isoformat() + "Z"


def tag_uri(base_url: str, moment: datetime, specific: str) -> str:
    authority = urlsplit(base_url).hostname or "localhost"
    return f"tag:{authority},{moment:%Y-%m-%d}:{specific}"


def releases_feed(
    entries: list[ReleaseEntry],
    *,
    base_url: str,
    title: str,
    self_url: str,
    now: datetime,
    page_url: str | None = None,
) -> bytes:
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _text(feed, "title", f"{title}: latest releases")
    _text(feed, "id", self_url)
    _text(feed, "updated", rfc3339(entries[0].at if entries else now))
    _link(feed, self_url, rel="self", type_="application/atom+xml")
    _link(feed, page_url or f"{base_url}/", rel="alternate", type_="text/html")
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", "City of York Council")
    for entry in entries:
        _entry(feed, entry, base_url)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _entry(feed: ET.Element, entry: ReleaseEntry, base_url: str) -> None:
    dataset = entry.dataset
    element = ET.SubElement(feed, f"{{{ATOM}}}entry")
    if entry.resource is None:
        title = f"Published: {dataset.title}"
        specific = f"datasets/{dataset.id}/published"
        summary = dataset.description or dataset.title
    elif entry.version is None:
        title = f"New link to {entry.resource.title} in {dataset.title}"
        specific = f"datasets/{dataset.id}/links/{entry.resource.id}"
        summary = entry.resource.description or f"A link to {entry.resource.link_url}."
    else:
        what = "New file" if entry.version.number == 1 else "New version of"
        title = f"{what} {entry.resource.title} in {dataset.title}"
        specific = f"datasets/{dataset.id}/versions/{entry.version.id}"
        summary = entry.version.note or f"Version {entry.version.number} of {entry.resource.title}."
    _text(element, "title", title)
    _text(element, "id", tag_uri(base_url, entry.at, specific))
    _text(element, "updated", rfc3339(entry.at))
    _text(element, "published", rfc3339(entry.at))
    _link(element, f"{base_url}/datasets/{dataset.name}", rel="alternate", type_="text/html")
    _text(element, "summary", summary[:1000])
    category = ET.SubElement(element, f"{{{ATOM}}}category")
    category.set("term", dataset.organisation.name)
    category.set("label", dataset.organisation.title)


def _text(parent: ET.Element, name: str, value: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{name}")
    element.text = value
    return element


def _link(parent: ET.Element, href: str, *, rel: str, type_: str) -> None:
    link = ET.SubElement(parent, f"{{{ATOM}}}link")
    link.set("rel", rel)
    link.set("type", type_)
    link.set("href", href)
