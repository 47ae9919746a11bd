"""webhook deliveries: one row per event and subscription, each attempt's outcome

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 01:00:00.000000

A delivery is written with its event, in the same statement; the worker claims due
pending ones under a lease (`locked_until`) and records each attempt's outcome.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING = sa.text("status = 'pending'")


def upgrade() -> None:
    op.create_table(
        "webhook_deliveries",
        sa.Column("firm_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("uuid", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("subscription_id", sa.BigInteger(), nullable=False),
        sa.Column("event_cursor", sa.BigInteger(), nullable=False),
        sa.Column("record_uuid", sa.UUID(), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="pending", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "next_attempt_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'delivered', 'failed')",
            name=op.f("ck_webhook_deliveries_status"),
        ),
        sa.ForeignKeyConstraint(
            ["firm_id", "subscription_id"],
            ["webhook_subscriptions.firm_id", "webhook_subscriptions.id"],
            name=op.f("fk_webhook_deliveries_firm_id_webhook_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["firm_id", "event_cursor"],
            ["events.firm_id", "events.cursor"],
            name=op.f("fk_webhook_deliveries_firm_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("firm_id", "id", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint("firm_id", "uuid", name=op.f("uq_webhook_deliveries_firm_id_uuid")),
    )
    op.create_index(
        op.f("ix_webhook_deliveries_due"),
        "webhook_deliveries",
        ["next_attempt_at"],
        postgresql_where=PENDING,
    )
    op.create_index(
        op.f("ix_webhook_deliveries_pending_record"),
        "webhook_deliveries",
        ["firm_id", "subscription_id", "record_uuid", "event_cursor"],
        postgresql_where=PENDING,
    )
    op.create_index(
        op.f("ix_webhook_deliveries_firm_id_subscription_id_created_at_id"),
        "webhook_deliveries",
        ["firm_id", "subscription_id", "created_at", "id"],
    )
    op.create_index(
        op.f("ix_webhook_deliveries_firm_id_event_cursor"),
        "webhook_deliveries",
        ["firm_id", "event_cursor"],
    )


def downgrade() -> None:
    op.drop_table("webhook_deliveries")
