"""Reading GOV.UK-style form fields into the values services take, and showing what went wrong.

Only the shape of the input is checked here (is this a date, was a file chosen); every rule
about what is allowed lives in the services, whose `Invalid.field` says where to point.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from werkzeug.datastructures import MultiDict

from catalog.errors import CatalogError, Invalid
from catalog.licences import OGL
from catalog.names import slugify
from catalog.publishing.datasets import DatasetInput
from catalog.publishing.resources import INFER, Upload
from catalog.tables.schemas import load_schema, schema_exists
from catalog.tables.validation import TableRules
from catalog.uk_time import scheduled_release
from opendata.errors import STATUS
from opendata.json_limits import bounded_loads

DATE_FIELDS = {"temporal_start", "temporal_end", "release", "expires_at"}
ALIASES = {"format": "file"}  # a refused file type is a problem with the file chosen
SCHEMA_FILE_BYTES = 1024 * 1024
TIME_PATTERN = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")


@dataclass
class FormErrors:
    """Messages by field for one form on a page; `form` names which form, when there are
    several, so its inputs' ids are `<form>-<field>`."""

    messages: dict[str, str] = field(default_factory=dict)
    form: str = ""

    @classmethod
    def from_error(cls, error: CatalogError, form: str = "") -> FormErrors:
        name = ALIASES.get(error.field or "", error.field) or "form"
        return cls({name: error.message}, form)

    def anchor(self, name: str) -> str:
        base = f"{self.form}-{name}" if self.form else name
        return f"#{base}-day" if name in DATE_FIELDS else f"#{base}"

    def summary(self) -> list[dict[str, str]]:
        return [
            {"text": text, "href": self.anchor(name)} if name != "form" else {"text": text}
            for name, text in self.messages.items()
        ]

    def inline(self, name: str, form: str = "") -> dict[str, str] | None:
        """The error for a GOV.UK component's `errorMessage`, if this field of this form has one."""
        if form != self.form or name not in self.messages:
            return None
        return {"text": self.messages[name]}


def text(form: MultiDict, name: str) -> str:
    return (form.get(name) or "").strip()


def chosen_schema(form: MultiDict, files: MultiDict) -> dict[str, Any] | str | None:
    """A Table Schema file sent with the upload, a standard schema by name, INFER to work the
    columns out afresh, or None for the default (the previous version's description, else
    worked out from the file)."""
    sent = files.get("schema_file")
    if sent is not None and sent.filename:
        return _schema_file(sent.stream.read(SCHEMA_FILE_BYTES + 1))
    name = text(form, "schema")
    if not name:
        return None
    if name == INFER:
        return INFER
    if not schema_exists(name):
        raise Invalid("Choose one of the schemas listed.", field="schema")
    return load_schema(name)


def _schema_file(content: bytes) -> dict[str, Any]:
    if len(content) > SCHEMA_FILE_BYTES:
        raise Invalid("A schema file must be smaller than 1 MB.", field="schema_file")
    try:
        schema = bounded_loads(content.decode("utf-8-sig"))
    except ValueError as error:  # not UTF-8, not JSON, or nested too deep
        raise Invalid(f"The schema file is not valid JSON: {error}.", field="schema_file") from None
    if not isinstance(schema, dict):
        raise Invalid("The schema file must hold a JSON object.", field="schema_file")
    try:
        TableRules.from_schema(schema)
    except Invalid as error:
        raise Invalid(error.message, field="schema_file") from None
    return schema


def optional(form: MultiDict, name: str) -> str | None:
    return text(form, name) or None


def date_field(form: MultiDict, name: str, label: str) -> date | None:
    """A day/month/year date input; all blank means no date."""
    parts = [text(form, f"{name}-{part}") for part in ("day", "month", "year")]
    if not any(parts):
        return None
    try:
        day, month, year = (int(part) for part in parts)
        if year < 1000:
            raise ValueError(year)
        return date(year, month, day)
    except ValueError:
        raise Invalid(f"{label} must be a real date, like 31 3 2025.", field=name) from None


def time_field(form: MultiDict, name: str, label: str) -> time:
    """A 24-hour time like 09:30."""
    found = TIME_PATTERN.match(form.get(name) or "")
    try:
        if found is None:
            raise ValueError
        return time(int(found.group(1)), int(found.group(2)))
    except ValueError:
        raise Invalid(
            f"{label} must be a time on the 24-hour clock, like 09:30.", field=name
        ) from None


def dataset_input(form: MultiDict) -> DatasetInput:
    title = text(form, "title")
    return DatasetInput(
        name=text(form, "name") or (slugify(title) if title else ""),
        title=title,
        organisation=text(form, "organisation"),
        description=text(form, "description"),
        topics=form.getlist("topics"),
        tags=[tag for tag in text(form, "tags").split(",") if tag.strip()],
        licence=text(form, "licence") or OGL,
        frequency=optional(form, "frequency"),
        temporal_start=date_field(form, "temporal_start", "The start of the time covered"),
        temporal_end=date_field(form, "temporal_end", "The end of the time covered"),
        spatial=optional(form, "spatial"),
        contact_name=optional(form, "contact_name"),
        contact_email=optional(form, "contact_email"),
    )


def dataset_values(data: DatasetInput) -> MultiDict:
    """A dataset as the form would post it, so the edit form starts filled in."""
    values: list[tuple[str, Any]] = [
        ("name", data.name),
        ("title", data.title),
        ("organisation", data.organisation),
        ("description", data.description),
        ("tags", ", ".join(data.tags)),
        ("licence", data.licence),
        ("frequency", data.frequency or ""),
        ("spatial", data.spatial or ""),
        ("contact_name", data.contact_name or ""),
        ("contact_email", data.contact_email or ""),
        *(("topics", topic) for topic in data.topics),
    ]
    for name in ("temporal_start", "temporal_end"):
        value = getattr(data, name)
        if value:
            values += [(f"{name}-day", value.day), (f"{name}-month", value.month)]
            values.append((f"{name}-year", value.year))
    return MultiDict(values)


def release_time(form: MultiDict) -> datetime | None:
    """'Publish now' (None) or a scheduled moment chosen in UK time, as naive UTC."""
    when = form.get("when")
    if when == "now":
        return None
    if when != "later":
        raise Invalid("Choose whether to publish now or at a set time.", field="when")
    day = date_field(form, "release", "The release date")
    if day is None:
        raise Invalid("Enter the date to publish it.", field="release")
    return scheduled_release(day, time_field(form, "release_time", "The release time"))


def chosen_file(files: MultiDict) -> Upload:
    found = files.get("file")
    if found is None or not found.filename:
        raise Invalid("Select a file to upload.", field="file")
    return Upload(stream=found.stream, filename=found.filename)


def status_of(error: CatalogError) -> int:
    return next(code for kind, code in STATUS.items() if isinstance(error, kind))
