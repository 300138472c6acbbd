"""Publisher hooks: where data comes from and what happens around a release.

`hookspecs` is the whole plugin surface; `manager` registers the built-in plugins
(`kpi_machine`, `disclosure`, `release_log`) exactly as installed ones; `runs` is the publishing
run that takes a source's batch through the hooks into the catalogue; `jobs` puts work on the
queue. Like every caller, publishers change the catalogue only through `catalog`'s services,
and never import `opendata`.
"""
