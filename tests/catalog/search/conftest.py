"""Every backend-level search test runs on each backend: Whoosh in a folder always, PostgreSQL
when `OPENDATA_TEST_DATABASE_URL` is set. Both must give the same answers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from catalog.db import make_engine
from catalog.migrate import upgrade
from catalog.search import SearchBackend
from catalog.search.postgres_backend import PostgresBackend
from catalog.search.whoosh_backend import WhooshBackend
from tests.conftest import POSTGRES_URL, _empty_postgres

BACKENDS = ["whoosh"] + (["postgres"] if POSTGRES_URL else [])
_ENGINES: list[Engine] = []


def _postgres() -> Engine:
    """The test database emptied (or started afresh when behind) and at the newest migration."""
    assert POSTGRES_URL
    _empty_postgres(POSTGRES_URL)
    if not _ENGINES:
        _ENGINES.append(make_engine(POSTGRES_URL))
    upgrade(_ENGINES[0])
    return _ENGINES[0]


@pytest.fixture(params=BACKENDS)
def open_backend(request, tmp_path: Path) -> Iterator[Callable[[], SearchBackend]]:
    """Opens a backend on one empty store (a folder, a database); each call opens another on
    the same store, as another process would."""
    if request.param == "whoosh":
        yield lambda: WhooshBackend(tmp_path / "index")
    else:
        engine = _postgres()
        yield lambda: PostgresBackend(engine)


@pytest.fixture
def backend(open_backend: Callable[[], SearchBackend]) -> SearchBackend:
    return open_backend()
