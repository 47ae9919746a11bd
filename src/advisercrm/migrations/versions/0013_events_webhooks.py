"""events (a transactional outbox with a per-firm commit-order cursor) and webhook
subscriptions

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 23:50:00.000000

Each change of a firm's record writes an event in its own transaction; the cursor is
handed out by the firm's counter row, locked until commit, so cursors follow commit order.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _now(name: str) -> sa.Column[Any]:
    return sa.Column(
        name, sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
    )


def _uuid() -> sa.Column[Any]:
    return sa.Column("uuid", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False)


def _firm(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["firm_id"], ["firms.id"], name=op.f(f"fk_{table}_firm_id_firms"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "event_counters",
        sa.Column("firm_id", sa.BigInteger(), nullable=False),
        sa.Column("last", sa.BigInteger(), nullable=False),
        sa.Column("pruned_through", sa.BigInteger(), server_default="0", nullable=False),
        _firm("event_counters"),
        sa.PrimaryKeyConstraint("firm_id", name=op.f("pk_event_counters")),
    )
    op.create_table(
        "events",
        sa.Column("firm_id", sa.BigInteger(), nullable=False),
        sa.Column("cursor", sa.BigInteger(), nullable=False),
        _uuid(),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("record_type", sa.String(length=64), nullable=False),
        sa.Column("record_uuid", sa.UUID(), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("seen_by", postgresql.ARRAY(sa.BigInteger()), nullable=True),
        _now("created_at"),
        _firm("events"),
        sa.PrimaryKeyConstraint("firm_id", "cursor", name=op.f("pk_events")),
        sa.UniqueConstraint("firm_id", "uuid", name=op.f("uq_events_firm_id_uuid")),
    )
    op.create_index(
        op.f("ix_events_firm_id_record_uuid_cursor"),
        "events",
        ["firm_id", "record_uuid", "cursor"],
    )
    # The retention prunes oldest first.
    op.create_index(op.f("ix_events_created_at"), "events", ["created_at"])
    op.create_table(
        "webhook_subscriptions",
        sa.Column("firm_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        _uuid(),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("events", postgresql.ARRAY(sa.String(length=64)), nullable=False),
        sa.Column("signing_secret", sa.String(length=60), nullable=False),
        sa.Column("last_outgoing_webhook_call_at", sa.DateTime(timezone=True), nullable=True),
        _now("created_at"),
        _now("updated_at"),
        _firm("webhook_subscriptions"),
        sa.PrimaryKeyConstraint("firm_id", "id", name=op.f("pk_webhook_subscriptions")),
        sa.UniqueConstraint("firm_id", "uuid", name=op.f("uq_webhook_subscriptions_firm_id_uuid")),
    )
    op.create_index(
        op.f("ix_webhook_subscriptions_firm_id_created_at_id"),
        "webhook_subscriptions",
        ["firm_id", "created_at", "id"],
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_webhook_subscriptions_firm_id_created_at_id"), table_name="webhook_subscriptions"
    )
    op.drop_table("webhook_subscriptions")
    op.drop_index(op.f("ix_events_created_at"), table_name="events")
    op.drop_index(op.f("ix_events_firm_id_record_uuid_cursor"), table_name="events")
    op.drop_table("events")
    op.drop_table("event_counters")
