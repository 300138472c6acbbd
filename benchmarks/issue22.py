"""Issue 22's table in one run: the whole `opendata load` against `frictionless validate`, the
filtered, sorted page and its total against Datasette, the full export, and many users at once
(`python -m benchmarks --datastore-only --with-load`); each figure beside its peer's from the
same run, with the ratio (peer / ours: above 1, ours is faster)."""

from __future__ import annotations

from benchmarks import machine
from benchmarks.datastore import COUNTED
from benchmarks.timing import table


def summary(datastore: dict, load: dict | None) -> str:
    """The issue's five measures as a table, then the load average now."""
    rows: list[tuple] = []
    ours, theirs = datastore["load"], datastore["frictionless"]
    if not theirs.get("error"):
        rows.append(
            ("`opendata load`, whole process, s", ours["command_seconds"], theirs["seconds"],
             theirs["times_slower_than_command"], ">= 5")
        )  # fmt: skip
    datasette = datastore.get("datasette", {})
    if "lean" in datasette:
        peer = datasette["lean"][COUNTED]["stats"]["p95"]
        for key, how in (("http_afresh", "made afresh"), ("http_ours", "a kept answer")):
            page = datastore[key][COUNTED]
            rows.append((f"{page['label']} ({how}), p95 ms", page["stats"]["p95"], peer,
                         peer / page["stats"]["p95"], ">= 1"))  # fmt: skip
        total = datastore["total"]
        rows.append(
            (f"the same page's total ({'exact' if total['exact'] else 'estimate'})",
             total["total"], datasette.get("total"), "", "exact, or within 1%")
        )  # fmt: skip
        export = datasette["export"]["seconds"]
        first = datastore["export_first"]["seconds"]
        rows.append(("full CSV export, first on SQLite, s", first, export, export / first, ">= 6"))
        if "postgres" in datastore:
            again = datastore["postgres"]["export"]["seconds"]
            rows.append(("full CSV export on PostgreSQL, s", again, export, export / again, ">= 6"))
    if load is not None:
        everything = next(row for row in load["requests"] if row["kind"] == "all")
        rows.append(
            (f"{load['settings']['users']} users: req/s, p95 ms over all requests",
             f"{everything['rps']:.0f} req/s, p95 {everything['p95']:.0f}", "", "",
             f"p95 < 150, no errors ({load['verdict']['errors']} errors)")
        )  # fmt: skip
    lines = table(("measure", "ours", "peer", "ratio", "goal"), rows).splitlines()
    lines.append(f"load average {machine.load_average()}")
    return "\n".join("  " + line for line in lines)
