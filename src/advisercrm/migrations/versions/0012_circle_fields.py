"""life stages; a circle's current life stage and its members' login access levels

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 23:00:00.000000

A life stage is a firm's record (the stages its clients' expenditure is planned over). A
circle may name its current one: deleting the stage clears it. Each circle member may
carry the access level (read or write) its login has to the circle.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "life_stages",
        sa.Column("firm_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("uuid", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("start_age", sa.SmallInteger(), nullable=True),
        sa.Column("end_age", sa.SmallInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["firm_id"], ["firms.id"], name=op.f("fk_life_stages_firm_id_firms"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("firm_id", "id", name=op.f("pk_life_stages")),
        sa.UniqueConstraint("firm_id", "uuid", name=op.f("uq_life_stages_firm_id_uuid")),
    )
    op.create_index(
        op.f("ix_life_stages_firm_id_created_at_id"), "life_stages", ["firm_id", "created_at", "id"]
    )
    op.add_column("circles", sa.Column("current_life_stage_id", sa.BigInteger(), nullable=True))
    op.create_foreign_key(
        op.f("fk_circles_firm_id_current_life_stage_id_life_stages"),
        "circles",
        "life_stages",
        ["firm_id", "current_life_stage_id"],
        ["firm_id", "id"],
        ondelete="SET NULL (current_life_stage_id)",
    )
    op.add_column(
        "circle_accounts", sa.Column("login_access_level", sa.String(length=5), nullable=True)
    )
    op.create_check_constraint(
        op.f("ck_circle_accounts_login_access_level"),
        "circle_accounts",
        "login_access_level IN ('read', 'write')",
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("ck_circle_accounts_login_access_level"), "circle_accounts", type_="check"
    )
    op.drop_column("circle_accounts", "login_access_level")
    op.drop_constraint(
        op.f("fk_circles_firm_id_current_life_stage_id_life_stages"),
        "circles",
        type_="foreignkey",
    )
    op.drop_column("circles", "current_life_stage_id")
    op.drop_index(op.f("ix_life_stages_firm_id_created_at_id"), table_name="life_stages")
    op.drop_table("life_stages")
