"""A small public catalogue seen from outside: one public dataset with a file, a draft, one
scheduled for tomorrow and one withdrawn, under a public base URL."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from catalog.clock import utcnow
from catalog.indicators.series import (
    IndicatorInput,
    ObservationInput,
    indicator_create,
    indicator_publish,
    observations_record,
)
from catalog.permissions import Actor
from catalog.publishing.workflow import dataset_withdraw
from opendata.api.openapi_document import EXAMPLES

BASE_URL = "https://data.york.example"
ACTOR = Actor.system("test publisher")
CSV = b"school,pupils\nFishergate,210\nPoppleton Road,330\n"


@dataclass
class Seeded:
    public: object
    draft: object
    scheduled: object
    withdrawn: object
    release_at: datetime


def use_base_url(app) -> None:
    app.config["SETTINGS"] = replace(app.config["SETTINGS"], base_url=BASE_URL)


def seed(app, catalogue) -> Seeded:
    use_base_url(app)
    release_at = utcnow() + timedelta(days=1)
    public = catalogue.dataset(
        "school-census",
        title="School census",
        description="Pupils on roll by school.",
        files={"census.csv": CSV},
        topics=["education-and-skills"],
        tags=["schools"],
        frequency="annual",
        temporal_start=date(2023, 1, 1),
        temporal_end=date(2023, 12, 31),
        spatial="City of York",
        contact_name="Education data team",
        contact_email="education@york.example",
    )
    draft = catalogue.dataset("draft-plans", files={"plans.csv": CSV}, publish=False)
    scheduled = catalogue.dataset("exam-results", files={"exams.csv": CSV}, publish=release_at)
    withdrawn = catalogue.dataset("old-admissions", files={"old.csv": CSV})
    dataset_withdraw(catalogue.session, actor=ACTOR, dataset=withdrawn, reason="Superseded")
    return Seeded(public, draft, scheduled, withdrawn, release_at)


def publish_examples(catalogue) -> dict[str, str]:
    """The dataset (with a loaded table) and the indicator that the API description's example
    values name, published; the examples with the real id of the dataset's file."""
    dataset = catalogue.dataset(EXAMPLES["name"], files={"census.csv": CSV})
    data = IndicatorInput(
        ref=EXAMPLES["ref"],
        title="Children in need with a child protection plan",
        unit="%",
        polarity="Up is Good",
        collection_type="snapshot",
        frequency="quarterly",
        theme="education-and-skills",
        organisation="children-education",
    )
    indicator = indicator_create(catalogue.session, actor=ACTOR, data=data)
    rows = [ObservationInput(period="2016/17 Q1", value=35.0)]
    observations_record(catalogue.session, actor=ACTOR, indicator=indicator, rows=rows)
    indicator_publish(catalogue.session, store=catalogue.store, actor=ACTOR, indicator=indicator)
    return {**EXAMPLES, "resource_id": dataset.resources[0].id}
