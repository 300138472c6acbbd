"""A deterministic generated council catalogue: the same seed gives the same datasets and files.

`generate` only describes datasets; `benchmarks.instance` loads them through the services.
"""

from __future__ import annotations

import csv
import io
import json
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import openpyxl

from benchmarks.vocabulary import (
    FREQUENCY_WEIGHTS,
    GENERAL,
    QUALIFIERS,
    SERVICE_AREAS,
    SUBJECTS,
    SUPPLIERS,
    TOPICS,
    WARDS,
    Subject,
)
from catalog.names import slugify

SEED = 20240401
FIRST_DAY = datetime(2012, 1, 1, 9, 0)
SPAN_DAYS = 13 * 365
SHARE_DRAFT = 0.04
SHARE_SCHEDULED = 0.03
RESOURCE_COUNTS = (1, 1, 1, 1, 1, 1, 1, 2, 2, 3)  # 1.4 files a dataset
TITLES = {
    "csv": "Data",
    "xlsx": "Spreadsheet",
    "json": "Data as JSON",
    "geojson": "Locations (GeoJSON)",
    "pdf": "Notes and methodology",
}


@dataclass(frozen=True)
class FileSpec:
    title: str
    filename: str
    format: str
    content_key: tuple[str, int, int]
    description: str = ""


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    title: str
    description: str
    organisation: str
    topics: list[str]
    tags: list[str]
    frequency: str
    temporal_start: date
    temporal_end: date
    spatial: str
    contact_name: str
    contact_email: str
    created_at: datetime
    release: str  # "published", "draft" or "scheduled" (released some days from now)
    published_at: datetime | None
    files: list[FileSpec] = field(default_factory=list)


def generate(count: int, seed: int = SEED) -> list[DatasetSpec]:
    """`count` datasets, always the same ones for the same seed."""
    rng = random.Random(seed)
    taken: set[str] = set()
    frequencies, weights = zip(*FREQUENCY_WEIGHTS.items(), strict=True)
    return [_dataset(rng, taken, frequencies, weights) for _ in range(count)]


def _dataset(rng, taken, frequencies, weights) -> DatasetSpec:
    subject_number = rng.randrange(len(SUBJECTS))
    subject = SUBJECTS[subject_number]
    year = rng.randrange(2012, 2026)
    period, start, end = _period(rng, year)
    qualifier = rng.choice(QUALIFIERS)
    ward = rng.choice(WARDS)
    if qualifier == "by ward" and rng.random() < 0.3:
        qualifier = f"for {ward}"
    title = f"{subject.title} {qualifier} {period}"
    name = _unique(slugify(title), taken)
    created = FIRST_DAY + timedelta(days=rng.randrange(SPAN_DAYS), minutes=rng.randrange(600))
    roll = rng.random()
    if roll < SHARE_DRAFT:
        release, published = "draft", None
    elif roll < SHARE_DRAFT + SHARE_SCHEDULED:
        release, published = "scheduled", None
    else:
        release, published = "published", created + timedelta(days=rng.randrange(30))
    tags = rng.sample(subject.tags, k=rng.randint(2, len(subject.tags)))
    if "ward" in qualifier or rng.random() < 0.2:
        tags.append(slugify(ward))
    tags.append(str(year))
    topics = list(subject.topics)
    if rng.random() < 0.1:
        topics.append(rng.choice(list(TOPICS)))
    return DatasetSpec(
        name=name,
        title=title,
        description=_description(rng, subject, period, ward),
        organisation=subject.organisation,
        topics=topics,
        tags=tags,
        frequency=rng.choices(frequencies, weights)[0],
        temporal_start=start,
        temporal_end=end,
        spatial="City of York" if rng.random() < 0.8 else f"{ward} ward, City of York",
        contact_name=f"{subject.title.split()[0]} team",
        contact_email=f"{slugify(subject.title.split()[0])}@york.example.gov.uk",
        created_at=created,
        release=release,
        published_at=published,
        files=_files(rng, subject_number, subject, year),
    )


def _period(rng, year: int) -> tuple[str, date, date]:
    kind = rng.randrange(4)
    if kind == 0:
        return str(year), date(year, 1, 1), date(year, 12, 31)
    if kind == 1:
        return f"{year}/{(year + 1) % 100:02d}", date(year, 4, 1), date(year + 1, 3, 31)
    if kind == 2:
        quarter = rng.randrange(4)
        months = ("January to March", "April to June", "July to September", "October to December")
        first = date(year, 3 * quarter + 1, 1)
        last = date(year, 3 * quarter + 3, 28)
        return f"{months[quarter]} {year}", first, last
    return f"{year} to {year + 2}", date(year, 1, 1), date(year + 2, 12, 31)


