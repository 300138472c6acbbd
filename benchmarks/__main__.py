"""`python -m benchmarks` (`make bench`): search, pages and the datastore on generated data.

Steps: describe the machine; generate 20,000 council datasets (fixed seed) into a throwaway
instance through the catalogue's services; open the app on it as `opendata.wsgi` does (with
`gc.freeze()`); time public search (`find_datasets`) and the index alone for a mix of queries;
time pages through the Flask test client; do the same pages on the demo catalogue if it is
present; then check, load, query and export a generated 1,000,000-row spend file against
`frictionless validate` and Datasette (`benchmarks.datastore`); print the figures against the
targets in docs/performance.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path

from benchmarks import (
    datastore,
    demo,
    generate,
    instance,
    issue22,
    load,
    machine,
    pages,
    search,
    spend,
)
from benchmarks.timing import Stats, table

SEARCH_P95_TARGET_MS = 10.0
DATASET_PAGE_P95_TARGET_MS = 30.0
MARKER = "benchmark-catalogue.json"


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    begun = time.perf_counter()
    report: dict = {"machine": machine.describe()}
    _heading("Machine")
    for key, value in report["machine"].items():
        print(f"  {key:<10} {value}")

    with tempfile.TemporaryDirectory(prefix="opendata-bench-") as scratch:
        if not args.datastore_only:
            _catalogue_benchmarks(Path(scratch), args, report)
        if not args.skip_datastore:
            report["datastore"] = datastore.run(
                Path(scratch),
                rows=args.datastore_rows,
                runs=args.page_runs,
                warmup=args.warmup,
                postgres=args.postgres,
            )
        if args.with_load:
            figures = Path(scratch) / "load.json"
            load.main(["--json", str(figures)])
            report["many_users"] = json.loads(figures.read_text(encoding="utf-8"))
        if "datastore" in report:
            _heading("Issue 22: each figure beside its peer's, from this run")
            print(issue22.summary(report["datastore"], report.get("many_users")))

    elapsed = time.perf_counter() - begun
    report["seconds"] = elapsed
    _heading("Against the targets (embedded default: SQLite + Whoosh)")
    print(_verdict(report))
    print(f"\nWhole benchmark took {elapsed:.0f} s; load average now {machine.load_average()}.")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
        print(f"Figures written to {args.json}")
    return 0


def _catalogue_benchmarks(scratch: Path, args: argparse.Namespace, report: dict) -> None:
    """Search and pages on the generated catalogue, then pages on the demo catalogue."""
    folder = args.keep or scratch / "instance"
    report["build"] = _catalogue(folder, args)
    app = instance.served_app(folder)
    sample = instance.sample(app, args.page_urls)
    report["public_datasets"] = sample.public

    _heading(f"Search on {args.datasets:,} datasets ({sample.public:,} public)")
    print(f"  {args.runs} timed runs per query after {args.warmup} warm-up runs.")
    print("  p50/p95/max/cpu p95 = find_datasets (index, facets, page of rows from the")
    print("  database); index = backend.search alone; db+rest = the difference at p50.\n")
    rows = search.run(app, runs=args.runs, warmup=args.warmup)
    cold = search.cold_after_commit(app)
    print(_search_table(rows))
    print(
        f"\n  {cold.label}: p50 {cold.stats.p50:.1f} ms, max {cold.stats.max:.1f} ms "
        f"({cold.stats.runs} commits)"
    )
    report["search"] = [asdict(r) for r in rows]
    report["search_cold"] = asdict(cold)

    _heading(f"Pages on {args.datasets:,} datasets (Flask test client)")
    print(f"  {args.page_runs} timed requests per page after {args.warmup} warm-up requests.\n")
    page_rows = pages.run(app, pages.page_set(sample), runs=args.page_runs, warmup=args.warmup)
    print(_page_table(page_rows))
    report["pages"] = [asdict(r) for r in page_rows]
    instance.close(app)

    report["demo_pages"] = _demo(scratch / "demo", args)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--datasets", type=int, default=20_000, help="datasets to generate")
    parser.add_argument("--seed", type=int, default=generate.SEED)
    parser.add_argument("--runs", type=int, default=200, help="timed runs per search query")
    parser.add_argument("--page-runs", type=int, default=300, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=20, help="untimed runs before timing")
    parser.add_argument("--page-urls", type=int, default=400, help="distinct pages to cycle")
    parser.add_argument(
        "--index",
        choices=("bulk", "services"),
        default="bulk",
        help="fill the search index in one reindex (bulk) or on every service commit",
    )
    parser.add_argument(
        "--keep",
        type=Path,
        help="build the catalogue in this folder and reuse it on later runs with the same "
        "settings (quicker while iterating; delete the folder after changing catalog/)",
    )
    parser.add_argument("--skip-demo", action="store_true")
    parts = parser.add_mutually_exclusive_group()
    parts.add_argument(
        "--datastore-only",
        action="store_true",
        help="only the datastore part: check, load, query and export a generated spend file",
    )
    parts.add_argument("--skip-datastore", action="store_true", help="leave the datastore out")
    parser.add_argument(
        "--with-load",
        action="store_true",
        help="also run `benchmarks.load` (40 users on gunicorn, about two minutes) and give its "
        "figures in issue 22's table",
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="also load the spend file into PostgreSQL and time the filtered page and the full "
        "export there: the database in URL is dropped and created again "
        "(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/opendata_bench)",
    )
    parser.add_argument(
        "--datastore-rows",
        type=int,
        default=spend.ROWS,
        help="rows in the generated spend file (default 1,000,000; fewer for a quick try)",
    )
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    return parser.parse_args(argv)


def _catalogue(folder: Path, args: argparse.Namespace) -> dict:
    """Build the generated catalogue in `folder` (or, with --keep, reuse it); return the build
    figures. The app used to build it is closed: the timings use `instance.served_app`."""
    settings = {
        "datasets": args.datasets,
        "seed": args.seed,
        "index": args.index,
        "schema_and_generator": _fingerprint(),
    }
    marker = folder / MARKER
    if args.keep and marker.is_file():
        kept = json.loads(marker.read_text())
        if kept["settings"] == settings:
            app = instance.make_app(folder)
            if instance.counts(app) == kept["counts"]:
                _heading(f"Reusing the catalogue in {folder}")
                # Earlier runs committed to the index (see search.cold_after_commit), leaving
                # extra segments that slow some queries: start from one segment, as when built.
                seconds = instance.reindex(app)
                instance.close(app)
                print(f"  search index rebuilt in {seconds:.1f} s")
                return kept["build"]
            instance.close(app)
            print(f"  The catalogue in {folder} no longer holds what was built; rebuilding.")
        shutil.rmtree(folder)
    elif args.keep and folder.exists() and any(folder.iterdir()):
        sys.exit(f"{folder} is not empty and holds no benchmark catalogue; choose another.")

    _heading(f"Building {args.datasets:,} datasets (seed {args.seed}, index: {args.index})")
    started = time.perf_counter()
    specs = generate.generate(args.datasets, args.seed)
    app = instance.make_app(folder)

    def progress(done: int, total: int, seconds: float) -> None:
        if done % 5000 == 0 or done == total:
            print(f"  {done:,} of {total:,} datasets in {seconds:.0f} s", flush=True)

    times = instance.fill(app, specs, index=args.index, progress=progress)
    build = {
        "datasets": times.datasets,
        "resources": times.resources,
        "formats": dict(Counter(file.format for spec in specs for file in spec.files)),
        "load_seconds": round(times.load_seconds, 1),
        "ms_per_dataset": round(1000 * times.load_seconds / max(1, times.datasets), 2),
        "reindex_seconds": round(times.reindex_seconds, 1),
        "total_seconds": round(time.perf_counter() - started, 1),
    }
    how = (
        "rows through the services, no index on commit; then reindex_all"
        if args.index == "bulk"
        else "through the services, index updated on every commit"
    )
    print(
        f"  {times.datasets:,} datasets and {times.resources:,} files {how}:\n"
        f"  load {build['load_seconds']} s ({build['ms_per_dataset']} ms a dataset), "
        f"reindex {build['reindex_seconds']} s, total {build['total_seconds']} s"
    )
    if args.keep:
        kept = {"settings": settings, "build": build, "counts": instance.counts(app)}
        marker.write_text(json.dumps(kept), encoding="utf-8")
    instance.close(app)
    return build


def _fingerprint() -> str:
    """Migrations, models and the generator: a kept catalogue is rebuilt when any changes."""
    root = Path(__file__).resolve().parents[1]
    files = sorted(
        [
            *(root / "catalog" / "migrations" / "versions").glob("*.py"),
            *(root / "catalog" / "models").glob("*.py"),
            *(root / "benchmarks").glob("[gvi]*.py"),  # generate, vocabulary, instance
        ]
    )
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _demo(folder: Path, args: argparse.Namespace) -> list[dict] | None:
    if args.skip_demo:
        return None
    if not demo.available():
        _heading("Demo catalogue")
        print(f"  Skipped: {demo.DEMO / 'packages'} is not in this checkout.")
        return None
    app = instance.make_app(folder)
    try:
        seconds = demo.load(app)
    except RuntimeError as error:
        _heading("Demo catalogue")
        print(f"  FAILED to load: {error}")
        return None
    finally:
        instance.close(app)
    app = instance.served_app(folder)
    sample = instance.sample(app, args.page_urls)
    _heading(
        f"Pages on the demo catalogue ({sample.public} public datasets, loaded in {seconds:.0f} s)"
    )
    rows = pages.run(app, pages.page_set(sample), runs=args.page_runs, warmup=args.warmup)
    print(_page_table(rows))
    instance.close(app)
    return [asdict(r) for r in rows]


def _search_table(rows: list[search.SearchRow]) -> str:
    headers = (
        "query", "hits", "p50", "p95", "max", "cpu p95", "index p50", "index p95", "db+rest p50"
    )  # fmt: skip
    body, failures = [], []
    for r in rows:
        if r.full is None or r.index is None:
            failures.append(f"  FAILED {r.label}: {r.error}")
            continue
        label = r.label + (f" -> '{r.suggestion}'" if r.suggestion else "")
        body.append(
            (
                label,
                r.total,
                *_figures(r.full),
                r.index.p50,
                r.index.p95,
                r.full.p50 - r.index.p50,
            )
        )
    return _indent(table(headers, body) + "\n  (milliseconds)") + "".join(
        "\n" + f for f in failures
    )


def _page_table(rows: list[pages.PageRow]) -> str:
    headers = ("page", "URLs", "KB", "p50", "p95", "max", "cpu p95")
    body = [(r.label, r.distinct, r.bytes / 1024, *_figures(r.stats)) for r in rows if r.stats]
    failures = [f"\n  FAILED {r.label}: {r.error}" for r in rows if r.stats is None]
    return _indent(table(headers, body) + "\n  (milliseconds)") + "".join(failures)


def _figures(stats: Stats) -> tuple[float, float, float, float | None]:
    return stats.p50, stats.p95, stats.max, stats.cpu_p95


def _verdict(report: dict) -> str:
    lines = _catalogue_verdict(report) if "search" in report else []
    if "datastore" in report:
        lines.append(datastore.verdict(report["datastore"]))
    return "\n".join(lines)


def _catalogue_verdict(report: dict) -> list[str]:
    measured = [r for r in report["search"] if r["full"]]
    lines = []
    if measured:
        worst = max(measured, key=lambda r: r["full"]["p95"])
        label = f"search p95 (worst query: {worst['label']})"
        lines.append(_check(label, worst["full"], SEARCH_P95_TARGET_MS))
    if len(measured) < len(report["search"]):
        lines.append("  search: some queries FAILED (see above)")
    page = next((r for r in report["pages"] if r["label"] == "dataset page"), None)
    if page and page["stats"]:
        lines.append(_check("dataset page p95", page["stats"], DATASET_PAGE_P95_TARGET_MS))
    else:
        lines.append("  dataset page: FAILED (see above)")
    return lines


def _check(what: str, stats: dict, target: float) -> str:
    verdict = "meets" if stats["p95"] < target else "MISSES"
    cpu = f" (CPU time p95 {stats['cpu_p95']:.1f} ms)" if stats.get("cpu_p95") else ""
    return f"  {what}: {stats['p95']:.1f} ms{cpu}, {verdict} the target of under {target:.0f} ms"


def _heading(text: str) -> None:
    print(f"\n== {text}", flush=True)


def _indent(text: str) -> str:
    return "\n".join("  " + line if line else line for line in text.splitlines())


if __name__ == "__main__":
    sys.exit(main())
