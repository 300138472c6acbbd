"""Fixtures that build a real app on a temporary instance: SQLite always, PostgreSQL when
`OPENDATA_TEST_DATABASE_URL` is set (each test then gets the database emptied and migrated)."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import Engine, create_engine, inspect, make_url, text
from werkzeug.routing import Rule

from catalog.accounts import users
from catalog.db import make_engine
from catalog.migrate import head_revision, upgrade
from catalog.permissions import Actor
from catalog.publishing.datasets import DatasetInput, dataset_create
from catalog.publishing.groups import organisation_create, topic_create
from catalog.publishing.resources import Upload, resource_create
from catalog.publishing.workflow import release_without_review
from opendata import create_app
from tests.s3_server import CREDENTIALS, Bucket, moto_server, new_bucket


def _own_database(url: str | None) -> str | None:
    """Under pytest-xdist each worker empties and fills its own PostgreSQL database, named
    after the configured one (`<name>_gw0`, ...), made on first use."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    own = make_url(url).set(database=f"{make_url(url).database}_{worker}")
    server = create_engine(url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        known = "SELECT 1 FROM pg_database WHERE datname = :name"
        if connection.execute(text(known), {"name": own.database}).first() is None:
            connection.execute(text(f'CREATE DATABASE "{own.database}"'))
    server.dispose()
    return own.render_as_string(hide_password=False)


def _without_flush_waits(url: str | None) -> str | None:
    """The test database commits without waiting for its log to reach the disk: a crash could
    lose the last commits, which no test makes, and each commit no longer waits for an fsync."""
    if not url:
        return url
    server = create_engine(url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        name = make_url(url).database
        connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    server.dispose()
    return url


POSTGRES_URL = _without_flush_waits(_own_database(os.environ.get("OPENDATA_TEST_DATABASE_URL")))
DATABASES = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers",
        "one_database: the answer is the app's, not the engine's (a document generated from "
        "declarations, a fuzz of the HTTP contract): run once, on PostgreSQL when there is one",
    )


def pytest_collection_modifyitems(config, items) -> None:
    """Leave out the runs of a `one_database` test on any engine but the last of DATABASES."""
    dropped = [item for item in items if _on_another_engine(item)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if not _on_another_engine(item)]


def _on_another_engine(item) -> bool:
    if item.get_closest_marker("one_database") is None or not hasattr(item, "callspec"):
        return False
    engines = [value for value in item.callspec.params.values() if isinstance(value, str)]
    return any(engine in DATABASES[:-1] for engine in engines)


ACTOR = Actor.system("test publisher")
TEST_SESSIONS = "test sessions"


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashes():
    """Passwords are hashed by argon2id at its lowest cost in tests: the same code paths, at
    a hundredth of the production cost's 120 ms a hash, which thousands of sign-ins paid."""
    hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(users, "_hasher", hasher)
        patch.setattr(users, "_DUMMY", hasher.hash("a password nobody has"))
        yield


@pytest.fixture(autouse=True, scope="session")
def url_builders_made_once():
    """Werkzeug writes and compiles a Python function to build each URL rule's addresses, for
    every app: 0.11 of the 0.13 s an app takes to make, and the suite makes thousands (a
    server makes one). The function depends only on the rule, so tests make each one once and
    every app's rules are bound to it, as each would have been to its own identical copy."""
    make = Rule._compile_builder
    made: dict[tuple, object] = {}

    def made_once(rule: Rule, append_unknown: bool = True):
        key = (
            rule.rule,
            rule.host,
            rule.subdomain,
            tuple(rule._trace),
            repr(sorted((rule.defaults or {}).items())),
            tuple((name, type(found)) for name, found in rule._converters.items()),
            append_unknown,
        )
        if key not in made:
            made[key] = make(rule, append_unknown)
        return made[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Rule, "_compile_builder", made_once)
        yield


def _empty_postgres(url: str) -> None:
    """Empty every table, or start the schema afresh when it is not at the newest migration
    (migrating each test's database from nothing would take most of the suite's time).

    Rows are deleted, children before parents, and every sequence starts again: on the few
    rows a test leaves, that is ten times quicker than TRUNCATE, which makes new files for
    every table and index."""
    engine = _ENGINES.get(url) or _ENGINES.setdefault(url, create_engine(url))
    with engine.begin() as connection:
        if _at_head(connection):
            _EMPTYING[url] = _EMPTYING.get(url) or _emptying(connection)
            connection.exec_driver_sql(_EMPTYING[url])
        else:
            _EMPTYING.pop(url, None)
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))


_ENGINES: dict[str, Engine] = {}  # one per database, its connection kept between tests
_EMPTYING: dict[str, str] = {}
_SEQUENCES = """SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'S' AND n.nspname = 'public'"""


def _at_head(connection) -> bool:
    tables = inspect(connection).get_table_names()
    return "alembic_version" in tables and _revision(connection) == head_revision()


def _emptying(connection) -> str:
    """The statements that empty the tables, children before parents, and restart the
    sequences, sent in one round trip."""
    ordered = [name for name, _ in inspect(connection).get_sorted_table_and_fkc_names() if name]
    deletes = [f'DELETE FROM "{name}"' for name in reversed(ordered) if name != "alembic_version"]
    sequences = connection.execute(text(_SEQUENCES)).scalars()
    return "; ".join([*deletes, *(f'ALTER SEQUENCE "{name}" RESTART' for name in sequences)])


