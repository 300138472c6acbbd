"""Typed SQLAlchemy models of the catalogue (DESIGN.md, 'The model')."""

from catalog.models.activity import Activity
from catalog.models.datasets import (
    Dataset,
    DatasetRedirect,
    DatasetState,
    Resource,
    ResourceVersion,
)
from catalog.models.indicators import Indicator, Observation
from catalog.models.publishers import Licence, Organisation, Tag, Topic

__all__ = [
    "Activity",
    "Dataset",
    "DatasetRedirect",
    "DatasetState",
    "Indicator",
    "Licence",
    "Observation",
    "Organisation",
    "Resource",
    "ResourceVersion",
    "Tag",
    "Topic",
]
