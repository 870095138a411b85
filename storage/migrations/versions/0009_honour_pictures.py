"""honour pages: the page's photo and the list's thumbnail, the honouring unit

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("picture", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("thumb", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("unit_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_publications_unit_id_units", "units", ["unit_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.drop_constraint("fk_publications_unit_id_units", type_="foreignkey")
        batch_op.drop_column("unit_id")
        batch_op.drop_column("thumb")
        batch_op.drop_column("picture")
