"""Case statuses, case types, client statuses, the case's status, type, plans and
completion, circles' background colour, custom fields' client visibility and conditions,
and accounts' title and entity name

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 20:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _firm_table(name: str, *columns: sa.Column) -> None:  # type: ignore[type-arg]
    op.create_table(
        name,
        sa.Column("firm_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "uuid",
            sa.UUID(),
            server_default=sa.text("gen_random_uuid()"),
            nullable=False,
        ),
        *columns,
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["firm_id"], ["firms.id"], name=op.f(f"fk_{name}_firm_id_firms"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("firm_id", "id", name=op.f(f"pk_{name}")),
        sa.UniqueConstraint("firm_id", "uuid", name=op.f(f"uq_{name}_firm_id_uuid")),
    )
    op.create_index(op.f(f"ix_{name}_firm_id_created_at_id"), name, ["firm_id", "created_at", "id"])


def _fk(table: str, column: str, target: str, ondelete: str) -> None:
    op.create_foreign_key(
        op.f(f"fk_{table}_firm_id_{column}_{target}"),
        table,
        target,
        ["firm_id", column],
        ["firm_id", "id"],
        ondelete=ondelete,
    )


def upgrade() -> None:
    _firm_table(
        "case_statuses",
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("colour", sa.String(7), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_type_completed", sa.Boolean(), server_default="false", nullable=False),
    )
    _firm_table("case_types", sa.Column("name", sa.String(255), nullable=False))
    _firm_table(
        "client_statuses",
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("colour", sa.String(7), nullable=False),
    )
    op.add_column("cases", sa.Column("status_id", sa.BigInteger(), nullable=True))
    op.add_column("cases", sa.Column("type_id", sa.BigInteger(), nullable=True))
    op.add_column("cases", sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True))
    _fk("cases", "status_id", "case_statuses", "SET NULL (status_id)")
    _fk("cases", "type_id", "case_types", "SET NULL (type_id)")
    op.create_index(op.f("ix_cases_firm_id_status_id"), "cases", ["firm_id", "status_id"])
    op.create_index(op.f("ix_cases_firm_id_type_id"), "cases", ["firm_id", "type_id"])
    op.create_table(
        "case_plans",
        sa.Column("firm_id", sa.BigInteger(), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("plan_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["firm_id", "case_id"],
            ["cases.firm_id", "cases.id"],
            name=op.f("fk_case_plans_firm_id_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["firm_id", "plan_id"],
            ["plans.firm_id", "plans.id"],
            name=op.f("fk_case_plans_firm_id_plan_id_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("firm_id", "case_id", "plan_id", name=op.f("pk_case_plans")),
    )
    op.create_index(
        op.f("ix_case_plans_firm_id_plan_id_case_id"),
        "case_plans",
        ["firm_id", "plan_id", "case_id"],
    )
    op.add_column("circles", sa.Column("bg_colour", sa.String(7), nullable=True))
    op.add_column(
        "custom_fields",
        sa.Column("is_visible_to_clients", sa.Boolean(), server_default="false", nullable=False),
    )
    op.add_column(
        "custom_fields",
        sa.Column("conditions", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    )
    op.add_column("accounts", sa.Column("title", sa.String(255), nullable=True))
    op.add_column("accounts", sa.Column("entity_name", sa.String(255), nullable=True))


def downgrade() -> None:
    op.drop_column("accounts", "entity_name")
    op.drop_column("accounts", "title")
    op.drop_column("custom_fields", "conditions")
    op.drop_column("custom_fields", "is_visible_to_clients")
    op.drop_column("circles", "bg_colour")
    op.drop_table("case_plans")
    op.drop_index(op.f("ix_cases_firm_id_type_id"), table_name="cases")
    op.drop_index(op.f("ix_cases_firm_id_status_id"), table_name="cases")
    op.drop_constraint(op.f("fk_cases_firm_id_type_id_case_types"), "cases", type_="foreignkey")
    op.drop_constraint(
        op.f("fk_cases_firm_id_status_id_case_statuses"), "cases", type_="foreignkey"
    )
    op.drop_column("cases", "completed_at")
    op.drop_column("cases", "type_id")
    op.drop_column("cases", "status_id")
    op.drop_table("client_statuses")
    op.drop_table("case_types")
    op.drop_table("case_statuses")
