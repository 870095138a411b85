"""Zalo template messages: paid sends per outbox row, budgets per unit, consented phones (issue 15)

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "zalo_template_sends",
        sa.Column("outbox_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("batch", sa.String(length=64), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("route", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("tracking_id", sa.String(length=48), nullable=False),
        sa.Column("msg_id", sa.String(length=64), nullable=True),
        sa.Column("price", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=300), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("settled_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("read_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("outbox_id", name=op.f("pk_zalo_template_sends")),
        sa.UniqueConstraint("tracking_id", name=op.f("uq_zalo_template_sends_tracking_id")),
    )
    with op.batch_alter_table("zalo_template_sends", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_zalo_template_sends_batch"), ["batch"], unique=False)
        batch_op.create_index(batch_op.f("ix_zalo_template_sends_msg_id"), ["msg_id"], unique=False)
    op.create_table(
        "zalo_template_budget",
        sa.Column("unit_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.Column("spent", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("unit_id", "period", name=op.f("pk_zalo_template_budget")),
    )

    op.create_table(
        "zalo_template_phones",
        sa.Column("identity_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("consent_version", sa.String(length=32), nullable=False),
        sa.Column("consented_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["identity_id"],
            ["identities.id"],
            name=op.f("fk_zalo_template_phones_identity_id_identities"),
        ),
        sa.PrimaryKeyConstraint("identity_id", name=op.f("pk_zalo_template_phones")),
    )


def downgrade() -> None:
    op.drop_table("zalo_template_phones")
    op.drop_table("zalo_template_budget")
    with op.batch_alter_table("zalo_template_sends", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_zalo_template_sends_msg_id"))
        batch_op.drop_index(batch_op.f("ix_zalo_template_sends_batch"))
    op.drop_table("zalo_template_sends")
