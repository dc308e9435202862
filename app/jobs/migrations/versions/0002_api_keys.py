"""API keys; jobs get an owner, and idempotency keys become unique per owner.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"

SQLITE_NAMES = {"uq": "uq_%(table_name)s_%(column_0_name)s"}
"""Names SQLite's unnamed UNIQUE(idempotency_key) of 0001 so batch mode can drop it."""
POSTGRES_UNIQUE = "jobs_idempotency_key_key"
"""PostgreSQL's own name for the column-level UNIQUE of 0001."""
OWNER_IDEMPOTENCY = "ux_jobs_owner_idempotency"


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("admin", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("requests_per_minute", sa.Integer, nullable=True),
        sa.Column("max_jobs", sa.Integer, nullable=True),
        sa.Column("max_time_limit", sa.Float, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    owner = sa.Column("owner", sa.String(100), nullable=True)
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("jobs", naming_convention=SQLITE_NAMES) as batch:
            batch.add_column(owner)
            batch.drop_constraint("uq_jobs_idempotency_key", type_="unique")
    else:
        op.add_column("jobs", owner)
        op.drop_constraint(POSTGRES_UNIQUE, "jobs", type_="unique")
    op.create_index("ix_jobs_owner", "jobs", ["owner"])
    op.create_index(OWNER_IDEMPOTENCY, "jobs", [sa.text("coalesce(owner, '')"), "idempotency_key"], unique=True)


def downgrade() -> None:
    op.drop_index(OWNER_IDEMPOTENCY, table_name="jobs")
    op.drop_index("ix_jobs_owner", table_name="jobs")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("owner")
        batch.create_unique_constraint(POSTGRES_UNIQUE, ["idempotency_key"])
    op.drop_table("api_keys")
