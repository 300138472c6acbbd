"""schema.org JSON-LD for pages, so search engines (Google Dataset Search) can index datasets.

Plain dicts built from public data; templates render them with `tojson`, which escapes `<`, `>`
and `&`, so no title can close the surrounding script element.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from catalog.publishing.resources import MEDIA_TYPES
from catalog.visibility import PublicDataset
from opendata.dcat_graph import COUNCIL, COUNCIL_HOMEPAGE, version_url

COUNCIL_ORG = {"@type": "GovernmentOrganization", "name": COUNCIL, "url": COUNCIL_HOMEPAGE}
SITE_DESCRIPTION = f"Open data published by {COUNCIL} under the Open Government Licence."


def dataset_json_ld(view: PublicDataset, *, base_url: str) -> dict[str, Any]:
    dataset = view.dataset
    url = f"{base_url}/datasets/{dataset.name}"
    organisation = {
        "@type": "GovernmentOrganization",
        "name": dataset.organisation.title,
        "url": f"{base_url}/organisations/{dataset.organisation.name}",
        "parentOrganization": COUNCIL_ORG,
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
    if dataset.temporal_start or dataset.temporal_end:
        start = dataset.temporal_start.isoformat() if dataset.temporal_start else ".."
        end = dataset.temporal_end.isoformat() if dataset.temporal_end else ".."
        data["temporalCoverage"] = f"{start}/{end}"
    if dataset.spatial:
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


def _iso(moment: datetime) -> str:
    return moment.isoformat() + "Z"
