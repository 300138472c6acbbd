"""Publisher hooks: where data comes from and what happens around a release.

The hook specifications and the built-in publishers (the KPI Machine source, disclosure
control, notifications) arrive with the publishing workflow; like every caller, they change the
catalogue only through the services in `catalog`.
"""
