"""Webhook deliveries are made by the worker from the events, not by the write

A write used to insert its events' deliveries in its own statement, while it held its
firm's event counter locked until commit: every firm's writes waited for that work. Now
the write records its events only, and the delivery worker fans them out afterwards,
each subscription from the cursor it reached (`fanned_through`) up to the firm's last
committed one. A subscription starts from its firm's last cursor when it is created (a
trigger, so no insert can forget it), and existing ones from their firm's last cursor
now, since their deliveries were made with their events.

Stop every server before upgrading: one of an earlier version still running would make
deliveries with its writes, and the worker would make them again. A downgrade loses the
deliveries of events not yet fanned out.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 13:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "webhook_subscriptions",
        sa.Column("fanned_through", sa.BigInteger(), server_default="0", nullable=False),
    )
    op.execute(
        """
        UPDATE webhook_subscriptions AS s SET fanned_through = c.last
        FROM event_counters AS c WHERE c.firm_id = s.firm_id
        """
    )
    op.execute(
        """
        CREATE FUNCTION advisercrm_subscription_starts() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            NEW.fanned_through := coalesce(
                (SELECT last FROM event_counters WHERE firm_id = NEW.firm_id), 0);
            RETURN NEW;
        END $$
        """
    )
    op.execute(
        """
        CREATE TRIGGER subscription_starts BEFORE INSERT ON webhook_subscriptions
        FOR EACH ROW EXECUTE FUNCTION advisercrm_subscription_starts()
        """
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER subscription_starts ON webhook_subscriptions")
    op.execute("DROP FUNCTION advisercrm_subscription_starts()")
    op.drop_column("webhook_subscriptions", "fanned_through")