def _revision(connection) -> str | None:
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> Path:
    """One empty catalogue at the newest migration, copied into each test's instance."""
    path = tmp_path_factory.mktemp("migrated") / "catalogue.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA journal_mode=DELETE")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server (`tests.s3_server`), one for the whole run."""
    with moto_server() as endpoint:
        yield endpoint


@pytest.fixture
def s3(s3_endpoint, monkeypatch) -> Bucket:
    """A new, empty bucket, with boto3's usual variables pointing at the server."""
    for name, value in {**CREDENTIALS, "AWS_ENDPOINT_URL": s3_endpoint}.items():
        monkeypatch.setenv(name, value)
    return new_bucket(s3_endpoint)


@pytest.fixture(params=DATABASES)
def environ(request, tmp_path: Path, migrated_sqlite: Path) -> dict[str, str]:
    return fresh_environ(request.param, tmp_path, migrated_sqlite)


def fresh_environ(database: str, folder: Path, migrated_sqlite: Path) -> dict[str, str]:
    """Settings for an empty catalogue in `folder`, on SQLite or the test PostgreSQL."""
    instance = folder / "instance"
    env = {"OPENDATA_INSTANCE": str(instance), "OPENDATA_SECRET_KEY": "test"}
    if database == "postgresql":
        _empty_postgres(POSTGRES_URL)
        env["OPENDATA_DATABASE_URL"] = POSTGRES_URL
    else:
        instance.mkdir()
        shutil.copyfile(migrated_sqlite, instance / "catalogue.sqlite")
    return env


@pytest.fixture
def app(environ):
    yield from initialised_app(environ)


class EdgeClient(FlaskClient):
    """A browser or API client sent by a test that is the edge of its own unit of work: what
    the test did through the services is committed before each request, as if a publisher's
    earlier request had made it."""

    def open(self, *args, **kwargs):
        commit_test_sessions(self.application)
        return super().open(*args, **kwargs)


class EdgeRunner(FlaskCliRunner):
    """The command line, after the test's own changes are committed (see EdgeClient)."""

    def invoke(self, *args, **kwargs):
        commit_test_sessions(self.app)
        return super().invoke(*args, **kwargs)


def own_session(app, session):
    """Make `session` the test's own: it is committed before each request and command."""
    app.extensions.setdefault(TEST_SESSIONS, []).append(session)
    return session


def commit_test_sessions(app) -> None:
    for session in app.extensions.get(TEST_SESSIONS, []):
        session.commit()


def initialised_app(environ: dict[str, str]):
    """The app on `environ` after `opendata init`, its connections closed afterwards."""
    app = create_app({"TESTING": True, "ENVIRON": environ})
    app.test_client_class = EdgeClient
    app.test_cli_runner_class = EdgeRunner
    runner = app.test_cli_runner()
    result = runner.invoke(args=["init"])
    assert result.exit_code == 0, result.output
    yield app
    app.extensions["catalog"]["engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def session(app):
    """The test's own session: the test is the edge of the work it does through it."""
    with app.extensions["catalog"]["sessions"]() as session:
        yield own_session(app, session)


class Catalogue:
    """Builds catalogue content through the real services, as a publisher would. Each
    method is a unit of work of its own, committed before it returns (the test is the edge),
    so what it made is there for the web client and any other session."""

    def __init__(self, app, session) -> None:
        self.session = session
        self.store = app.extensions["catalog"]["store"]
        self.search = app.extensions["catalog"]["search"]

    def organisation(self, name="children-education", title="Children, Education and Communities"):
        return self.saved(organisation_create(self.session, actor=ACTOR, name=name, title=title))

    def topic(self, name="education-and-skills", title="Education and skills"):
        return self.saved(topic_create(self.session, actor=ACTOR, name=name, title=title))

    def saved(self, made=None):
        """Commit what the test did through this session, as a request or command would at
        its edge; hand back `made`, so a service's answer can be saved where it is made."""
        self.session.commit()
        return made

    def dataset(
        self,
        name: str,
        *,
        title: str | None = None,
        organisation: str = "children-education",
        files: dict[str, bytes] | None = None,
        publish: bool | datetime = True,
        **fields,
    ):
        dataset = dataset_create(
            self.session,
            actor=ACTOR,
            data=DatasetInput(
                name=name,
                title=title or name.replace("-", " ").capitalize(),
                organisation=organisation,
                **fields,
            ),
        )
        for filename, content in (files or {}).items():
            self.add_file(dataset, filename, content)
        if publish:
            at = publish if isinstance(publish, datetime) else None
            release_without_review(self.session, actor=ACTOR, dataset=dataset, at=at, source="test")
        return self.saved(dataset)

    def add_file(
        self, dataset, filename: str, content: bytes, title: str | None = None, table_schema=None
    ):
        resource = resource_create(
            self.session,
            store=self.store,
            actor=ACTOR,
            dataset=dataset,
            title=title or filename,
            upload=Upload(stream=io.BytesIO(content), filename=filename),
            table_schema=table_schema,
        )
        return self.saved(resource)


@pytest.fixture
def catalogue(app, session) -> Catalogue:
    made = Catalogue(app, session)
    made.organisation()
    made.topic()
    return made


@pytest.fixture(scope="module", params=DATABASES)
def shared_app(request, tmp_path_factory, migrated_sqlite):
    """One app for a whole module, for modules whose tests all only read what was built once
    (a test on a fresh PostgreSQL catalogue in the same module would empty it)."""
    folder = tmp_path_factory.mktemp("shared")
    yield from initialised_app(fresh_environ(request.param, folder, migrated_sqlite))


@pytest.fixture(scope="module")
def shared_catalogue(shared_app) -> Catalogue:
    """The module's catalogue, its session kept open so tests can read the rows it made."""
    with shared_app.extensions["catalog"]["sessions"]() as session:
        made = Catalogue(shared_app, own_session(shared_app, session))
        made.organisation()
        made.topic()
        yield made
