"""The catalogue: the domain, its rules and its one write path. It never imports Flask.

The web, the APIs, the CLI and the publisher hooks change the catalogue only through the
services in its rooms. The rooms, top to bottom (a room may use only those below it):

- `demo`: the demo catalogue built from the seed documents.
- `indicators`: KPI series, their observations and what is derived from them.
- `calendar`: the release calendar and compliance with the Transparency Code.
- `distribution`: feeds, bulk dumps, backup and restore.
- `publishing`: datasets and files from draft to release, with four-eyes review.
- `tables`: reading, checking and serving tabular files (the datastore).
- `accounts` and `search`: who may act, and finding datasets.
- the core, as modules directly in this package: `models`, `db`, `clock`, `uk_time`, `errors`,
  `names`, `periods`, `permissions`, `activity`, `licences`, `storage`, `reindex`,
  `transactions`, `migrate`, `public_changes` (the stamp every public change writes) and
  `visibility`, the one public read model.
"""
