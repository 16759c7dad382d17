"""Alembic environment: runs on the connection handed over by adapters.storage.database."""

from __future__ import annotations

from alembic import context

from adapters.storage.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("use `coach-or-therapy db upgrade`; it supplies the database connection")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
