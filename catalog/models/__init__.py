"""Typed SQLAlchemy models of the catalogue (DESIGN.md, 'The model')."""

from catalog.models.accounts import Account, AccountSession, ApiToken, Membership
from catalog.models.activity import Activity
from catalog.models.calendar import CalendarChange, CalendarEntry
from catalog.models.changes import (
    ChangeKind,
    ChangeState,
    RedactionConfirmation,
    ResourceChange,
)
from catalog.models.datasets import (
    Dataset,
    DatasetRedirect,
    DatasetState,
    Resource,
    ResourceVersion,
)
from catalog.models.datastore import DataTable, TableStatus
from catalog.models.indicators import Indicator, Observation
from catalog.models.policies import SourcePolicy
from catalog.models.public_change import PublicChange
from catalog.models.publishers import Licence, Organisation, Tag, Topic
from catalog.models.releases import Release
from catalog.models.search import SearchEntry, SearchGeneration, SearchWord

__all__ = [
    "Account",
    "AccountSession",
    "ApiToken",
    "Membership",
    "Release",
    "Activity",
    "CalendarChange",
    "CalendarEntry",
    "ChangeKind",
    "ChangeState",
    "DataTable",
    "Dataset",
    "DatasetRedirect",
    "DatasetState",
    "Indicator",
    "Licence",
    "Observation",
    "Organisation",
    "PublicChange",
    "RedactionConfirmation",
    "Resource",
    "ResourceChange",
    "ResourceVersion",
    "SearchEntry",
    "SearchGeneration",
    "SearchWord",
    "SourcePolicy",
    "TableStatus",
    "Tag",
    "Topic",
]
