"""The datastore benchmark: check and load a 1,000,000-row spend file, then query and export it.

In one run, on one machine:

1. generate the spend file, its Table Schema and a copy with planted errors (`spend.py`);
2. load it with `opendata load` (as a data package) on a real throwaway instance, timed as a
   whole process, with the memory of all its processes (`datastore_load.py`);
3. run `frictionless validate` on the same file, and compare our errors with frictionless's on
   the planted copy (`agreement.py`);
4. time filtered, sorted and deep pages of `/api/data/<id>` through the Flask test client;
5. count totals past the exact threshold where matches spread and where they bunch, and
   compare the estimates with the exact counts (`estimates.py`);
6. time the same pages over HTTP from gunicorn, and the equivalent pages from
   Datasette serving the same SQLite file (`servers.py`);
7. time the full CSV export over HTTP.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import make_url

from benchmarks import agreement, estimates, instance, machine, servers, spend
from benchmarks.timing import Stats, measure, table

PAGE_SIZE = 100
DEEP_PAGE = 5_000
OUR_MAX_SIZE = 10_000  # catalog.tables.datastore.query.MAX_SIZE
DATASETTE_MAX_SIZE = 1_000  # Datasette's default max_returned_rows
LEAN = {"_nocount": "1", "_nofacet": "1", "_nosuggest": "1"}
# Datasette's default first pages take about a second each (it counts every match and tries
# facet suggestions): 30 requests give a steady p50 and p95 without adding ten minutes.
DATASETTE_DEFAULT_RUNS = 30

# (label, query string in our column names); the deep page is added once its token is known.
QUERIES = (
    ("service = Housing, sorted by amount", {"service__exact": "Housing", "_sort": "amount"}),
    (
        "service = Housing and amount > 1,000, sorted by amount",
        {"service__exact": "Housing", "amount__gt": "1000", "_sort": "amount"},
    ),
    (
        "1,000 <= amount < 2,000, newest first",
        {"amount__gte": "1000", "amount__lt": "2000", "_sort_desc": "paid_on"},
    ),
    ("all rows sorted by amount, page 1", {"_sort": "amount"}),
)
DEEP_SORT = "amount"
# The filtered, sorted page whose total is compared with Datasette's count (issue 22, item 2).
COUNTED = 1
AFRESH = {"OPENDATA_PUBLIC_CACHE": "off"}
# The indexes the pages above read (the pair serves `service` with `amount`), and the command's
# own end: the time until the later of them is when every page above is fast.
PAGE_INDEXES = ("command", "paid_on", "amount", "service paired")

ROWS_PER_SECOND_TARGET = 100_000
TIMES_FASTER_TARGET = 5.0
PEAK_MB_TARGET = 300.0
PAGE_P95_TARGET_MS = 20.0
EXPORT_SECONDS_TARGET = 5.0
EXPORT_TIMES_DATASETTE_TARGET = 6.0


@dataclass(frozen=True)
class Timed:
    label: str
    url: str
    bytes: int
    stats: Stats | None
    error: str | None = None


def run(scratch: Path, *, rows: int, runs: int, warmup: int, postgres: str | None = None) -> dict:
    data = scratch / "data"
    data.mkdir()
    folder = scratch / "datastore-instance"
    report: dict = {}
    schema, clean, planted = _generate(data, rows, report)
    load = report["load"] = _check_and_load(folder, clean, schema, scratch)
    report["frictionless"] = _frictionless(clean, schema, load)

    _heading("The planted errors: ours against frictionless (with checks.duplicate_row())")
    found = agreement.compare(planted, schema, scratch)
    report["agreement"] = asdict(found)
    print(_agreement_table(found))
    _print_item_one(report)

    base = f"/api/data/{load['resource_id']}"
    deep_page = min(DEEP_PAGE, max(2, rows // (2 * PAGE_SIZE)))
    report["deep_page"] = deep_page
    queries = _test_client(folder, base, deep_page, runs, warmup, report)
    labels = [label for label, _ in queries]
    _heading("Totals where matches are spread out and where they bunch (SQLite)")
    report["totals"] = estimates.run(folder, load["resource_id"], "SQLite")

    _heading(f"Query API over HTTP: ours on gunicorn against `datasette serve` ({runs} each)")
    urls = [_url(base, {**q, "_size": PAGE_SIZE, "_shape": "arrays"}) for _, q in queries]
    with servers.opendata_server(folder, scratch / "opendata-serve.log") as port:
        report["http_ours"] = [asdict(t) for t in _time_http(port, labels, urls, runs, warmup)]
        print("  ours (gunicorn, 1 worker x 4 threads, _shape=arrays), kept answers:")
        print(_timed_table(report["http_ours"]))
        report["export_first"], report["export"] = _exports(port, base)
        ours_first = _first_id(servers.get_json(port, urls[-1]))
        report["total"] = _our_total(port, urls[COUNTED])
    # Asked again and again, a page is a kept answer (`opendata.public_cache`); made afresh
    # each time, it is what a page no one has asked for yet costs.
    with servers.opendata_server(folder, scratch / "opendata-afresh.log", AFRESH) as port:
        report["http_afresh"] = [asdict(t) for t in _time_http(port, labels, urls, runs, warmup)]
        print("  ours, each page made afresh (the public cache off):")
        print(_timed_table(report["http_afresh"]))
    report["datasette"] = _datasette(folder, load, labels, queries, deep_page, runs, warmup)
    if postgres:
        report["postgres"] = _postgres(postgres, scratch, clean, schema, urls, runs, warmup)
    _print_comparison(report)
    if report["datasette"].get("first_id_on_deep_page") not in (None, ours_first):
        print(
            f"  NOTE: the deep page starts at transaction {ours_first} on ours and "
            f"{report['datasette']['first_id_on_deep_page']} on Datasette"
        )
    return report


def _exports(port: int, base: str) -> tuple[dict, dict]:
    """The whole table as CSV twice: the first export writes it and keeps the file (on
    SQLite), the second reads the kept file; both must give the same bytes."""
    _heading("Full CSV export over HTTP (ours): first, then again")
    first = servers.download(port, f"{base}.csv", digest=True)
    print(f"  first: {_download_line(asdict(first))}")
    again = servers.download(port, f"{base}.csv", digest=True)
    print(f"  again: {_download_line(asdict(again))}")
    if first.sha256 != again.sha256:
        print("  NOTE: the two exports differ")
    return asdict(first), asdict(again)


def _our_total(port: int, url: str) -> dict:
    body = servers.get_json(port, url)
    return {"total": body["total"], "exact": body["total_is_exact"]}


def _postgres(
    url: str, scratch: Path, clean: Path, schema: Path, urls: list[str], runs: int, warmup: int
) -> dict:
    """The same file loaded into a fresh PostgreSQL database (dropped and created again),
    then the filtered, sorted page, its total and the full export over HTTP."""
    _heading(f"PostgreSQL: the same file in {make_url(url).database}, loaded afresh")
    instance.fresh_database(url)
    folder = scratch / "datastore-instance-pg"
    instance.use_settings(folder, {"OPENDATA_DATABASE_URL": url})
    load = _check_and_load(folder, clean, schema, scratch)
    base = f"/api/data/{load['resource_id']}"
    ours = [f"{base}?{asked.split('?', 1)[1]}" for asked in urls[: COUNTED + 1]]
    labels = [label for label, _ in QUERIES[: COUNTED + 1]]
    with servers.opendata_server(folder, scratch / "opendata-serve-pg.log") as port:
        timed = _time_http(port, labels, ours, runs, warmup)
        print(_timed_table([asdict(t) for t in timed]))
        total = _our_total(port, ours[COUNTED])
        print(f"  total of the filtered page: {total['total']:,} (exact: {total['exact']})")
        _heading("PostgreSQL: full CSV export over HTTP (COPY)")
        export = servers.download(port, f"{base}.csv", digest=True)
        print(_download_line(asdict(export)))
    _heading("PostgreSQL: totals where matches are spread out and where they bunch")
    return {
        "load": load,
        "http": [asdict(t) for t in timed],
        "total": total,
        "export": asdict(export),
        "totals": estimates.run(folder, load["resource_id"], "PostgreSQL"),
    }


def _print_item_one(report: dict) -> None:
    """Issue 22's item 1 in one table: the whole `opendata load` against `frictionless
    validate` in the same run, the errors each finds on the planted file, and memory."""
    _heading("Issue 22, item 1: `opendata load` against `frictionless validate` (same run)")
    load, theirs, found = report["load"], report["frictionless"], report["agreement"]
    if theirs.get("error"):
        print(f"  frictionless FAILED: {theirs['error']}")
        return
    rows = [
        ("whole `opendata load` process, s", load["command_seconds"], theirs["seconds"],
         theirs["times_slower_than_command"]),
        ("  ... until the indexes the timed pages read are built, s",
         load["pages_indexed_seconds"], theirs["seconds"],
         theirs["times_slower_than_pages_indexed"]),
        ("  ... until its every index is built, s", load["indexed_seconds"], theirs["seconds"],
         theirs["times_slower_than_indexed"]),
        ("CPU time of the command (with its ingest process), s", load["command_cpu_seconds"],
         theirs["cpu_seconds"], theirs["cpu_seconds"] / load["command_cpu_seconds"]),
        ("peak memory, all processes together, MB", load["peak_mb"], theirs["peak_mb"], ""),
        ("errors on the planted file", sum(found["ours"].values()),
         sum(found["theirs"].values()), "lists agree" if found["agree"] else "DISAGREE"),
    ]  # fmt: skip
    lines = table(("measure", "ours", "frictionless", "ratio"), rows).splitlines()
    print("\n".join("  " + line for line in lines))
    print(f"  load average {machine.load_average()}")


def _print_comparison(report: dict) -> None:
    """Issue 22's items 2 and 3 side by side: ours against Datasette, one run, one machine."""
    _heading("Issue 22, items 2 and 3: ours against Datasette (ratio = Datasette / ours)")
    datasette = report.get("datasette", {})
    rows = []
    if "lean" in datasette:
        theirs_p95 = datasette["lean"][COUNTED]["stats"]["p95"]
        for key, how in (("http_afresh", "made afresh"), ("http_ours", "a kept answer")):
            ours_p95 = report[key][COUNTED]["stats"]["p95"]
            label = f"{QUERIES[COUNTED][0]} ({how}), p95 ms"
            rows.append((label, ours_p95, theirs_p95, theirs_p95 / ours_p95))
        label = "exact" if report["total"]["exact"] else "estimate"
        rows.append(
            (f"its total ({label}; Datasette counts)", report["total"]["total"],
             datasette.get("total"), "")
        )  # fmt: skip
    theirs = datasette.get("export", {}).get("seconds")
    exports = [("full CSV export, first (writes the kept file), s", report["export_first"])]
    exports.append(("full CSV export, again (the kept file), s", report["export"]))
    if "postgres" in report:
        exports.append(("full CSV export on PostgreSQL (COPY), s", report["postgres"]["export"]))
    for label, export in exports:
        rows.append(
            (label, export["seconds"], theirs, theirs / export["seconds"] if theirs else "")
        )
    print(
        "\n".join(
            "  " + line
            for line in table(("measure", "ours", "Datasette", "ratio"), rows).splitlines()
        )
    )
    print(f"  load average {machine.load_average()}")


def _generate(data: Path, rows: int, report: dict) -> tuple[Path, Path, Path]:
    _heading(f"Datastore: generating {rows:,} rows of council spend")
    started = time.perf_counter()
    schema = spend.write_schema(data / "spend.schema.json")
    clean = spend.write_clean(data / "spend.csv", rows)
    planted = spend.write_planted(data / "spend-planted.csv", rows)
    seconds = time.perf_counter() - started
    # The files on disk before anything is timed: else the kernel writes them out during the
    # first timed command (ours), which the peer after it never pays for.
    os.sync()
    size = clean.stat().st_size / 1e6
    report["file"] = {
        "rows": rows,
        "columns": len(spend.SCHEMA["fields"]),
        "megabytes": size,
        "generate_seconds": seconds,
    }
    print(f"  {size:.1f} MB, and the planted copy, in {seconds:.0f} s")
    return schema, clean, planted


def _check_and_load(folder: Path, clean: Path, schema: Path, scratch: Path) -> dict:
    """`opendata load` of the file as a data package, timed as a whole process (see
    `datastore_load`), with the rates worked out."""
    _heading("opendata load of the file as a data package (a process of its own, timed whole)")
    out = scratch / "load.json"
    command = [sys.executable, "-m", "benchmarks.datastore_load"]
    subprocess.run([*command, str(folder), str(clean), str(schema), str(out)], check=True)
    load = json.loads(out.read_text())
    load["validate_load_rows_per_second"] = load["loaded_rows"] / load["validate_load_seconds"]
    load["rows_per_second"] = load["loaded_rows"] / load["command_seconds"]
    load["pages_indexed_seconds"] = max(load["indexed_at"].get(name, 0.0) for name in PAGE_INDEXES)
    peaks = ", ".join(f"{role} {mb:.0f} MB" for role, mb in load["process_peaks_mb"].items())
    print(
        f"  {load['loaded_rows']:,} rows loaded, {load['errors']} errors. The whole command "
        f"{load['command_seconds']:.1f} s ({load['rows_per_second']:,.0f} rows/s), of which "
        f"the check's validate + load {load['validate_load_seconds']:.1f} s; every index "
        f"built {load['indexed_seconds']:.1f} s from the start, and those the timed pages "
        f"use {load['pages_indexed_seconds']:.1f} s ({load['indexes']} columns, "
        f"paired: {', '.join(load['pairs']) or 'none'})\n"
        f"  peak memory of all its processes together {load['peak_mb']:.0f} MB "
        f"(each one's own peak: {peaks})"
    )
    return load


def _frictionless(clean: Path, schema: Path, load: dict) -> dict:
    _heading("frictionless validate on the same file (child process)")
    theirs = agreement.frictionless_validate(clean, schema)
    figures = asdict(theirs)
    if theirs.error:
        print(f"  FAILED: {theirs.error}")
        return figures
    figures["times_slower_than_command"] = theirs.seconds / load["command_seconds"]
    figures["times_slower_than_indexed"] = theirs.seconds / load["indexed_seconds"]
    figures["times_slower_than_pages_indexed"] = theirs.seconds / load["pages_indexed_seconds"]
    print(
        f"  {theirs.seconds:.1f} s (valid: {theirs.valid}, {theirs.rows} rows, peak memory "
        f"{theirs.peak_mb or 0:.0f} MB): {figures['times_slower_than_command']:.1f}x our whole "
        f"`opendata load`, {figures['times_slower_than_indexed']:.1f}x until its every index"
    )
    return figures


def _test_client(folder: Path, base: str, deep_page: int, runs: int, warmup: int, report: dict):
    """Time the pages in-process; return the queries (with the deep page's token) for HTTP."""
    _heading(f"Query API through the Flask test client ({runs} requests a page)")
    app = instance.served_app(folder)
    client = app.test_client()
    get = _client_getter(client)
    deep = _deep_token(get, base, {"_sort": DEEP_SORT}, deep_page, OUR_MAX_SIZE, _our_next)
    queries = [*QUERIES, (f"page {deep_page:,} of all rows sorted by amount", deep)]
    urls = [_url(base, {**query, "_size": PAGE_SIZE}) for _, query in queries]
    labels = [label for label, _ in queries]
    report["test_client"] = [asdict(t) for t in _time_client(client, labels, urls, runs, warmup)]
    print(_timed_table(report["test_client"], cpu=True))
    instance.close(app)
    return queries


def verdict(report: dict) -> str:
    """The datastore targets of docs/performance.md, each with its figure from this run."""
    load, theirs = report["load"], report["frictionless"]
    rows: list[tuple[str, str, str]] = [
        _against(
            f"validate + load >= {ROWS_PER_SECOND_TARGET:,} rows/s",
            load["validate_load_rows_per_second"] >= ROWS_PER_SECOND_TARGET,
            f"{load['validate_load_rows_per_second']:,.0f} rows/s "
            f"({load['validate_load_seconds']:.1f} s)",
        ),
        _against(
            "  ... the whole `opendata load` command",
            load["rows_per_second"] >= ROWS_PER_SECOND_TARGET,
            f"{load['rows_per_second']:,.0f} rows/s ({load['command_seconds']:.1f} s)",
        ),
    ]
    if theirs.get("error") is None:
        rows += [
            _against(
                f"`opendata load` >= {TIMES_FASTER_TARGET:.0f}x faster than frictionless validate",
                theirs["times_slower_than_command"] >= TIMES_FASTER_TARGET,
                f"{theirs['times_slower_than_command']:.1f}x ({load['command_seconds']:.1f} s "
                f"against {theirs['seconds']:.1f} s)",
            ),
            _against(
                "  ... until every index is built",
                theirs["times_slower_than_indexed"] >= TIMES_FASTER_TARGET,
                f"{theirs['times_slower_than_indexed']:.1f}x ({load['indexed_seconds']:.1f} s)",
            ),
        ]
    found = report["agreement"]
    rows.append(
        _against(
            "same errors as frictionless (planted file)",
            found["agree"],
            f"{sum(found['ours'].values())} ours, {sum(found['theirs'].values())} theirs",
        )
    )
    rows.append(
        _against(
            f"peak memory of the load < {PEAK_MB_TARGET:.0f} MB",
            load["peak_mb"] < PEAK_MB_TARGET,
            f"{load['peak_mb']:.0f} MB (all its processes together)",
        )
    )
    for key, where in (
        ("test_client", "test client"),
        ("http_ours", "HTTP"),
        ("http_afresh", "HTTP, made afresh"),
    ):
        timed = [row for row in report[key] if row["stats"]]
        if len(timed) < len(report[key]):
            rows.append((f"API pages ({where})", "some FAILED", "MISSES"))
        if timed:
            worst = max(timed, key=lambda row: row["stats"]["p95"])
            rows.append(
                _against(
                    f"API page p95 < {PAGE_P95_TARGET_MS:.0f} ms ({where}, worst page)",
                    worst["stats"]["p95"] < PAGE_P95_TARGET_MS,
                    f"{worst['stats']['p95']:.1f} ms ({worst['label']})",
                )
            )
    export = report["export"]
    rows.append(
        _against(
            f"CSV export of every row < {EXPORT_SECONDS_TARGET:.0f} s",
            export["seconds"] < EXPORT_SECONDS_TARGET,
            f"{export['seconds']:.1f} s ({export['bytes'] / 1e6:.0f} MB)",
        )
    )
    rows += _against_datasette(report)
    ratio = _datasette_ratio(report)
    if ratio:
        rows.append(("Datasette p95 / ours made afresh (HTTP, same pages)", ratio, "reported"))
    return "\n".join(
        "  " + line
        for line in table(("datastore target", "measured", "verdict"), rows).splitlines()
    )


def _against_datasette(report: dict) -> list[tuple[str, str, str]]:
    """Issue 22: the filtered, sorted page no slower than Datasette's with the same indexes,
    and the full export at least 6 times faster than its streamed CSV, on both databases."""
    datasette = report.get("datasette", {})
    if "lean" not in datasette:
        return []
    theirs = datasette["lean"][COUNTED]["stats"]
    rows = []
    for key, how in (("http_afresh", "made afresh"), ("http_ours", "kept")):
        ours = report[key][COUNTED]["stats"]
        if ours and theirs:
            rows.append(
                _against(
                    f"filtered, sorted page p95 <= Datasette's ({how})",
                    ours["p95"] <= theirs["p95"],
                    f"{ours['p95']:.1f} ms against {theirs['p95']:.1f} ms",
                )
            )
    exports = [("SQLite, first", report["export_first"]), ("SQLite, again", report["export"])]
    if "postgres" in report:
        exports.append(("PostgreSQL", report["postgres"]["export"]))
    for where, export in exports:
        times = datasette["export"]["seconds"] / export["seconds"]
        rows.append(
            _against(
                f"CSV export >= {EXPORT_TIMES_DATASETTE_TARGET:.0f}x Datasette's ({where})",
                times >= EXPORT_TIMES_DATASETTE_TARGET,
                f"{times:.1f}x ({export['seconds']:.2f} s)",
            )
        )
    return rows


def _against(target: str, met: bool, measured: str) -> tuple[str, str, str]:
    return target, measured, "meets" if met else "MISSES"


def _datasette_ratio(report: dict) -> str | None:
    """Per page, Datasette's p95 over ours made afresh (above 1: Datasette is slower), default
    and lean."""
    datasette = report.get("datasette", {})
    if "default" not in datasette:
        return None
    parts = []
    for variant in ("default", "lean"):
        ratios = [
            theirs["stats"]["p95"] / ours["stats"]["p95"]
            for ours, theirs in zip(report["http_afresh"], datasette[variant], strict=True)
            if ours["stats"] and theirs["stats"]
        ]
        if ratios:
            parts.append(f"{variant} {min(ratios):.1f} to {max(ratios):.1f}")
    return ", ".join(parts) or None


def _datasette(folder, load, labels, our_queries, deep_page, runs, warmup) -> dict:
    if not servers.datasette_installed():
        print("  Datasette: skipped, not installed (pip install -e '.[bench]')")
        return {"skipped": "datasette is not installed"}
    keys = {column["name"]: f"c{n}" for n, column in enumerate(spend.SCHEMA["fields"])}
    database = folder / "datastore.sqlite"
    base = f"/{database.stem}/{load['table_name']}.json"
    result: dict = {}
    with servers.datasette_server(database, folder.parent / "datasette.log") as port:

        def datasette_get(url: str) -> dict:
            return servers.get_json(port, url)

        deep = _deep_token(
            datasette_get,
            base,
            {"_sort": keys[DEEP_SORT]},
            deep_page,
            DATASETTE_MAX_SIZE,
            lambda body: body.get("next"),
        )
        queries = [_as_datasette(query, keys) for _, query in our_queries[:-1]] + [deep]
        urls = [_url(base, {**query, "_size": PAGE_SIZE}) for query in queries]
        lean = [_url(base, {**query, "_size": PAGE_SIZE, **LEAN}) for query in queries]
        default_runs = min(runs, DATASETTE_DEFAULT_RUNS)
        result["default"] = [
            asdict(t) for t in _time_http(port, labels, urls, default_runs, min(warmup, 3))
        ]
        print(
            f"  Datasette, as it answers by default (counts every match, suggests facets; "
            f"{default_runs} requests a page):"
        )
        print(_timed_table(result["default"]))
        result["lean"] = [asdict(t) for t in _time_http(port, labels, lean, runs, warmup)]
        print("  Datasette with _nocount=1&_nofacet=1&_nosuggest=1 (our API counts to 10,000):")
        print(_timed_table(result["lean"]))
        result["total"] = datasette_get(urls[COUNTED]).get("filtered_table_rows_count")
        body = datasette_get(urls[-1])
        result["first_id_on_deep_page"] = body["rows"][0][body["columns"].index("c0")]
        export = base.removesuffix(".json") + ".csv?_stream=on&_size=max"
        result["export"] = asdict(servers.download(port, export))
        print(f"  Datasette CSV export (_stream=on): {_download_line(result['export'])}")
    return result


def _deep_token(
    get: Callable[[str], dict],
    base: str,
    query: dict,
    page: int,
    max_size: int,
    next_of: Callable[[dict], str | None],
) -> dict:
    """The query for page `page` of `PAGE_SIZE` rows, found by following `_next` tokens: in
    pages of `max_size` rows as far as they go, then `PAGE_SIZE` at a time."""
    before = (page - 1) * PAGE_SIZE
    token = None
    for size, hops in ((max_size, before // max_size), (PAGE_SIZE, before % max_size // PAGE_SIZE)):
        for _ in range(hops):
            body = get(_url(base, {**query, "_size": size, **({"_next": token} if token else {})}))
            token = next_of(body)
    return {**query, "_next": token} if token else dict(query)


def _as_datasette(query: dict, keys: dict[str, str]) -> dict:
    """Our query string in Datasette's words: the same vocabulary, on the stored columns."""
    translated = {}
    for name, value in query.items():
        column, _, operator = name.partition("__")
        if name in ("_sort", "_sort_desc"):
            translated[name] = keys[value]
        else:
            translated[f"{keys[column]}__{operator}"] = value
    return translated


def _client_getter(client) -> Callable[[str], dict]:
    def get(url: str) -> dict:
        response = client.get(url)
        if response.status_code != 200:
            raise servers.RequestFailed(f"{url} answered {response.status_code}")
        # The stdlib's parser: the app's own refuses request bodies over 2 MB, and a page
        # of 1,000 rows is larger.
        return json.loads(response.data)

    return get


def _our_next(body: dict) -> str | None:
    return body.get("next")


def _time_client(client, labels, urls, runs: int, warmup: int) -> list[Timed]:
    timed = []
    for label, url in zip(labels, urls, strict=True):

        def get(_i: int, url: str = url) -> int:
            response = client.get(url)
            if response.status_code != 200:
                raise servers.RequestFailed(f"{url} answered {response.status_code}")
            return len(response.data)

        try:
            size = get(0)
            timed.append(Timed(label, url, size, measure(get, runs=runs, warmup=warmup)))
        except Exception as error:  # one broken query is reported, the others still run
            timed.append(Timed(label, url, 0, None, f"{type(error).__name__}: {error}"))
    return timed


def _time_http(port: int, labels, urls, runs: int, warmup: int) -> list[Timed]:
    timed = []
    for label, url in zip(labels, urls, strict=True):
        try:
            stats, size = servers.time_urls(port, [url], runs=runs, warmup=warmup)
            timed.append(Timed(label, url, size, stats))
        except Exception as error:
            timed.append(Timed(label, url, 0, None, f"{type(error).__name__}: {error}"))
    return timed


def _first_id(body: dict):
    return body["rows"][0][0] if body["rows"] else None


def _url(base: str, query: dict) -> str:
    return f"{base}?{urlencode(query)}"


def _agreement_table(found: agreement.Agreement) -> str:
    kinds = sorted(set(found.ours) | set(found.theirs))
    rows = [(kind, found.ours.get(kind, 0), found.theirs.get(kind, 0)) for kind in kinds]
    lines = table(("error type", "ours", "frictionless"), rows).splitlines()
    verdict = "AGREE" if found.agree else "DISAGREE"
    lines.append(
        f"(type, row, field) lists {verdict}; ours took {found.our_seconds:.1f} s, "
        f"frictionless {found.their_seconds:.1f} s"
    )
    if not found.agree:
        lines.append(f"only ours (first 20): {found.only_ours}")
        lines.append(f"only frictionless's (first 20): {found.only_theirs}")
    return "\n".join("  " + line for line in lines)


def _timed_table(rows: list[dict], *, cpu: bool = False) -> str:
    headers = ["page (_size=100)", "KB", "p50", "p95", "max"] + (["cpu p95"] if cpu else [])
    body, failures = [], []
    for row in rows:
        stats = row["stats"]
        if stats is None:
            failures.append(f"  FAILED {row['label']}: {row['error']}")
            continue
        figures = [stats["p50"], stats["p95"], stats["max"]]
        body.append(
            [row["label"], row["bytes"] / 1024, *figures] + ([stats["cpu_p95"]] if cpu else [])
        )
    text = "\n".join("  " + line for line in table(headers, body).splitlines())
    return "\n".join([text + "\n  (milliseconds)", *failures])


def _download_line(download: dict) -> str:
    return (
        f"  {download['bytes'] / 1e6:.1f} MB, {download['lines']:,} lines in "
        f"{download['seconds']:.2f} s"
    )


def _heading(text: str) -> None:
    print(f"\n== {text}", flush=True)