def _unique(slug: str, taken: set[str]) -> str:
    name, n = slug, 1
    while name in taken:
        n += 1
        suffix = f"-{n}"
        name = slug[: 100 - len(suffix)].rstrip("-") + suffix
    taken.add(name)
    return name


def _description(rng, subject: Subject, period: str, ward: str) -> str:
    parts = [" ".join(subject.sentences), f"This release covers {period}."]
    parts.append(" ".join(rng.sample(GENERAL, k=rng.randint(1, 3))))
    if rng.random() < 0.3:
        parts.append(f"Figures for {ward} ward are shown separately where they can be.")
    if rng.random() < 0.4:
        columns = "\n".join(f"- **{name}**" for name, _ in subject.columns)
        parts.append(f"Each row has these columns:\n\n{columns}")
    return "\n\n".join(parts)


def _files(rng, subject_number: int, subject: Subject, year: int) -> list[FileSpec]:
    count = rng.choice(RESOURCE_COUNTS)
    formats = list(subject.formats)
    while len(formats) < count:
        formats.append("pdf")
    variant = year % 4
    files = []
    for fmt in formats[:count]:
        stem = f"{slugify(subject.title)}-{year}"
        files.append(
            FileSpec(
                title=f"{subject.title} {year}: {TITLES[fmt].lower()}",
                filename=f"{stem}.{fmt}",
                format=fmt,
                content_key=(fmt, subject_number, variant),
                description="" if fmt != "pdf" else "How the figures are collected and checked.",
            )
        )
    return files


def table_schema(subject: Subject) -> dict:
    return {"fields": [{"name": name, "type": kind} for name, kind in subject.columns]}


def file_content(key: tuple[str, int, int]) -> bytes:
    """The bytes of a generated file; few distinct files, as the store keeps each once."""
    fmt, subject_number, variant = key
    subject = SUBJECTS[subject_number]
    rng = random.Random(f"{fmt}-{subject_number}-{variant}")
    rows = [[_cell(rng, name, kind) for name, kind in subject.columns] for _ in range(120)]
    header = [name for name, _ in subject.columns]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        return out.getvalue().encode()
    if fmt == "json":
        return json.dumps([dict(zip(header, row, strict=True)) for row in rows]).encode()
    if fmt == "geojson":
        features = [
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(-1.08 + rng.uniform(-0.1, 0.1), 5), 53.96],
                },
                "properties": dict(zip(header, row, strict=True)),
            }
            for row in rows[:40]
        ]
        return json.dumps({"type": "FeatureCollection", "features": features}).encode()
    if fmt == "xlsx":
        return _workbook(header, [_typed(row, subject) for row in rows])
    return _pdf(f"{subject.title}: how the figures are collected and checked (variant {variant}).")


def _workbook(header: list[str], rows: list[list[str]]) -> bytes:
    """A real one-sheet workbook, as the upload path reads spreadsheets to learn their columns."""
    book = openpyxl.Workbook(write_only=True)
    book.properties.created = book.properties.modified = FIRST_DAY  # the same bytes every run
    sheet = book.create_sheet("Data")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _typed(row: list[str], subject: Subject) -> list:
    """Cells as a spreadsheet holds them: numbers as numbers, the rest as text."""
    kinds = {"integer": int, "number": float}
    columns = zip(row, subject.columns, strict=True)
    return [kinds.get(kind, str)(cell) for cell, (_, kind) in columns]


def _pdf(line: str) -> bytes:
    """A real one-page PDF showing `line`: its objects, cross-reference table and trailer."""
    text = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    table = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        table,
    )
    return bytes(out)


def _cell(rng, name: str, kind: str) -> str:
    if name == "Ward":
        return rng.choice(WARDS)
    if name == "Supplier":
        return rng.choice(SUPPLIERS)
    if name in ("Service area", "Directorate", "Expense type"):
        return rng.choice(SERVICE_AREAS)
    if kind == "date":
        return (date(2020, 1, 1) + timedelta(days=rng.randrange(1500))).isoformat()
    if kind == "datetime":
        moment = datetime(2023, 1, 1) + timedelta(minutes=15 * rng.randrange(30000))
        return moment.isoformat()
    if kind == "integer":
        return str(rng.randrange(1, 5000))
    if kind == "number":
        return f"{rng.uniform(0, 25000):.2f}"
    return f"{name} {rng.randrange(1, 400)}"
