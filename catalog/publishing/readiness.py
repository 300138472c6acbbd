"""Whether a file's newest version may be released: its check passed, or its problems are
accounted for (a note of known issues, confirmed names); and whether every file has arrived."""

from __future__ import annotations

from dataclasses import dataclass

from catalog.models import Dataset, Resource, ResourceVersion, TableStatus


@dataclass(frozen=True)
class FileProblem:
    """Why one file holds a dataset back, with the version at fault (None when the file has
    not arrived) so a page can link to that version's report or to the upload form."""

    resource: Resource
    version: ResourceVersion | None
    message: str

    @property
    def has_report(self) -> bool:
        table = self.version.data_table if self.version else None
        return table is not None and table.status in (TableStatus.LOADED, TableStatus.FAILED)


def file_problems(dataset: Dataset) -> list[FileProblem]:
    """Each file whose newest version cannot be released yet, and why."""
    problems = []
    for resource in dataset.resources:
        if resource.latest is not None:
            reason = blocking_reason(resource, resource.latest)
            if reason:
                problems.append(FileProblem(resource, resource.latest, reason))
        elif resource.link_url is None:
            waiting = f"{resource.title} is still waiting for its file: upload it first."
            problems.append(FileProblem(resource, None, waiting))
    return problems


def blocking_files(dataset: Dataset) -> list[str]:
    """Sentences naming each file whose newest version cannot be released yet."""
    return [problem.message for problem in file_problems(dataset)]


def blocking_reason(resource: Resource, version: ResourceVersion) -> str:
    """Why this version cannot be released yet, or "" when it can."""
    if version.cleared:
        return ""
    table = version.data_table
    if table is None or table.status in (TableStatus.QUEUED, TableStatus.LOADING):
        return f"{resource.title} is still being checked."
    if table.status == TableStatus.FAILED:
        return f"{resource.title} could not be checked: {table.failure}"
    return (
        f"{resource.title} has {table.error_count:,} "
        f"{'error' if table.error_count == 1 else 'errors'}. Upload a corrected file, "
        "or record why it can be published with its known issues."
    )
