"""Publishing: datasets and their files, from draft to release, and the public reads of them.

Holds the write path for datasets, organisations and topics, resources and their versions, the
release workflow with its four-eyes review, known issues, linked files, imports of data
packages, and what follows from a release (history, citations, data packages, staff views).
Uses `tables` (checking uploads), `accounts`, `search` (marking what to reindex) and the core.
"""
