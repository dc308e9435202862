"""Alembic environment: runs migrations on the connection handed over by `app.jobs.schema`."""

from alembic import context
from sqlalchemy import text

from app.jobs.tables import Base

MIGRATION_LOCK = 7_270_001
"""PostgreSQL advisory lock id: API and workers may start together; one migrates at a time."""


def run_migrations_online() -> None:
    connection = context.config.attributes["connection"]
    locking = connection.dialect.name == "postgresql"
    if locking:
        connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK})
    try:
        context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    finally:
        if locking:
            connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK})
            connection.commit()


run_migrations_online()
