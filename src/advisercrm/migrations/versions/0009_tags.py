"""tags and the account, case and plan links to them

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 20:30:00.000000

A tag is the firm's label, unique by slug within the firm. Each kind of record tagged has
a link table of its own, so every link is a composite foreign key (firm_id included) that
cascades when the record, the tag or the firm is deleted.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LINKS = (
    ("account_tags", "account_id", "accounts"),
    ("case_tags", "case_id", "cases"),
    ("plan_tags", "plan_id", "plans"),
)


def upgrade() -> None:
    op.create_table(
        "tags",
        sa.Column("firm_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("uuid", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("slug", sa.String(length=300), nullable=False),
        sa.Column("colour", sa.String(length=7), nullable=False),
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
            ["firm_id"], ["firms.id"], name=op.f("fk_tags_firm_id_firms"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("firm_id", "id", name=op.f("pk_tags")),
        sa.UniqueConstraint("firm_id", "slug", name=op.f("uq_tags_firm_id_slug")),
        sa.UniqueConstraint("firm_id", "uuid", name=op.f("uq_tags_firm_id_uuid")),
    )
    op.create_index(op.f("ix_tags_firm_id_created_at_id"), "tags", ["firm_id", "created_at", "id"])
    for name, column, table in LINKS:
        op.create_table(
            name,
            sa.Column("firm_id", sa.BigInteger(), nullable=False),
            sa.Column(column, sa.BigInteger(), nullable=False),
            sa.Column("tag_id", sa.BigInteger(), nullable=False),
            sa.ForeignKeyConstraint(
                ["firm_id", column],
                [f"{table}.firm_id", f"{table}.id"],
                name=op.f(f"fk_{name}_firm_id_{column}_{table}"),
                ondelete="CASCADE",
            ),
            sa.ForeignKeyConstraint(
                ["firm_id", "tag_id"],
                ["tags.firm_id", "tags.id"],
                name=op.f(f"fk_{name}_firm_id_tag_id_tags"),
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint("firm_id", column, "tag_id", name=op.f(f"pk_{name}")),
        )
        op.create_index(
            op.f(f"ix_{name}_firm_id_tag_id_{column}"), name, ["firm_id", "tag_id", column]
        )


def downgrade() -> None:
    for name, column, _ in reversed(LINKS):
        op.drop_index(op.f(f"ix_{name}_firm_id_tag_id_{column}"), table_name=name)
        op.drop_table(name)
    op.drop_index(op.f("ix_tags_firm_id_created_at_id"), table_name="tags")
    op.drop_table("tags")
