"""The dataset page, and the CKAN-style and renamed URLs that lead to it."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from flask import Blueprint, current_app, redirect, render_template, url_for

from catalog.calendar.listing import next_expected_update
from catalog.calendar.words import month_label
from catalog.errors import NotFound
from catalog.indicators.scorecard import indicator_for_dataset, series_coverage
from catalog.models import Dataset
from catalog.publishing.datasets import find_redirect, get_public_dataset
from catalog.publishing.history import public_history
from catalog.publishing.related import related_datasets
from catalog.visibility import PublicDataset, public_view
from opendata.database import get_session, get_store
from opendata.dcat_graph import Site
from opendata.schema_org import dataset_json_ld

bp = Blueprint("datasets", __name__)


@bp.get("/datasets/<name>")
def show(name: str):
    session = get_session()
    try:
        dataset = get_public_dataset(session, name)
    except NotFound:
        new_name = find_redirect(session, name)
        if new_name is None:
            raise
        return redirect(url_for("datasets.show", name=new_name), 301)
    return dataset_page(dataset, public_view(dataset))


def dataset_page(dataset: Dataset, view: PublicDataset, template: str = "dataset.html") -> str:
    """The public page of `dataset` showing the files in `view`; the staff preview renders
    the same page, from a template that extends it, before the dataset or its files are out."""
    session = get_session()
    site = Site.from_settings(current_app.config["SETTINGS"])
    series = series_coverage(session, [dataset], get_store()).get(dataset.id)
    return render_template(
        template,
        dataset=dataset,
        view=view,
        indicator=indicator_for_dataset(session, dataset.id),
        history=public_history(dataset),
        structured_data=dataset_json_ld(view, site=site, series=series),
        related=related_datasets(session, dataset),
        next_update=next_expected_update(session, dataset),
        month_label=month_label,
        report_url=problem_report_url(dataset, site),
    )


def problem_report_url(dataset: Dataset, site: Site) -> str:
    """Where "Report a problem with this data" leads: an email to the dataset's contact (or
    the site's data mailbox) naming the dataset and its address, else the publisher's page."""
    address = dataset.contact_email or site.contact_email
    if not address:
        return url_for("browse.organisation", name=dataset.organisation.name)
    page = f"{site.base_url}{url_for('datasets.show', name=dataset.name)}"
    message = {
        "subject": f"Problem with the data: {dataset.title}",
        "body": f"Dataset: {dataset.title}\n{page}\n\nWhat is wrong, and where:\n",
    }
    return f"mailto:{quote(address, safe='@')}?{urlencode(message, quote_via=quote)}"


@bp.get("/dataset/<name>")
def ckan_style(name: str):
    return redirect(url_for("datasets.show", name=name), 301)
