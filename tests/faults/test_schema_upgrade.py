"""New code on a database not yet upgraded: visitors get a clear 503 to come back, the log tells
the operator what to run, and `opendata init` brings the site back."""

from __future__ import annotations

import logging

from sqlalchemy import text

from tests.conftest import Catalogue
from tests.faults.databases import build_app
from tests.pages import lede, parse_page


def test_a_database_behind_the_code_is_a_503_until_init_is_run(tmp_path, caplog):
    app = build_app(tmp_path)
    session = app.extensions["catalog"]["sessions"]()
    catalogue = Catalogue(app, session)
    catalogue.organisation()
    catalogue.dataset("school-places", files={"places.csv": b"school,places\nFulford,120\n"})
    session.commit()
    session.close()
    # The database as the code before UUIDs for groups and tags (migration 0012), search
    # entries (0013) and the public-change stamp (0014) left it.
    with app.extensions["catalog"]["engine"].begin() as connection:
        connection.execute(text("DROP INDEX ix_resource_version_published_at"))
        for table in ("search_entry", "search_word", "search_generation", "public_change"):
            connection.execute(text(f"DROP TABLE {table}"))
        for table in ("organisation", "topic", "tag"):
            connection.execute(text(f"DROP INDEX ix_{table}_uuid"))
            connection.execute(text(f"ALTER TABLE {table} DROP COLUMN uuid"))
        connection.execute(text("UPDATE alembic_version SET version_num = '0011'"))
    client = app.test_client()

    with caplog.at_level(logging.ERROR):
        page = client.get("/datasets/school-places")
    assert page.status_code == 503 and page.headers["Retry-After"] == "10"
    assert lede(parse_page(page)) == (
        "The site is being upgraded, so nothing was changed. Try again in a few minutes."
    )
    assert "The database is at migration 0011" in caplog.text
    assert "run `opendata init`" in caplog.text
    api = client.get("/api/3/action/package_show?id=school-places")
    assert api.status_code == 503 and api.get_json()["error"]["title"]

    assert app.test_cli_runner().invoke(args=["init"]).exit_code == 0
    assert client.get("/datasets/school-places").status_code == 200
