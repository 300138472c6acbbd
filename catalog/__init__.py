"""The domain core: models, the one write path, visibility, storage and search.

Nothing here knows about HTTP or Flask; the web, the APIs, the CLI and the publisher hooks all
change the catalogue through the services in this package.
"""
