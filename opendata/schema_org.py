"""schema.org JSON-LD for pages, so search engines (Google Dataset Search) can index datasets.

Plain dicts built from public data; templates render them with `tojson`, which escapes `<`, `>`
and `&`, so no title can close the surrounding script element.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from catalog.indicators.scorecard import SeriesCoverage
from catalog.publishing.resources import MEDIA_TYPES
from catalog.visibility import PublicDataset
from opendata.dcat_graph import (
    COUNCIL,
    COUNCIL_HOMEPAGE,
    GSS,
    Site,
    contact_email,
    contact_name,
    version_url,
)

COUNCIL_ORG = {"@type": "GovernmentOrganization", "name": COUNCIL, "url": COUNCIL_HOMEPAGE}
SITE_DESCRIPTION = f"Open data published by {COUNCIL} under the Open Government Licence."


def dataset_json_ld(
    view: PublicDataset, *, site: Site, series: SeriesCoverage | None = None
) -> dict[str, Any]:
    """The dataset as Google Dataset Search reads it. An indicator's dataset (`series`) covers
    its released periods and the council's area, as in DCAT."""
    dataset, base_url = view.dataset, site.base_url
    url = f"{base_url}/datasets/{dataset.name}"
    organisation = {
        "@type": "GovernmentOrganization",
        "name": dataset.organisation.title,
        "url": f"{base_url}/organisations/{dataset.organisation.name}",
        "parentOrganization": COUNCIL_ORG,
        "contactPoint": _contact_point(view, site, series),
    }
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "@id": url,
        "name": dataset.title,
        "description": dataset.description or dataset.title,
        "url": url,
        "identifier": dataset.id,
        "license": dataset.licence.url,
        "isAccessibleForFree": True,
        "creator": organisation,
        "publisher": COUNCIL_ORG,
        "keywords": [t.title for t in dataset.topics] + [t.name for t in dataset.tags],
        "dateModified": _iso(view.updated_at),
        "includedInDataCatalog": {"@type": "DataCatalog", "url": f"{base_url}/"},
    }
    if dataset.published_at:
        data["datePublished"] = _iso(dataset.published_at)
    start, end = (
        (series.start, series.end) if series else (dataset.temporal_start, dataset.temporal_end)
    )
    if start or end:
        data["temporalCoverage"] = f"{_day(start)}/{_day(end)}"
    if series is not None or _is_area(dataset.spatial, site):
        data["spatialCoverage"] = {
            "@type": "Place",
            "name": site.area_name,
            "sameAs": str(GSS[site.area_code]),
        }
    elif dataset.spatial:
        data["spatialCoverage"] = {"@type": "Place", "name": dataset.spatial}
    distributions = []
    for file in view.files:
        resource, latest = file.resource, file.latest
        if resource.link_url is not None:
            distributions.append(
                {
                    "@type": "DataDownload",
                    "name": resource.title,
                    "contentUrl": resource.link_url,
                    "encodingFormat": MEDIA_TYPES.get(resource.format, resource.format.upper()),
                }
            )
        elif latest is not None:
            distributions.append(
                {
                    "@type": "DataDownload",
                    "name": resource.title,
                    "contentUrl": version_url(dataset, resource, latest, base_url),
                    "encodingFormat": latest.media_type,
                    "contentSize": f"{latest.size} B",
                }
            )
    if distributions:
        data["distribution"] = distributions
    return data


def catalog_json_ld(*, base_url: str, site_name: str) -> dict[str, Any]:
    return {
        "@context": "https://schema.org",
        "@type": "DataCatalog",
        "name": site_name,
        "url": f"{base_url}/",
        "description": SITE_DESCRIPTION,
        "publisher": COUNCIL_ORG,
        "license": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        "inLanguage": "en-GB",
    }


def _contact_point(
    view: PublicDataset, site: Site, series: SeriesCoverage | None
) -> dict[str, str]:
    """Whom to ask: the same contact as the DCAT vCard (a role or team, with its mailbox, else
    the publisher's page here)."""
    dataset = view.dataset
    point = {"@type": "ContactPoint", "contactType": "data enquiries"}
    point["name"] = contact_name(dataset, series)
    email = contact_email(dataset, site)
    if email:
        point["email"] = email
    else:
        point["url"] = f"{site.base_url}/organisations/{dataset.organisation.name}"
    return point


def _is_area(spatial: str | None, site: Site) -> bool:
    return spatial is not None and spatial.strip().lower() == site.area_name.lower()


def _day(day: date | None) -> str:
    """An ISO 8601 interval end; `..` leaves it open."""
    return day.isoformat() if day else ".."


def _iso(moment: datetime) -> str:
    return moment.isoformat() + "Z"
