"""The release calendar and the Transparency Code: what will be published, when, and whether
the council has published what the Code asks.

Holds announcements and their changes (`announcements`), the public listing (`listing`), the
wording of dates and changes (`words`) and compliance with the Code (`transparency`). Uses
`publishing` for what has been released, and the core.
"""
