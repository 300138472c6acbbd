"""Alembic environment: runs migrations on the connection `catalog.migrate` hands over."""

from alembic import context

from catalog.db import Base
from catalog.models import Activity  # noqa: F401  (registers every model on Base.metadata)

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
