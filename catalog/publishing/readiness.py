"""Whether a file's newest version may be released: its check passed, or its problems are
accounted for (a note of known issues, confirmed names); and whether every file has arrived."""

from __future__ import annotations

from catalog.models import Dataset, Resource, ResourceVersion, TableStatus


def blocking_files(dataset: Dataset) -> list[str]:
    """Sentences naming each file whose newest version cannot be released yet."""
    problems = []
    for resource in dataset.resources:
        if resource.latest is not None:
            problem = blocking_reason(resource, resource.latest)
            if problem:
                problems.append(problem)
        elif resource.link_url is None:
            problems.append(f"{resource.title} is still waiting for its file: upload it first.")
    return problems


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
