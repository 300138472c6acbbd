"""One exception family for the catalogue, mapped once to HTTP statuses in `opendata`."""


class CatalogError(Exception):
    """Base of every error a service raises on purpose."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(CatalogError):
    """The thing asked for does not exist, or is not visible to this caller."""


class NotAllowed(CatalogError):
    """The actor may not do this."""


class Invalid(CatalogError):
    """The input breaks a rule; `field` names where."""


class Conflict(CatalogError):
    """The change clashes with what is stored (a taken name, a stale edit)."""


class Withdrawn(NotFound):
    """The thing was published and then withdrawn: its URL says so, with the reason and date."""

    def __init__(self, message: str, *, title: str, reason: str, withdrawn_at) -> None:
        super().__init__(message)
        self.title = title
        self.reason = reason
        self.withdrawn_at = withdrawn_at


class TooLarge(CatalogError):
    """An upload is bigger than the configured maximum."""


class StoreUnavailable(CatalogError):
    """The file store cannot be reached, or refused to read or write: nothing was kept, and
    the request may be tried again later."""


class StoreFull(CatalogError):
    """The file store has no room for the file: nothing was kept."""
