"""The datastore: each checked tabular version as a typed table that the query API reads.

It is kept apart from the catalogue (`datastore.sqlite` beside the catalogue's SQLite file, or
a `datastore` schema in the same PostgreSQL database) and holds only derived data: every
table can be rebuilt from the immutable file in the store.
"""
