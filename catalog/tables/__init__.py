"""Tables: reading files as people save them, checking them against a Table Schema, and serving
them.

Holds reading (`reading`, `spreadsheets`), the Frictionless field rules (`fields`), the exact
row-by-row check (`validation`) and the quick column-at-once pass (`quick_check`), the check of
a stored version (`checks`), what a check finds (`findings`, one class per kind) and its
reports (`reports`), the Table Schemas in `schemas/`, personal-data spotting (`redaction`),
safe CSV writing (`exports`) and the `datastore`. Uses the core only; knows nothing of
datasets' workflow.
"""
