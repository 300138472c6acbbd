"""Distribution: the public catalogue handed out in bulk, and the instance kept safe.

Holds the release feed and sitemap entries (`feeds`), bulk dumps (`dumps`) and backup and
restore (`backup`). Reads through the public read model; uses `publishing`, `tables`, `search`
and the core.
"""
