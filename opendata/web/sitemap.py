"""`/sitemap.xml` and `/robots.txt`: what search engines may crawl, with absolute URLs from
`OPENDATA_BASE_URL` so a site behind a proxy still lists its public address."""

from __future__ import annotations

from urllib.parse import quote
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, current_app

from catalog.distribution.feeds import sitemap_pages
from catalog.publishing.groups import organisations_with_counts, topics_with_counts
from catalog.tables.schemas import list_schemas
from opendata.database import get_session

bp = Blueprint("sitemap", __name__)

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
PATHS = {"dataset": "/datasets/{}", "indicator": "/indicators/{}"}
PAGES = (
    "/",
    "/datasets",
    "/topics",
    "/organisations",
    "/indicators",
    "/schemas",
    "/transparency",
    "/calendar",
)


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    base = current_app.config["SETTINGS"].base_url
    session = get_session()
    urls: list[tuple[str, str | None]] = [(f"{base}{path}", None) for path in PAGES]
    urls += [(f"{base}/schemas/{schema.name}", None) for schema in list_schemas()]
    urls += [(f"{base}/topics/{t.name}", None) for t, n in topics_with_counts(session) if n]
    urls += [
        (f"{base}/organisations/{o.name}", None) for o, _ in organisations_with_counts(session)
    ]
    for page in sitemap_pages(session):
        urls.append((base + PATHS[page.kind].format(quote(page.key)), f"{page.modified:%Y-%m-%d}"))
    return Response(_urlset(urls), mimetype="application/xml")


@bp.get("/robots.txt")
def robots():
    base = current_app.config["SETTINGS"].base_url
    body = (
        "User-agent: *\nAllow: /\nDisallow: /publish\nDisallow: /account\n"
        # Searches, filters and sorted or paged lists: endless variants of pages in the sitemap.
        "Disallow: /*?\n\n"
        f"Sitemap: {base}/sitemap.xml\n"
    )
    return Response(body, mimetype="text/plain")


def _urlset(urls: list[tuple[str, str | None]]) -> bytes:
    ET.register_namespace("", SITEMAP)
    urlset = ET.Element(f"{{{SITEMAP}}}urlset")
    for loc, lastmod in urls:
        url = ET.SubElement(urlset, f"{{{SITEMAP}}}url")
        ET.SubElement(url, f"{{{SITEMAP}}}loc").text = loc
        if lastmod:
            ET.SubElement(url, f"{{{SITEMAP}}}lastmod").text = lastmod
    return ET.tostring(urlset, encoding="utf-8", xml_declaration=True)
